/** The emulator command: its output, its options and their errors, a seed file, a state file. */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { DOCUMENTED_ERRORS } from '../../contract/errors';
import { defaultSeed } from '../../emulator/core';
import { checkBuilt, run, start, v1Issue } from '../helpers/emulatorCommand';
import { postJson, send } from '../helpers/http';
import { issueBody } from '../helpers/issues';
import { tempDir } from '../helpers/temp';

beforeAll(checkBuilt);

const body = issueBody({ experience_id: 'P-1' });

describe('the emulator command', () => {
	it('prints its base URL, serves the endpoint and stops cleanly on SIGTERM and SIGINT', async () => {
		for (const signal of ['SIGTERM', 'SIGINT'] as const) {
			const emu = await start([]);
			expect(emu.output()).toContain('(auth: none)');
			expect((await postJson(emu.url, body)).status).toBe(200);
			emu.child.kill(signal);
			expect(await emu.exit).toBe(0);
			expect(emu.output()).toContain(`Received ${signal}; stopping.`);
		}
	});

	it('stops cleanly on SIGTERM when whoever read its output has gone (a closed pipe), its state file closed', async () => {
		const dir = tempDir('sn-pe-cli-epipe');
		const state = join(dir, 'state.db');
		const emu = await start(['--state', state]);
		expect((await postJson(emu.url, body)).status).toBe(200);
		// The reader goes: the next line the emulator prints meets a closed pipe (EPIPE).
		emu.child.stdout?.destroy();
		emu.child.stderr?.destroy();
		emu.child.kill('SIGTERM');
		expect(await emu.exit).toBe(0);
		// closed, not killed: the next emulator opens the file at once, with the issue
		const next = await start(['--state', state]);
		try {
			expect(next.output()).not.toMatch(/locked|in use/i);
			const res = await send(`${next.url}${'/api/now/table/sn_pren_experience_issue'}`);
			expect(JSON.parse(res.text).result).toHaveLength(1);
		} finally {
			next.child.kill('SIGTERM');
			await next.exit;
		}
	});

	it.each([
		[['--auth', 'magic'], '--auth must be one of none, basic, oauth (got "magic").'],
		[['--port', 'eighty'], '--port must be a whole number from 0 to 65535 (got "eighty").'],
		[
			['--initial-state', 'done'],
			'--initial-state must be one of open, in_progress, action_wait, closed',
		],
		[['--seed'], '--seed needs a value.'],
		[['--verbose'], 'Unknown option "--verbose".'],
	])('refuses %j with a clear message and the usage', async (args, message) => {
		const res = await run(args);
		expect(res.code).toBe(2);
		expect(res.stderr).toContain(message);
		expect(res.stderr).toContain('Usage: servicenow-pe-emulator');
	});

	it('prints the built-in seed, which loads back as a seed file', async () => {
		const printed = await run(['--print-seed']);
		expect(printed.code).toBe(0);
		expect(JSON.parse(printed.stdout)).toEqual(defaultSeed());
	});

	it('serves a custom seed file, and names the bad field of a broken one', async () => {
		const dir = tempDir('pe-seed');
		const seed = defaultSeed();
		seed.issue_codes.push({
			issue_code: 'DISK-9',
			provider: 'sn',
			name: 'Disk',
			deployed: true,
			resolution: 'Clean',
		});
		writeFileSync(join(dir, 'seed.json'), JSON.stringify(seed));
		const emu = await start(['--seed', join(dir, 'seed.json')]);
		try {
			expect((await postJson(emu.url, { ...body, issue_code: 'DISK-9' })).status).toBe(200);
		} finally {
			emu.child.kill('SIGTERM');
			await emu.exit;
		}
		writeFileSync(join(dir, 'bad.json'), JSON.stringify({ ...seed, users: [{ user_name: 'x' }] }));
		const bad = await run(['--seed', join(dir, 'bad.json')]);
		expect(bad.code).toBe(1);
		expect(bad.stderr).toContain('Invalid seed: users[0].sys_id must be a string (got nothing).');
	});

	it('keeps issues and tokens across a restart with --state, tokens only as their hashes', async () => {
		const dir = tempDir('pe-state');
		const state = join(dir, 'state.db');
		const first = await start(['--state', state, '--auth', 'oauth']);
		const token = (
			await send(first.url + '/oauth_token.do', {
				method: 'POST',
				headers: { 'content-type': 'application/x-www-form-urlencoded' },
				body: 'grant_type=client_credentials&client_id=pe-emulator-client&client_secret=pe-emulator-secret',
			})
		).json().access_token;
		const auth = { authorization: `Bearer ${token}` };
		expect((await postJson(first.url, body, auth)).status).toBe(200);
		first.child.kill('SIGTERM');
		expect(await first.exit).toBe(0);
		const db = new DatabaseSync(state, { readOnly: true });
		expect(db.prepare('SELECT count(*) AS n FROM issues').get()).toEqual({ n: 1 });
		const hashes = db
			.prepare("SELECT hash FROM tokens WHERE type = 'access'")
			.all()
			.map((r) => (r as { hash: string }).hash);
		db.close();
		expect(hashes).toEqual([createHash('sha256').update(token).digest('hex')]);
		for (const file of [state, `${state}-wal`].filter(existsSync))
			expect(readFileSync(file).includes(Buffer.from(token))).toBe(false);

		const second = await start(['--state', state, '--auth', 'oauth']);
		try {
			// The same token still works, and the issue is still being resolved.
			const again = await postJson(second.url, body, auth);
			expect(again.json().error.message).toBe(DOCUMENTED_ERRORS.CHAIN_CONFLICT.message);
			const [issue] = (
				await send(second.url + '/api/now/table/sn_pren_experience_issue', { headers: auth })
			).json().result;
			expect(issue.experience_id).toBe('P-1');
		} finally {
			second.child.kill('SIGTERM');
			await second.exit;
		}
	});

	it('imports a JSON state file of the earlier version, keeping it beside the database', async () => {
		const dir = tempDir('pe-state');
		const state = join(dir, 'state.json');
		const issue = v1Issue(0, {
			sys_id: 'a'.repeat(32),
			experience_id: 'OLD-1',
			state: 'open',
			input_parameters: {},
		});
		writeFileSync(
			state,
			JSON.stringify({
				version: 1,
				issues: { issues: [issue], counter: 1 },
				tokens: {
					access: [
						[
							'raw-token',
							{
								user_name: 'admin',
								client_id: 'pe-emulator-client',
								expiresAt: Date.now() + 60_000,
							},
						],
					],
					refresh: [],
				},
			}),
		);
		const emu = await start(['--state', state, '--auth', 'oauth']);
		try {
			expect(emu.output()).toContain(
				`Imported the JSON state of ${state}; it is kept as ${state}.v1.json.`,
			);
			const rows = (
				await send(emu.url + '/api/now/table/sn_pren_experience_issue', {
					headers: { authorization: 'Bearer raw-token' },
				})
			).json().result;
			expect(rows.map((r: { experience_id: string }) => r.experience_id)).toEqual(['OLD-1']);
			expect(existsSync(`${state}.v1.json`)).toBe(true);
		} finally {
			emu.child.kill('SIGTERM');
			await emu.exit;
		}
	});

	it('names a broken state file instead of starting on top of it', async () => {
		const dir = tempDir('pe-state');
		writeFileSync(join(dir, 'state.json'), '{"version": 1, "issues": ');
		const res = await run(['--state', join(dir, 'state.json')]);
		expect(res.code).toBe(1);
		expect(res.stderr).toMatch(/state file .*state\.json is not valid JSON .*fix or delete it/);
	});
});
