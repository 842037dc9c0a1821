/**
 * The emulator command (dist/emulator/cli.js) as a real process, for the tests of the command,
 * of its state file and of what survives a kill; and what those tests send it and write for it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ABEL, send } from './http';

export const ROOT = join(__dirname, '..', '..');
export const DIST = join(ROOT, 'dist');
export const BIN = join(DIST, 'emulator', 'cli.js');
export const CREATE = '/api/sn_pren/self_remediation/experience_issue/create';
export const TABLE = '/api/now/table/sn_pren_experience_issue';

export function checkBuilt(): void {
	if (!existsSync(BIN))
		throw new Error(`${BIN} is missing: run "npm run build" first (npm test does).`);
}

/** Whether `prlimit` can cap the size of the files a process writes (a full disk, without root). */
export const canCapFileSize = spawnSync('prlimit', ['--version']).status === 0;

/** `it` for a test that caps the size of written files: skipped where `prlimit` cannot. */
export const capped = canCapFileSize ? it : it.skip;

/**
 * Runs `script` (CommonJS) in a Node process whose files are capped at `maxFileBytes`, until it
 * exits: its `process.argv` holds the built dist/ folder, then `args`.
 */
export function runCappedScript(
	script: string,
	maxFileBytes: number,
	args: string[],
	nodeOptions: string[] = [],
) {
	return spawnSync(
		'prlimit',
		[`--fsize=${maxFileBytes}`, process.execPath, ...nodeOptions, '-e', script, DIST, ...args],
		{ encoding: 'utf8', timeout: 60_000 },
	);
}

export interface Emu {
	child: ChildProcess;
	url: string;
	output: () => string;
	exit: Promise<number | null>;
	kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts the emulator command (files it writes capped at `maxFileBytes`) and waits for its URL. */
export function start(args: string[], maxFileBytes?: number): Promise<Emu> {
	const command = [BIN, '--port', '0', ...args];
	const child = maxFileBytes
		? spawn('prlimit', [`--fsize=${maxFileBytes}`, process.execPath, ...command], {
				stdio: ['ignore', 'pipe', 'pipe'],
			})
		: spawn(process.execPath, command, { stdio: ['ignore', 'pipe', 'pipe'] });
	let out = '';
	const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
	const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
		if (child.exitCode === null && child.signalCode === null) child.kill(signal);
		await exit;
	};
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`no URL printed: ${out}`)), 60_000);
		const onData = (chunk: Buffer) => {
			out += chunk.toString();
			const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
			if (m) {
				clearTimeout(timer);
				resolve({ child, url: m[1], output: () => out, exit, kill });
			}
		};
		child.stdout.on('data', onData);
		child.stderr.on('data', onData);
		exit.then((code) => {
			clearTimeout(timer);
			reject(Object.assign(new Error(`exited with ${code}: ${out}`), { code, output: out }));
		});
	});
}

/** Starts the emulator command, hands it to `use`, and kills it (SIGKILL) when `use` is done or fails. */
export async function withStarted<T>(
	args: string[],
	use: (emu: Emu) => Promise<T>,
	maxFileBytes?: number,
): Promise<T> {
	const emu = await start(args, maxFileBytes);
	try {
		return await use(emu);
	} finally {
		await emu.kill();
	}
}

/** Runs the emulator command until it exits (it should not start, or only prints). */
export function run(
	args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
	const child = spawn(process.execPath, [BIN, '--port', '0', ...args], {
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let stdout = '';
	let stderr = '';
	child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
	child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
	const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
	return new Promise((resolve) =>
		child.on('exit', (code) => {
			clearTimeout(timer);
			resolve({ code, stdout, stderr });
		}),
	);
}

export async function issueCount(url: string): Promise<number> {
	return (await send(`${url}/_emulator/health`)).json().issues;
}

/** An issue record as version 0.1 wrote it. */
export function v1Issue(i: number, fields: Record<string, unknown> = {}): Record<string, unknown> {
	const id = i.toString(16).padStart(32, '0');
	return {
		sys_id: id,
		number: `PREN${String(i + 1).padStart(7, '0')}`,
		experience_id: `OLD-${i}`,
		issue_code: '100',
		provider: 'sn',
		state: 'closed',
		user: ABEL.sys_id,
		configuration_item: '',
		endpoint: { user_id: ABEL.sys_id },
		input_parameters: { process_id: String(i) },
		investigative_details: {},
		issue_code_history: ['100'],
		sys_created_on: '2026-11-01 10:00:00',
		sys_updated_on: '2026-11-01 10:00:00',
		...fields,
	};
}

/** Writes a version 1 JSON state file of `count` issues (and one raw token, as version 1 kept them). */
export function writeV1(path: string, count: number): void {
	const issues = Array.from({ length: count }, (_, i) => v1Issue(i));
	const token = [
		'raw-v1-token',
		{ user_name: 'admin', client_id: 'pe-emulator-client', expiresAt: Date.now() + 3_600_000 },
	];
	writeFileSync(
		path,
		JSON.stringify({
			version: 1,
			issues: { issues, counter: count },
			tokens: { access: [token], refresh: [] },
		}),
	);
}
