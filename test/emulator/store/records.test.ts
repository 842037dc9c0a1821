/**
 * Rows of the state database are checked as they are loaded: a record the emulator could not serve
 * (an issue without its history, a numeric issue code…) stops the start with the row and the field,
 * instead of breaking Table API reads or the one-open-issue rule later.
 */
import { DatabaseSync } from 'node:sqlite';
import { send } from '../../helpers/http';
import { CREATE, TABLE, checkBuilt, run, start } from '../../helpers/emulatorCommand';
import { tempPath } from '../../helpers/temp';

beforeAll(checkBuilt);

/** A state file with two issues (rowid 1 and 2) and a token, written by the emulator itself. */
async function stateWithIssues(): Promise<string> {
	const state = tempPath('pe-store-records', 'state.db');
	const emu = await start(['--state', state]);
	for (const user of ['abel.tuter', 'beth.anglin']) {
		const res = await send(emu.url + CREATE, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ endpoint: { user_name: user }, issue_code: '100', provider: 'sn' }),
		});
		expect(res.status).toBe(200);
	}
	await emu.kill('SIGTERM');
	return state;
}

function tamper(state: string, sql: string): void {
	const db = new DatabaseSync(state);
	try {
		db.exec(sql);
	} finally {
		db.close();
	}
}

describe('loading the state database', () => {
	it('serves the issues it holds after a restart', async () => {
		const state = await stateWithIssues();
		const emu = await start(['--state', state]);
		try {
			const rows = (await send(emu.url + TABLE)).json().result;
			expect(rows.map((r: { issue_code_history: string }) => r.issue_code_history)).toEqual([
				'100',
				'100',
			]);
		} finally {
			await emu.kill();
		}
	});

	it.each([
		[
			'an issue_code_history that is a string',
			`UPDATE issues SET record = json_set(record, '$.issue_code_history', '100') WHERE rowid = 2`,
			'issues[rowid 2].issue_code_history must be a list of strings (got a string)',
		],
		[
			'an issue without issue_code_history',
			`UPDATE issues SET record = json_remove(record, '$.issue_code_history') WHERE rowid = 1`,
			'issues[rowid 1].issue_code_history must be a list of strings (got nothing)',
		],
		[
			'a numeric issue_code',
			`UPDATE issues SET record = json_set(record, '$.issue_code', 100) WHERE rowid = 2`,
			'issues[rowid 2].issue_code must be a non-empty string (got a number)',
		],
		[
			'a numeric provider',
			`UPDATE issues SET record = json_set(record, '$.provider', 1) WHERE rowid = 1`,
			'issues[rowid 1].provider must be a non-empty string (got a number)',
		],
		[
			'a record that is not JSON',
			`UPDATE issues SET record = '{"sys_id":' WHERE rowid = 1`,
			'issues[rowid 1].record must be JSON (got text that does not parse)',
		],
		[
			'a record of another row',
			`UPDATE issues SET sys_id = 'other' WHERE rowid = 1`,
			"issues[rowid 1].sys_id must be the row's sys_id other",
		],
		[
			'a grant without its user',
			`INSERT INTO tokens VALUES ('access', 'h', '{"client_id":"c","expiresAt":1}')`,
			'tokens[rowid 1].grant_json.user_name must be a non-empty string (got nothing)',
		],
		[
			'a token of an unknown kind',
			`INSERT INTO tokens VALUES ('id_token', 'h', '{"user_name":"a","client_id":"c","expiresAt":1}')`,
			'tokens[rowid 1].type must be access or refresh (got id_token)',
		],
		[
			'a counter that is text',
			`UPDATE meta SET value = 'many' WHERE key = 'counter'`,
			'meta counter must be a whole number from 0 (got "many")',
		],
	])('refuses to start on %s, naming the row and the field', async (_, sql, detail) => {
		const state = await stateWithIssues();
		tamper(state, sql);
		const res = await run(['--state', state]);
		expect(res.code).toBe(1);
		expect(res.stderr).toContain(
			`Error: The state file ${state} holds what the emulator cannot use: ${detail}`,
		);
		expect(res.stderr).toContain('fix or delete it.');
	});
});
