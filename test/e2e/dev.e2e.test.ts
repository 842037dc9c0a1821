/**
 * `npm run dev` as a developer runs it (docs/CONTRIBUTING.md, "### `npm run dev`"): real n8n 2.40.7
 * with this package, the standalone emulator and the three demo workflows, its state in a DEV_DIR
 * of its own, on free ports (DEV_N8N_PORT, DEV_EMULATOR_PORT). The commands its banner prints are
 * taken from its output and run with the real curl from the repository's root: the demo alert
 * (created, then Already Being Resolved), the chain demo and its "Skip the waiting". The editor
 * URL, the demo account and the emulator URLs it prints answer. Ctrl-C (SIGINT to its process
 * group, as a terminal sends it) stops n8n and the emulator and the script exits; a second start
 * keeps the demos as the user left them (an edit made through n8n's REST API survives), and its own
 * SIGINT handling stops everything it started; `--reset-demos` imports the demos again.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { delimiter, join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { promisify } from 'node:util';
import { tempDir } from '../helpers/temp';
import { ROOT, example, freePort } from './helpers';

const run = promisify(execFile);

const DEMOS = {
	snPeDemoAlert: example('alert-to-experience-issue.json').name as string,
	snPeDemoEmulator: example('emulator-in-n8n.json').name as string,
	snPeDemoChain: example('chain-issue-codes-automatically.json').name as string,
};
const CREDENTIALS = ['snPeEmulatorCred', 'snPeTriggerCred'];
const EDITED_NAME = `${DEMOS.snPeDemoAlert} (edited in the first run)`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns a value (not undefined); fails with `what` (and `detail()`). */
async function until<T>(
	what: string,
	check: () => T | undefined | Promise<T | undefined>,
	timeoutMs: number,
	detail: () => string = () => '',
): Promise<T> {
	const started = Date.now();
	for (;;) {
		const value = await check();
		if (value !== undefined) return value;
		if (Date.now() - started > timeoutMs)
			throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${detail()}`);
		await sleep(250);
	}
}

/** Whether a process (or, given -pgid, any process of a group) is still there. */
function alive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (e) {
		return (e as NodeJS.ErrnoException).code === 'EPERM';
	}
}

/** Whether a TCP connection to 127.0.0.1:`port` is refused (nothing listens there any more). */
function refused(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const socket = connect(port, '127.0.0.1');
		socket.once('connect', () => {
			socket.destroy();
			resolve(false);
		});
		socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED'));
	});
}

/** A command line as the banner prints it, pasted into a shell at the repository's root. */
async function shell(command: string): Promise<string> {
	const { stdout } = await run('sh', ['-c', command], { cwd: ROOT, encoding: 'utf8' });
	return stdout;
}

/** The ```sh block of a markdown page that holds `marker`, its lines as one command. */
function fencedShell(page: string, marker: string): string {
	const blocks = [...readFileSync(page, 'utf8').matchAll(/^\s*```sh\n([\s\S]*?)^\s*```/gm)].map(
		(m) => m[1],
	);
	const block = blocks.find((b) => b.includes(marker));
	if (!block) throw new Error(`${page} has no sh block with ${marker}`);
	return block
		.split('\n')
		.map((l) => l.trim())
		.join(' ')
		.replace(/\\ /g, ' ')
		.trim();
}

async function request(url: string, init: RequestInit = {}) {
	const res = await fetch(url, init);
	return { status: res.status, headers: res.headers, text: await res.text() };
}

/** One `npm run dev` (or `node scripts/dev.js`), in a process group of its own as a terminal runs it. */
class DevRun {
	readonly child: ChildProcess;
	output = '';
	readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

	constructor(
		command: string,
		args: string[],
		private readonly env: NodeJS.ProcessEnv,
	) {
		this.child = spawn(command, args, {
			cwd: ROOT,
			env,
			detached: true,
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		this.child.stdout!.on('data', (c: Buffer) => (this.output += c.toString('utf8')));
		this.child.stderr!.on('data', (c: Buffer) => (this.output += c.toString('utf8')));
		this.exited = new Promise((resolve) =>
			this.child.once('exit', (code, signal) => resolve({ code, signal })),
		);
	}

	/** Its process group: the terminal job a Ctrl-C goes to. */
	get group(): number {
		return this.child.pid!;
	}

	get running(): boolean {
		return this.child.exitCode === null && this.child.signalCode === null;
	}

	/** The end of its output and of n8n's log (DEV_DIR/n8n.log), for a failure's message. */
	tail = () => {
		const log = join(this.env.DEV_DIR!, 'n8n.log');
		const n8n = existsSync(log) ? readFileSync(log, 'utf8').slice(-3000) : '(none)';
		return `\n--- its output, last lines ---\n${this.output.slice(-4000)}\n--- n8n.log, last lines ---\n${n8n}`;
	};

	/** Waits until its output matches `pattern` (fails at once if it has exited). */
	async waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
		return until(
			String(pattern),
			() => {
				const match = pattern.exec(this.output);
				if (match) return match;
				if (!this.running)
					throw new Error(
						`exited (${this.child.exitCode}) before printing ${pattern}${this.tail()}`,
					);
				return undefined;
			},
			timeoutMs,
			this.tail,
		);
	}

	/** Waits until the process has exited and nothing of its group is left. */
	async gone(timeoutMs: number) {
		const exit = await until(
			'the script to exit',
			async () => (this.running ? undefined : await this.exited),
			timeoutMs,
			this.tail,
		);
		await until(
			`nothing left of process group ${this.group}`,
			() => (alive(-this.group) ? undefined : true),
			timeoutMs,
			this.tail,
		);
		return exit;
	}

	/** Whatever is left of it, killed (only its own process group). */
	async kill() {
		if (alive(-this.group)) process.kill(-this.group, 'SIGKILL');
		if (this.running) await this.exited;
	}
}

/** Runs `body`; whatever is left of `dev` then (after a failure half-way) is killed. */
async function stopping<T>(dev: DevRun, body: () => Promise<T>): Promise<T> {
	try {
		return await body();
	} finally {
		await dev.kill();
	}
}

/** The first match's groups of `pattern` in `text`, or a failure showing the text. */
function find(text: string, pattern: RegExp): string[] {
	const match = pattern.exec(text);
	if (!match) throw new Error(`no ${pattern} in:\n${text}`);
	return match.slice(1);
}

/** What the banner (the block between the two rules of `=`) tells the user. */
function readBanner(banner: string) {
	const [editor] = find(banner, /^ Editor:\s+(\S+)$/m);
	const [email, password] = find(banner, /^ Log in as:\s+(\S+) \/ (\S+)/m);
	const [fire] = find(banner, /^ Fire the demo\b.*\n\s*(curl .+)$/m);
	const [chain] = find(banner, /^ Chain issue codes automatically\b.*\n\s*(curl .+)$/m);
	const [skip] = find(banner, /^ Skip the waiting: (curl .+)$/m);
	const [emulator, journal] = find(banner, /^ Emulator:\s+(\S+)\s+\(journal: (\S+)\)$/m);
	const [inside] = find(banner, /^ Emulator inside n8n: (\S+)/m);
	return {
		editor,
		base: new URL(editor).origin,
		email,
		password,
		fire,
		chain,
		skip,
		emulator,
		journal,
		inside,
	};
}

/** Its step about the demos (what it imports or keeps), without the elapsed time. */
const DEMOS_STEP = /^\[dev \d+\] (.*demo workflow.*?) \(\d+ s\)$/m;

const BANNER = /^={40,}\n n8n is running[\s\S]*?\n Ctrl-C stops n8n and the emulator\.\n={40,}$/m;

/** Logs in through n8n's REST API as the editor's login form does; returns the session cookie. */
async function login(base: string, email: string, password: string): Promise<string> {
	const res = await fetch(`${base}/rest/login`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ emailOrLdapLoginId: email, password }),
	});
	const text = await res.text();
	expect({ status: res.status, email: JSON.parse(text).data?.email }).toEqual({
		status: 200,
		email,
	});
	return res.headers
		.getSetCookie()
		.map((c) => c.split(';')[0])
		.join('; ');
}

async function rest(base: string, cookie: string, method: string, path: string, body?: unknown) {
	const res = await request(`${base}/rest/${path}`, {
		method,
		headers: { cookie, 'content-type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	if (res.status !== 200) throw new Error(`${method} /rest/${path}: ${res.status} ${res.text}`);
	return JSON.parse(res.text).data;
}

/** The emulator's journal of create requests: [status, errorCode, issue_code sent]. */
async function creates(journal: string): Promise<Array<[number, string | undefined, string]>> {
	const res = await request(journal);
	expect(res.status).toBe(200);
	return (JSON.parse(res.text).result as any[])
		.filter((e) => e.route === 'create')
		.map((e) => [e.status, e.errorCode, JSON.parse(e.body).issue_code]);
}

describe('npm run dev (docs/CONTRIBUTING.md), end to end with real n8n', () => {
	let devDir: string;
	let n8nPort: number;
	let emulatorPort: number;
	const runs: DevRun[] = [];

	/** A developer's environment with the ports and DEV_DIR of this test (no Jest NODE_ENV). */
	function devEnv(): NodeJS.ProcessEnv {
		const env: NodeJS.ProcessEnv = {
			...process.env,
			PATH: `${join(ROOT, 'node_modules', '.bin')}${delimiter}${process.env.PATH}`,
			DEV_DIR: devDir,
			DEV_N8N_PORT: String(n8nPort),
			DEV_EMULATOR_PORT: String(emulatorPort),
		};
		delete env.NODE_ENV;
		delete env.DEV_RESET_DEMOS;
		return env;
	}

	function start(command: string, args: string[]): DevRun {
		const dev = new DevRun(command, args, devEnv());
		runs.push(dev);
		return dev;
	}

	beforeAll(async () => {
		// npm run dev runs `npm ci` when node_modules is older than the lockfile: over the very tree
		// this test runs from. Not here.
		const installed = join(ROOT, 'node_modules', '.package-lock.json');
		if (
			!existsSync(installed) ||
			statSync(installed).mtimeMs < statSync(join(ROOT, 'package-lock.json')).mtimeMs
		)
			throw new Error('node_modules is older than package-lock.json: run npm ci first');
		devDir = tempDir('sn-pe-dev');
		n8nPort = await freePort();
		do emulatorPort = await freePort();
		while (emulatorPort === n8nPort);
	});

	afterAll(async () => {
		for (const dev of runs) await dev.kill();
	});

	let first: DevRun;
	let banner: ReturnType<typeof readBanner>;

	it('starts n8n with the package, the emulator and the three demos; the commands it prints work', async () => {
		first = start('npm', ['run', 'dev']);
		const [text] = await first.waitFor(BANNER, 200_000);
		console.log(
			`npm run dev, first start:\n${first.output.match(/^(\[dev \d+\]| n8n is running).*$/gm)!.join('\n')}`,
		);
		expect(first.output).not.toMatch(/npm ci/);
		// Its state went to DEV_DIR.
		expect(first.output).toContain(
			`Installing this package into ${join(devDir, 'n8n')}/.n8n/nodes`,
		);
		expect(DEMOS_STEP.exec(first.output)?.[1]).toBe(
			'Importing 3 demo workflow(s) and 2 credential(s)',
		);
		expect(existsSync(join(devDir, 'n8n', '.n8n', 'database.sqlite'))).toBe(true);
		expect(existsSync(join(devDir, 'n8n.log'))).toBe(true);
		expect(text).toContain(`live in ${join(devDir, 'n8n')}:\n imported from examples/;`);
		// It waits (60 s) for the emulator inside n8n to answer, and says so when it did not.
		if (text.includes('did not answer'))
			throw new Error(`the emulator inside n8n did not answer:${first.tail()}`);

		banner = readBanner(text);
		expect(banner.editor).toBe(`http://127.0.0.1:${n8nPort}/workflow/snPeDemoAlert`);
		expect(banner.emulator).toBe(`http://127.0.0.1:${emulatorPort}`);

		// The demo alert, fired twice with the curl it prints.
		const created = JSON.parse(await shell(banner.fire));
		// The whole answer when it is not the created one: its errorCode and message say why.
		expect(created.outcome === 'created' ? created.outcome : created).toBe('created');
		expect(created.experience_id).toMatch(/^[0-9a-f]{32}$/);
		const again = JSON.parse(await shell(banner.fire));
		expect(again).toMatchObject({
			outcome: 'error',
			errorCode: 'BEING_RESOLVED',
			branch: 'Already Being Resolved',
		});

		// ... reached the standalone emulator it prints, whose journal it prints too.
		expect(await creates(banner.journal)).toEqual([
			[200, undefined, '100'],
			[400, 'BEING_RESOLVED', '100'],
		]);
		const root = await request(banner.emulator);
		expect(JSON.parse(root.text)).toMatchObject({ status: 'failure', error: expect.any(Object) });
		const inside = await request(`${banner.inside}/api/now/table/sys_user_role`);
		expect(inside.status).toBe(200);
		expect(JSON.parse(inside.text).result.length).toBeGreaterThan(0);
		// docs/emulator-trigger.md's curl, as written there, against the emulator inside n8n.
		const docsCurl = fencedShell(
			join(ROOT, 'docs', 'emulator-trigger.md'),
			'/webhook/servicenow-emulator/',
		);
		expect(docsCurl).toContain('http://127.0.0.1:5678/');
		const docsCreate = JSON.parse(
			await shell(docsCurl.replace('http://127.0.0.1:5678/', `${banner.base}/`)),
		);
		expect(docsCreate).toEqual({
			result: { experience_id: expect.stringMatching(/^[0-9a-f]{32}$/) },
		});

		// The editor, and the demo account it prints.
		const editor = await request(banner.editor);
		expect(editor.status).toBe(200);
		expect(editor.headers.get('content-type')).toMatch(/^text\/html/);
		expect(editor.text).toMatch(/<title>[^<]*n8n/i);
		const cookie = await login(banner.base, banner.email, banner.password);
		for (const [id, name] of Object.entries(DEMOS))
			expect(await rest(banner.base, cookie, 'GET', `workflows/${id}`)).toMatchObject({
				id,
				name,
				active: true,
			});
		const credentials = (await rest(banner.base, cookie, 'GET', 'credentials')) as any[];
		expect(credentials.map((c) => c.id).sort()).toEqual(CREDENTIALS);
		// An edit, as the editor saves it: the second start must keep it.
		const edited = await rest(banner.base, cookie, 'PATCH', 'workflows/snPeDemoAlert', {
			name: EDITED_NAME,
		});
		expect(edited.name).toBe(EDITED_NAME);

		// The chain demo: its curl, both issues created, then "Skip the waiting".
		expect(JSON.parse(await shell(banner.chain))).toEqual({ message: 'Workflow was started' });
		await until(
			'the chain demo to create issues 102 and 101',
			async () => {
				const codes = (await creates(banner.journal)).filter((c) => c[0] === 200).map((c) => c[2]);
				return codes.includes('102') && codes.includes('101') ? codes : undefined;
			},
			60_000,
			first.tail,
		);
		const before = Date.now();
		const clock = JSON.parse(await shell(banner.skip));
		expect(Date.parse(clock.result.now) - before).toBeGreaterThanOrEqual(24_000);
		const issues = JSON.parse(
			(
				await request(
					`${banner.emulator}/api/now/table/sn_pren_experience_issue?sysparm_fields=issue_code,state,end_reason`,
				)
			).text,
		).result as Array<Record<string, string>>;
		// Disk full (102) waits in action_wait for the trigger to chain 103; low memory (101) failed.
		expect(issues.find((i) => i.issue_code === '102')).toMatchObject({ state: 'action_wait' });
		expect(issues.find((i) => i.issue_code === '101')).toMatchObject({
			state: 'closed',
			end_reason: 'resolution_failed',
		});
	}, 240_000);

	it('stops n8n and the emulator on Ctrl-C (SIGINT to its process group) and exits', async () => {
		expect(first?.running).toBe(true);
		process.kill(-first.group, 'SIGINT');
		// npm, given the SIGINT too, waits for the script, then ends (npm 11: by that signal).
		const exit = await stopping(first, () => first.gone(30_000));
		expect(exit.code === 0 || exit.code === 130 || exit.signal === 'SIGINT').toBe(true);
		const [n8nPid, emulatorPid] = find(
			first.output,
			/\[dev\] Ctrl-C: stopping n8n \(pid (\d+)\) and the emulator \(pid (\d+)\)/,
		).map(Number);
		expect([alive(n8nPid), alive(emulatorPid)]).toEqual([false, false]);
		expect([await refused(n8nPort), await refused(emulatorPort)]).toEqual([true, true]);
	}, 60_000);

	it('keeps the demos as the user left them on a second start, and stops what it started on its own SIGINT', async () => {
		expect(first?.running).toBe(false);
		const second = start('node', ['scripts/dev.js']);
		await stopping(second, async () => {
			const [, demos] = await second.waitFor(DEMOS_STEP, 60_000);
			expect(demos).toBe(
				`The 3 demo workflows and their credentials are already in ${join(devDir, 'n8n')}: kept as you left them (npm run dev -- --reset-demos imports them again over your changes)`,
			);
			const [text] = await second.waitFor(BANNER, 150_000);
			console.log(
				`npm run dev, second start:\n${second.output.match(/^(\[dev \d+\]| n8n is running).*$/gm)!.join('\n')}`,
			);
			expect(text).toContain(
				'kept as you left them (snPeDemoAlert, snPeDemoEmulator, snPeDemoChain); your edits stay across restarts.',
			);
			const { base, email, password } = readBanner(text);
			const cookie = await login(base, email, password);
			expect(await rest(base, cookie, 'GET', 'workflows/snPeDemoAlert')).toMatchObject({
				name: EDITED_NAME,
				active: true,
			});

			// SIGINT to the script alone (not its group): it stops n8n and the emulator itself.
			process.kill(second.child.pid!, 'SIGINT');
			expect(await second.gone(30_000)).toEqual({ code: 0, signal: null });
			expect(second.output).toMatch(/\[dev\] Ctrl-C: stopping n8n \(pid \d+\) and the emulator/);
			expect([await refused(n8nPort), await refused(emulatorPort)]).toEqual([true, true]);
		});
	}, 240_000);

	it('imports the demos again with --reset-demos, over the edit', async () => {
		const third = start('npm', ['run', 'dev', '--', '--reset-demos']);
		await stopping(third, async () => {
			const [, demos] = await third.waitFor(DEMOS_STEP, 60_000);
			expect(demos).toBe(
				'--reset-demos: importing the 3 demo workflows and their credentials again, over your changes',
			);
			// Imported before the emulator and n8n start: stop there (Ctrl-C).
			await third.waitFor(/\[dev \d+\] Starting the standalone emulator/, 120_000);
			process.kill(-third.group, 'SIGINT');
			await third.gone(30_000);
		});
		expect([await refused(n8nPort), await refused(emulatorPort)]).toEqual([true, true]);
		const db = new DatabaseSync(join(devDir, 'n8n', '.n8n', 'database.sqlite'), {
			readOnly: true,
		});
		try {
			const rows = db.prepare('SELECT id, name FROM workflow_entity ORDER BY id').all();
			expect(Object.fromEntries(rows.map((r) => [r.id, r.name]))).toEqual(DEMOS);
		} finally {
			db.close();
		}
	}, 180_000);
});
