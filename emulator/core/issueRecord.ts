/**
 * The one home of an experience issue's record: the fields the emulator holds and saves for it,
 * what a create gives a new or chained issue, and the size of the caller's content it keeps (the
 * storage limit). The store that indexes the records is issues.ts.
 */
import type { IssueState } from '../../contract/api';

export interface IssueRecord {
	sys_id: string;
	number: string;
	experience_id: string;
	issue_code: string;
	provider: string;
	state: IssueState;
	/** sys_id of the resolved user. */
	user: string;
	/** sys_id of the CI named in the endpoint ('' when none). */
	configuration_item: string;
	endpoint: Record<string, string>;
	input_parameters: Record<string, unknown>;
	investigative_details: Record<string, unknown>;
	/** Issue codes this issue has carried, oldest first (chaining appends). */
	issue_code_history: string[];
	sys_created_on: string;
	sys_updated_on: string;
	/** Why the engagement ended ('' while it goes on): resolved, resolution_failed, consent_declined, notified. */
	end_reason?: string;
	/** What the fallback did when the resolution failed: incident_created, routed_to_live_agent, none. */
	fallback_result?: string;
	/** sys_id of the fallback incident. */
	fallback_incident?: string;
	/** The engagement step the emulator plays next, and when (ms since epoch). */
	next_step?: 'engage' | 'outcome';
	next_step_at?: number;
}

/** What a create request gives a new issue (or a chained one). */
export interface IssueContent {
	issueCode: string;
	provider: string;
	state: IssueState;
	inputParameters: Record<string, unknown>;
	investigativeDetails: Record<string, unknown>;
	/** ServiceNow date-time of the change. */
	at: string;
}

/** The size of what a caller sent that an issue keeps. */
export function contentBytes(
	issue: Pick<IssueRecord, 'endpoint' | 'input_parameters' | 'investigative_details'>,
): number {
	return (
		JSON.stringify(issue.endpoint).length +
		JSON.stringify(issue.input_parameters).length +
		JSON.stringify(issue.investigative_details).length
	);
}
