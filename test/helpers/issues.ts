/** Experience issues through an emulator's HTTP API, as a client creates, reads and changes them. */
import { ABEL, postJson, send } from './http';

export const ISSUE_TABLE = '/api/now/table/sn_pren_experience_issue';

/** A create's body: for Abel, issue code 100 of provider sn, and `over`. */
export const issueBody = (over: Record<string, unknown> = {}) => ({
	endpoint: { user_id: ABEL.sys_id },
	issue_code: '100',
	provider: 'sn',
	...over,
});

/** A create of `issueBody(over)`. */
export const createIssue = (url: string, over: Record<string, unknown> = {}) =>
	postJson(url, issueBody(over));

/** A Table API PATCH of the issue's state. */
export const patchIssueState = (url: string, sysId: string, state: unknown) =>
	send(`${url}${ISSUE_TABLE}/${sysId}`, {
		method: 'PATCH',
		headers: { 'content-type': 'application/json', accept: 'application/json' },
		body: JSON.stringify({ state }),
	});

/** The issue's Table API row, found by its experience_id. */
export async function issueByExperience(url: string, experienceId: string) {
	const res = await send(
		`${url}${ISSUE_TABLE}?sysparm_query=experience_id=${encodeURIComponent(experienceId)}`,
	);
	return res.json().result[0];
}
