/**
 * Error answers say what is wrong and how to fix it, and never quote the request back: not its
 * body (a JSON error gives its position, an XML error its kind), not its keys, not the table asked
 * for, not the values given to the control API.
 */
import { CREATE_PATH, emulatorForSuite, postJson, postXml, send } from '../../helpers/http';
import { issueBody } from '../../helpers/issues';
import { bearer } from '../../helpers/oauth';

const sn = emulatorForSuite();

const TABLE = '/api/now/table/sn_pren_experience_issue';

describe('error details never quote the request', () => {
	const locked = emulatorForSuite({ auth: 'oauth' });

	it('counts keys a PATCH may not carry, naming only fields of the table', async () => {
		const headers = { ...(await bearer(locked.url)), 'content-type': 'application/json' };
		expect((await postJson(locked.url, issueBody(), headers)).status).toBe(200);
		const { sys_id: sysId } = locked.issues()[0];
		const res = await send(`${locked.url}${TABLE}/${sysId}`, {
			method: 'PATCH',
			headers,
			body: JSON.stringify({ state: 'closed', 'password=HUNTER2-IN-KEY': 1, issue_code: '101' }),
		});
		expect(res.status).toBe(400);
		expect(res.json().error.detail).toBe(
			'Only "state" can be updated on sn_pren_experience_issue here; remove "issue_code" and 1 key that is no field of the table.',
		);
		expect(locked.journal().at(-1)!.response).not.toContain('HUNTER2');
	});

	it('names the field and what it takes in control API errors, never the value given', async () => {
		const specs = [
			{ status: 'hunter2-FAULT-BODY' },
			{ error: 'hunter2-ERROR' },
			{ drop: 'hunter2-DROP' },
			{ delayMs: 'hunter2-DELAY' },
			{ status: 500, match: { route: 'hunter2-ROUTE' } },
			{ status: 500, match: 'hunter2-MATCH' },
		];
		for (const spec of specs) {
			const res = await send(`${locked.url}/_emulator/faults`, {
				method: 'POST',
				body: JSON.stringify(spec),
			});
			expect(res.status).toBe(400);
			expect(res.json().error.message).toMatch(
				/^Fault field "(status|error|drop|delayMs|match)" must be /,
			);
			expect(res.text).not.toContain('hunter2');
		}
	});

	it('does not quote an unknown table name', async () => {
		const res = await send(`${locked.url}/api/now/table/hunter2_table`, {
			headers: await bearer(locked.url),
		});
		expect(res.status).toBe(400);
		expect(res.json().error.detail).toMatch(/sn_pren_experience_issue/);
		expect(res.text).not.toContain('hunter2');
	});

	it('keeps create bodies out of create error details', async () => {
		const res = await send(locked.url + CREATE_PATH, {
			method: 'POST',
			headers: { ...(await bearer(locked.url)), 'content-type': 'application/json' },
			body: '{"endpoint": "hunter2-ENDPOINT", "issue_code": ',
		});
		expect(res.status).toBe(400);
		expect(res.text).not.toContain('hunter2');
	});

	it('quotes no part of a malformed body back in the error detail', async () => {
		const res = await postJson(
			sn.url,
			'{"endpoint":{"user_name":"abel.tuter"},"password":"hunter2-secret" oops}',
		);
		expect(res.status).toBe(400);
		expect(res.text).not.toContain('hunter2');
		expect(res.json().error.detail).toMatch(
			/^Malformed JSON body at position \d+: send one JSON object\.$/,
		);
		const xml = await postXml(sn.url, '<r><password>hunter2-secret</passwd></r>');
		expect(xml.text).not.toContain('hunter2');
		expect(xml.text).not.toContain('passw');
	});
});
