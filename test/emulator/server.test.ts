import { spawn, type ChildProcess } from 'node:child_process';
import { Agent } from 'node:http';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { join } from 'node:path';
import { DOCUMENTED_ERRORS } from '../../contract/errors';
import { defaultSeed } from '../../emulator/core';
import { ABEL, postJson, send } from '../helpers/http';
import { tempDir } from '../helpers/temp';

const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'dist', 'emulator', 'cli.js');

beforeAll(() => {
	if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run "npm run build" first (npm test does).`);
});

interface Run {
	child: ChildProcess;
	url: string;
	output: () => string;
	exit: Promise<number | null>;
}

/** Starts the emulator command and waits for the line that gives its URL. */
function start(args: string[]): Promise<Run> {
	const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
	let out = '';
	const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`no URL printed: ${out}`)), 10_000);
		const onData = (chunk: Buffer) => {
			out += chunk.toString();
			const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
			if (m) {
				clearTimeout(timer);
				resolve({ child, url: m[1], output: () => out, exit });
			}
		};
		child.stdout.on('data', onData);
		child.stderr.on('data', onData);
		exit.then((code) => {
			clearTimeout(timer);
			reject(new Error(`exited with ${code}: ${out}`));
		});
	});
}

/** Runs the command to completion. */
function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
	const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
	let stdout = '';
	let stderr = '';
	child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
	child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
	return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

const body = { endpoint: { user_id: ABEL.sys_id }, issue_code: '100', provider: 'sn', experience_id: 'P-1' };

describe('the emulator command', () => {
	it('prints its base URL, serves the endpoint and stops cleanly on SIGTERM and SIGINT', async () => {
		for (const signal of ['SIGTERM', 'SIGINT'] as const) {
			const emu = await start(['--port', '0']);
			expect(emu.output()).toContain('(auth: none)');
			expect((await postJson(emu.url, body)).status).toBe(200);
			emu.child.kill(signal);
			expect(await emu.exit).toBe(0);
			expect(emu.output()).toContain(`Received ${signal}; stopping.`);
		}
	});

	it.each([
		[['--auth', 'magic'], '--auth must be one of none, basic, oauth (got "magic").'],
		[['--port', 'eighty'], '--port must be a whole number from 0 to 65535 (got "eighty").'],
		[['--initial-state', 'done'], '--initial-state must be one of open, in_progress, action_wait, closed'],
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
		seed.issue_codes.push({ issue_code: 'DISK-9', provider: 'sn', name: 'Disk', deployed: true, resolution: 'Clean' });
		writeFileSync(join(dir, 'seed.json'), JSON.stringify(seed));
		const emu = await start(['--port', '0', '--seed', join(dir, 'seed.json')]);
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
		const first = await start(['--port', '0', '--state', state, '--auth', 'oauth']);
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
		const hashes = db.prepare("SELECT hash FROM tokens WHERE type = 'access'").all().map((r) => (r as { hash: string }).hash);
		db.close();
		expect(hashes).toEqual([createHash('sha256').update(token).digest('hex')]);
		for (const file of [state, `${state}-wal`].filter(existsSync)) expect(readFileSync(file).includes(Buffer.from(token))).toBe(false);

		const second = await start(['--port', '0', '--state', state, '--auth', 'oauth']);
		try {
			// The same token still works, and the issue is still being resolved.
			const again = await postJson(second.url, body, auth);
			expect(again.json().error.message).toBe(DOCUMENTED_ERRORS.CHAIN_CONFLICT.message);
			const [issue] = (await send(second.url + '/api/now/table/sn_pren_experience_issue', { headers: auth })).json().result;
			expect(issue.experience_id).toBe('P-1');
		} finally {
			second.child.kill('SIGTERM');
			await second.exit;
		}
	});

	it('imports a JSON state file of the earlier version, keeping it beside the database', async () => {
		const dir = tempDir('pe-state');
		const state = join(dir, 'state.json');
		const issue = {
			sys_id: 'a'.repeat(32),
			number: 'PREN0000001',
			experience_id: 'OLD-1',
			issue_code: '100',
			provider: 'sn',
			state: 'open',
			user: ABEL.sys_id,
			configuration_item: '',
			endpoint: { user_id: ABEL.sys_id },
			input_parameters: {},
			investigative_details: {},
			issue_code_history: ['100'],
			sys_created_on: '2026-11-01 10:00:00',
			sys_updated_on: '2026-11-01 10:00:00',
		};
		writeFileSync(state, JSON.stringify({ version: 1, issues: { issues: [issue], counter: 1 }, tokens: { access: [['raw-token', { user_name: 'admin', client_id: 'pe-emulator-client', expiresAt: Date.now() + 60_000 }]], refresh: [] } }));
		const emu = await start(['--port', '0', '--state', state, '--auth', 'oauth']);
		try {
			expect(emu.output()).toContain(`Imported the JSON state of ${state}; it is kept as ${state}.v1.json.`);
			const rows = (await send(emu.url + '/api/now/table/sn_pren_experience_issue', { headers: { authorization: 'Bearer raw-token' } })).json().result;
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

describe('the programmatic API (the emulator package main module and its types)', () => {
	const EMULATOR_PACKAGE = join(ROOT, 'packages', 'servicenow-pe-emulator');

	it('points main, types and bin at files the build writes', () => {
		const pkg = JSON.parse(readFileSync(join(EMULATOR_PACKAGE, 'package.json'), 'utf8'));
		for (const file of [pkg.main, pkg.types, ...Object.values(pkg.bin as Record<string, string>)]) {
			expect(existsSync(join(EMULATOR_PACKAGE, file))).toBe(true);
		}
		expect(readFileSync(join(EMULATOR_PACKAGE, pkg.types), 'utf8')).toMatch(/startEmulator/);
	});

	it('is not the nodes package: that one has no main module and no runtime dependency', () => {
		const nodes = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
		expect(nodes.main).toBeUndefined();
		expect(nodes.dependencies).toBeUndefined();
		expect(JSON.parse(readFileSync(join(EMULATOR_PACKAGE, 'package.json'), 'utf8')).dependencies).toBeUndefined();
	});

	it('starts an emulator on a free port with a journal, reset and close', async () => {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const { startEmulator } = require(EMULATOR_PACKAGE);
		const sn = await startEmulator({ port: 0, auth: 'basic' });
		try {
			expect(sn.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
			const res = await postJson(sn.url, body, {
				authorization: 'Basic ' + Buffer.from('pe.integration:integration').toString('base64'),
			});
			expect(res.status).toBe(200);
			expect(sn.journal()).toHaveLength(1);
			sn.reset();
			expect(sn.journal()).toHaveLength(0);
		} finally {
			await sn.close();
		}
		// A fresh connection (no pooled socket) finds nothing listening.
		await expect(send(sn.url + '/_emulator/health', { agent: new Agent({ keepAlive: false }) })).rejects.toThrow(/ECONNREFUSED/);
	});

	it('answers requests that arrive together each with its own answer, in arrival order, one throw ending only its own connection', async () => {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const { startEmulator } = require(EMULATOR_PACKAGE);
		const sn = await startEmulator({ port: 0 });
		const handle = sn.emulator.handle.bind(sn.emulator);
		// Which calls ran in one synchronous stretch: the turn of the event loop that answers them.
		let stretch = 0;
		let marked = false;
		const seen: Array<{ id: string; stretch: number }> = [];
		sn.emulator.handle = (req: { url: string; body: string }) => {
			if (!req.url.includes('/create')) return handle(req);
			if (!marked) {
				marked = true;
				queueMicrotask(() => {
					stretch++;
					marked = false;
				});
			}
			const id = String(JSON.parse(req.body).experience_id);
			seen.push({ id, stretch });
			if (id === 'X-7') throw new Error('core failure');
			return handle(req);
		};
		try {
			const ids = Array.from({ length: 24 }, (_, i) => `X-${i}`);
			// One open connection per request first, as a load generator or a busy client has them.
			const agent = new Agent({ keepAlive: true, maxSockets: ids.length });
			await Promise.all(ids.map(() => send(sn.url + '/_emulator/health', { agent })));
			sn.reset();
			const answers = await Promise.allSettled(
				ids.map((id) => send(sn.url + '/api/sn_pren/self_remediation/experience_issue/create', {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify({ ...body, experience_id: id, issue_code: id === 'X-3' ? '100' : '101' }),
					agent,
				})),
			);
			agent.destroy();
			// Requests sent together were handled together, several in one stretch.
			const perStretch = new Map<number, number>();
			for (const { stretch: s } of seen) perStretch.set(s, (perStretch.get(s) ?? 0) + 1);
			expect(Math.max(...perStretch.values())).toBeGreaterThan(1);
			for (const [i, answer] of answers.entries()) {
				if (ids[i] === 'X-7') {
					expect(answer.status).toBe('rejected');
					continue;
				}
				expect(answer.status).toBe('fulfilled');
				const res = (answer as PromiseFulfilledResult<Awaited<ReturnType<typeof send>>>).value;
				// Each answer is its own: an accepted create names the id it was sent with, and a refused
				// one is the "being resolved" of the open issue with the same code.
				if (res.status === 200) expect(res.json().result.experience_id).toBe(ids[i]);
				else expect(res.json().error.message).toBe(DOCUMENTED_ERRORS.BEING_RESOLVED.message);
			}
			const accepted = answers.filter((a) => a.status === 'fulfilled' && a.value.status === 200);
			// One issue per code: the X-3 create (code 100) and the first code-101 create to be handled.
			expect(accepted).toHaveLength(2);
			const firstOf101 = seen.find((c) => c.id !== 'X-3' && c.id !== 'X-7')?.id;
			expect(sn.issues().map((i: { experience_id: string }) => i.experience_id).sort()).toEqual(['X-3', firstOf101].sort());
			// Each journal entry holds its own request and the answer that request got, in handling order.
			const journal = sn.journal();
			expect(journal.map((e: { body: string }) => JSON.parse(e.body).experience_id)).toEqual(seen.filter((c) => c.id !== 'X-7').map((c) => c.id));
		} finally {
			await sn.close();
		}
	});

	it('ends only the connection, not the server, should the core ever throw', async () => {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const { startEmulator } = require(EMULATOR_PACKAGE);
		const sn = await startEmulator({ port: 0 });
		const handle = sn.emulator.handle.bind(sn.emulator);
		let calls = 0;
		sn.emulator.handle = (req: unknown) => {
			if (++calls === 1) throw new Error('core failure');
			return handle(req);
		};
		try {
			const fresh = () => ({ agent: new Agent({ keepAlive: false }) });
			await expect(send(sn.url + '/_emulator/health', fresh())).rejects.toThrow(/socket hang up|ECONNRESET/);
			expect((await send(sn.url + '/_emulator/health', fresh())).status).toBe(200);
		} finally {
			await sn.close();
		}
	});
});
