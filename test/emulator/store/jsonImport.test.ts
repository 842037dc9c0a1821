/**
 * The import of a version 0.1 JSON state file: a kill at any moment loses nothing, an import an
 * earlier version left unfinished is done again, and a file the emulator cannot use is refused
 * whole, untouched, with the field that is wrong.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { send } from '../../helpers/http';
import { StateFile } from '../../../emulator/store/stateFile';
import {
	BIN,
	checkBuilt,
	issueCount,
	run,
	start,
	v1Issue,
	writeV1,
} from '../../helpers/emulatorCommand';
import { readWith } from '../../helpers/oauth';
import { tempDir, tempPath } from '../../helpers/temp';

beforeAll(checkBuilt);

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('importing a JSON state file of version 0.1', () => {
	it('loses no issue when the emulator is killed during the import (200,000 issues)', async () => {
		const dir = tempDir('pe-store-import');
		const state = join(dir, 'state.json');
		const count = 200_000;
		writeV1(state, count);
		const original = sha(state);
		// Killed as the database starts to be written, and while it is written.
		for (const after of [0, 300]) {
			const child = spawn(process.execPath, [BIN, '--port', '0', '--state', state], {
				stdio: 'ignore',
			});
			const exited = new Promise((resolve) => child.on('exit', resolve));
			const started = Date.now();
			while (
				!existsSync(`${state}.importing`) &&
				child.exitCode === null &&
				Date.now() - started < 30_000
			)
				await sleep(1);
			await sleep(after);
			child.kill('SIGKILL');
			await exited;
			// The JSON state is where it was, as it was.
			expect([after, sha(state)]).toEqual([after, original]);
		}
		const emu = await start(['--state', state, '--auth', 'oauth']);
		try {
			expect(await issueCount(emu.url)).toBe(count);
			expect(await readWith(emu.url, 'raw-v1-token')).toBe(200);
			expect(emu.output()).toContain(
				`Imported the JSON state of ${state}; it is kept as ${state}.v1.json.`,
			);
		} finally {
			await emu.kill();
		}
		expect(sha(`${state}.v1.json`)).toBe(original);
		expect(readdirSync(dir).filter((f) => f.endsWith('.importing'))).toEqual([]);
		const again = await start(['--state', state]);
		try {
			expect(await issueCount(again.url)).toBe(count);
			expect(again.output()).not.toContain('Imported');
		} finally {
			await again.kill();
			rmSync(dir, { recursive: true, force: true });
		}
	}, 120_000);

	it('imports again when an earlier import left an empty database (or none) beside <file>.v1.json', async () => {
		const dir = tempDir('pe-store-import');
		for (const leftover of ['empty database', 'no database']) {
			const state = join(dir, `${leftover.replace(' ', '-')}.db`);
			writeV1(`${state}.v1.json`, 3);
			if (leftover === 'empty database') {
				// What version 0.2 left when killed during its import: the tables, and no row.
				const db = new DatabaseSync(state);
				db.exec(
					'PRAGMA journal_mode = WAL; CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL); CREATE TABLE issues (sys_id TEXT PRIMARY KEY, record TEXT NOT NULL);',
				);
				db.exec(
					'CREATE TABLE tokens (type TEXT NOT NULL, hash TEXT NOT NULL, grant_json TEXT NOT NULL, PRIMARY KEY (type, hash)); CREATE TABLE incidents (sys_id TEXT PRIMARY KEY, record TEXT NOT NULL);',
				);
				db.close();
			}
			const emu = await start(['--state', state]);
			try {
				expect([leftover, await issueCount(emu.url)]).toEqual([leftover, 3]);
			} finally {
				await emu.kill();
			}
		}
	});

	it('does not import again once the import completed, even after a reset', async () => {
		const state = tempPath('pe-store-import', 'state.json');
		writeV1(state, 2);
		const first = await start(['--state', state]);
		expect(await issueCount(first.url)).toBe(2);
		expect((await send(`${first.url}/_emulator/reset`, { method: 'POST' })).status).toBe(200);
		await first.kill();
		const second = await start(['--state', state]);
		try {
			expect(await issueCount(second.url)).toBe(0);
		} finally {
			await second.kill();
		}
	});

	const issue = (fields: Record<string, unknown>) => ({
		version: 1,
		issues: { issues: [v1Issue(0), v1Issue(1), v1Issue(2), v1Issue(3, fields)], counter: 4 },
	});
	// Written as text: JSON.stringify itself runs out of stack on it.
	const deep = JSON.stringify(issue({ input_parameters: { deep: 'DEEP' } })).replace(
		'"DEEP"',
		'['.repeat(5000) + ']'.repeat(5000),
	);
	it.each([
		[
			'an issue that is null',
			{ version: 1, issues: { issues: [null], counter: 1 } },
			'issues.issues[0] must be an object (got null)',
		],
		[
			'issues that are no list',
			{ version: 1, issues: { issues: { a: 1 }, counter: 1 } },
			'issues.issues must be a list (got an object)',
		],
		[
			'tokens that are no list',
			{ version: 1, issues: { issues: [], counter: 0 }, tokens: { access: 5 } },
			'tokens.access must be a list (got a number)',
		],
		[
			'a token that is a number',
			{
				version: 1,
				issues: { issues: [], counter: 0 },
				tokens: { access: [[123, { user_name: 'admin', client_id: 'x', expiresAt: 1 }]] },
			},
			'tokens.access[0][0] must be a non-empty string (the token) (got a number)',
		],
		[
			'a grant without expiry',
			{
				version: 1,
				issues: { issues: [], counter: 0 },
				tokens: { refresh: [['t', { user_name: 'admin', client_id: 'x' }]] },
			},
			'tokens.refresh[0][1].expiresAt must be a time in milliseconds (got nothing)',
		],
		[
			'an issue without issue_code_history',
			issue({ issue_code_history: undefined }),
			'issues.issues[3].issue_code_history must be a list of strings (got nothing)',
		],
		[
			'an issue_code_history that is a string',
			issue({ issue_code_history: '100' }),
			'issues.issues[3].issue_code_history must be a list of strings (got a string)',
		],
		[
			'a numeric issue_code',
			issue({ issue_code: 100 }),
			'issues.issues[3].issue_code must be a non-empty string (got a number)',
		],
		[
			'a numeric provider',
			issue({ provider: 7 }),
			'issues.issues[3].provider must be a non-empty string (got a number)',
		],
		[
			'an unknown state',
			issue({ state: 'bogus' }),
			'issues.issues[3].state must be one of open, in_progress, action_wait, closed, close_skipped (got "bogus")',
		],
		[
			'an endpoint that is null',
			issue({ endpoint: null }),
			'issues.issues[3].endpoint must be an object (got null)',
		],
		[
			'a sys_id that is an object',
			issue({ sys_id: { x: 1 } }),
			'issues.issues[3].sys_id must be a non-empty string (got an object)',
		],
		[
			'input_parameters nested 5000 deep',
			deep,
			'issues.issues[3].input_parameters must be nested at most 32 levels (got deeper nesting)',
		],
		[
			'a sys_id twice',
			issue({ sys_id: v1Issue(1).sys_id }),
			'issues.issues[3].sys_id must be unique (got the sys_id of issues.issues[1])',
		],
		[
			'a counter that is text',
			{ version: 1, issues: { issues: [], counter: 'abc' } },
			'issues.counter must be a whole number from 0 (got "abc")',
		],
		[
			'another version',
			{ version: 3, issues: { issues: [], counter: 0 } },
			'version must be 1 or 2 (got a number)',
		],
	])('refuses %s, naming the field, and leaves the file as it was', (_, content, detail) => {
		const dir = tempDir('pe-store-import');
		const state = join(dir, 'state.json');
		writeFileSync(state, typeof content === 'string' ? content : JSON.stringify(content));
		const before = sha(state);
		for (let attempt = 0; attempt < 2; attempt++) {
			expect(() => StateFile.open(state)).toThrow(
				`The state file ${state} cannot be imported: ${detail}; fix or delete it (nothing was changed).`,
			);
			expect(sha(state)).toBe(before);
			expect(readdirSync(dir).sort()).toEqual(['state.json', 'state.json.lock']);
		}
	});

	it('refuses a JSON file whose issue the Table API could not serve, at start, twice', async () => {
		const state = tempPath('pe-store-import', 'state.json');
		writeFileSync(
			state,
			JSON.stringify({
				version: 1,
				issues: {
					issues: [v1Issue(0, { state: 'action_wait', issue_code_history: undefined })],
					counter: 1,
				},
			}),
		);
		for (let attempt = 0; attempt < 2; attempt++) {
			const res = await run(['--state', state]);
			expect(res.code).toBe(1);
			expect(res.stderr).toContain(
				'issues.issues[0].issue_code_history must be a list of strings (got nothing)',
			);
		}
		expect(({} as Record<string, unknown>).polluted).toBeUndefined();
	});
});
