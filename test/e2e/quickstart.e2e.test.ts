/**
 * README.md's Quick start, followed as a user follows it, in a real n8n: its five steps read from
 * the README itself when the test runs (a change to the README that breaks a step fails here).
 * 1. the emulator package, packed and installed in a fresh folder, started with the README's `npx`
 *    command line; 2. the credential it describes, saved as the editor's dialog saves it; 3. the
 *    workflow file it links, imported with its ServiceNow node pointed at that credential, then
 *    published; 4. its `curl` command run with the real curl, from the repository's root; 5. the
 *    execution's outputs, the emulator's issues through its own `curl`, a second post, and the
 *    issue resolved after the seconds it names (the emulator's clock moved on).
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ACTIVE_STATES } from '../../contract/api';
import { ServiceNowPeApi } from '../../credentials/ServiceNowPeApi.credentials';
import { parseArgs } from '../../emulator/cli';
import { tempDir } from '../helpers/temp';
import {
	ROOT,
	executionsOf,
	freePort,
	login,
	ownerEnv,
	rt,
	startRealN8n,
	stopRealN8n,
	waitForWebhook,
	type RealN8n,
} from './helpers';

const run = promisify(execFile);

/** Where the README's commands expect n8n: its default address. */
const README_N8N = 'http://127.0.0.1:5678';

/** The README's Quick start, split into its numbered steps (the text of each). */
function quickStartSteps(): string[] {
	const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
	const section = /^## Quick start\n([\s\S]*?)(?=^## )/m.exec(readme)?.[1];
	if (!section) throw new Error('README.md has no "## Quick start" section');
	const steps = section.split(/^(?=\d+\. )/m).slice(1);
	expect(steps.map((s) => Number(/^(\d+)\./.exec(s)?.[1]))).toEqual([1, 2, 3, 4, 5]);
	return steps;
}

/** The first match of `pattern` in the step's text (its groups), or a failure naming the step. */
function find(step: string, pattern: RegExp): string[] {
	const match = pattern.exec(step);
	if (!match) throw new Error(`README's Quick start step has no ${pattern}:\n${step}`);
	return match.slice(1);
}

/** A shell command as written in the README (a fenced block is indented under its list item). */
function dedent(block: string): string {
	const lines = block.split('\n');
	const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => /^ */.exec(l)![0].length));
	return lines.map((l) => l.slice(indent)).join('\n');
}

/** Runs a README command line in a shell, as a user pastes it, from the repository's root. */
async function shell(command: string): Promise<string> {
	const { stdout } = await run('sh', ['-c', command], { cwd: ROOT, encoding: 'utf8' });
	return stdout;
}

/** Replaces `from` (which must occur) by `to` in a README command. */
function pointed(command: string, from: string, to: string): string {
	expect(command).toContain(from);
	return command.split(from).join(to);
}

describe("README's Quick start, step by step, in a real n8n", () => {
	const steps = quickStartSteps();
	let n8n: RealN8n | undefined;
	let cookie: string;
	let emulator: ChildProcess | undefined;
	let emulatorExit: Promise<unknown>;
	/** The address README's step 1 says the emulator listens on, and where it listens here. */
	let readmeEmulatorUrl: string;
	let emulatorUrl: string;
	let credential: { id: string; name: string };
	let workflowId: string;

	beforeAll(async () => {
		n8n = await startRealN8n({ extraEnv: ownerEnv() });
		cookie = await login(n8n.base);
	}, 180_000);

	afterAll(async () => {
		if (emulator?.pid && emulator.exitCode === null && emulator.signalCode === null) {
			process.kill(-emulator.pid, 'SIGTERM');
			await emulatorExit;
		}
		await stopRealN8n(n8n);
	});

	async function rest(method: string, path: string, body?: unknown) {
		const res = await fetch(`${n8n!.base}/rest/${path}`, {
			method,
			headers: { 'content-type': 'application/json', cookie },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await res.text();
		if (res.status !== 200) throw new Error(`${method} /rest/${path}: ${res.status} ${text}`);
		return JSON.parse(text).data;
	}

	it('1. starts the emulator with its npx command line, from the packed package', async () => {
		const [command] = find(steps[0], /`(npx servicenow-pe-emulator[^`]*)`/);
		const [alternative] = find(steps[0], /`npm run (emulator -- [^`]*)`/);
		[readmeEmulatorUrl] = find(steps[0], /listens on `(http:\/\/[^`]+)`/);
		const argv = command.split(/\s+/);
		// The address the README gives is where those options listen.
		const options = parseArgs(argv.slice(2));
		expect(`http://${options.host}:${options.port}`).toBe(readmeEmulatorUrl);
		// The alternative in a clone is a script of this repository taking the same options (not run
		// here: it rebuilds the whole repository first).
		const scripts = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts;
		expect(scripts.emulator).toMatch(/&& node dist\/emulator\/cli\.js$/);
		expect(alternative).toBe(`emulator -- ${argv.slice(2).join(' ')}`);

		// Not published yet: packed, then installed into a fresh folder (no dependencies: offline).
		const work = tempDir('sn-pe-quickstart');
		const tarball = join(
			work,
			execFileSync('npm', ['pack', '--silent', '--pack-destination', work], {
				cwd: join(ROOT, 'packages', 'servicenow-pe-emulator'),
				encoding: 'utf8',
			})
				.trim()
				.split('\n')
				.pop()!,
		);
		const fresh = tempDir('sn-pe-quickstart-user');
		writeFileSync(join(fresh, 'package.json'), JSON.stringify({ name: 'user', private: true }));
		const npmEnv = {
			...process.env,
			npm_config_offline: 'true',
			npm_config_update_notifier: 'false',
		};
		execFileSync(
			'npm',
			['install', '--no-audit', '--no-fund', '--no-save', '--no-package-lock', tarball],
			{ cwd: fresh, env: npmEnv, stdio: 'pipe' },
		);

		// The README's command line as written, on a free port instead of 8787: other suites and a
		// developer's own emulator may hold 8787 on this machine.
		const port = await freePort();
		emulator = spawn(argv[0], [...argv.slice(1), '--port', String(port)], {
			cwd: fresh,
			env: npmEnv,
			stdio: ['ignore', 'pipe', 'pipe'],
			detached: true,
		});
		let out = '';
		emulator.stdout!.on('data', (c) => (out += c));
		emulator.stderr!.on('data', (c) => (out += c));
		emulatorExit = new Promise((resolve) => emulator!.on('exit', resolve));
		await rt.waitFor(
			'the emulator to say it listens',
			async () => {
				if (emulator!.exitCode !== null) throw new Error(`the emulator exited: ${out}`);
				return /listening on .*\n/.test(out);
			},
			30_000,
			100,
		);
		const [url, auth] = find(out, /listening on (http:\/\/\S+) \(auth: (\w+)\)/);
		emulatorUrl = readmeEmulatorUrl.replace(/:\d+$/, `:${port}`);
		expect(url).toBe(emulatorUrl);
		expect(auth).toBe(argv[argv.indexOf('--auth') + 1]);
		expect(auth).toBe('basic');
	});

	it('2. creates the ServiceNow PE credential the README describes', async () => {
		const [typeName] = find(steps[1], /create an? \*\*([^*]+)\*\* credential/);
		const [instanceUrl, authName, user, password] = find(
			steps[1],
			/Instance URL\s+`([^`]+)`,\s+\*([^*]+)\*,\s+user\s+`([^`]+)`,\s+password\s+`([^`]+)`/,
		);
		// The names the README uses are the ones the credential dialog shows.
		const type = new ServiceNowPeApi();
		expect(typeName).toBe(type.displayName);
		expect(type.properties.map((p) => p.displayName)).toContain('Instance URL');
		const authType = type.properties
			.find((p) => p.name === 'authType')!
			.options!.find((o) => o.name === authName) as { value: string } | undefined;
		expect(authType).toBeDefined();
		// The emulator's URL from step 1.
		expect(instanceUrl).toBe(readmeEmulatorUrl);

		const saved = await rest('POST', 'credentials', {
			name: 'ServiceNow PE (Quick start)',
			type: type.name,
			data: {
				instanceUrl: emulatorUrl,
				authType: authType!.value,
				username: user,
				password,
			},
		});
		credential = { id: saved.id, name: saved.name };
		// It signs in to the emulator (the dialog's Test).
		const tested = await rest('POST', 'credentials/test', {
			credentials: {
				...credential,
				type: type.name,
				data: { instanceUrl: emulatorUrl, authType: authType!.value, username: user, password },
			},
		});
		expect(tested).toEqual({ status: 'OK', message: 'Connection successful!' });
	});

	it('3. imports the linked workflow, points its ServiceNow node at the credential, publishes it', async () => {
		const [file] = find(steps[2], /Import \[`[^`]+`\]\(([^)]+\.json)\)/);
		const workflow = JSON.parse(readFileSync(join(ROOT, file), 'utf8'));
		const serviceNow = workflow.nodes.filter((n: any) =>
			String(n.type).startsWith('n8n-nodes-servicenow-proactive-engagement.'),
		);
		expect(serviceNow).toHaveLength(1);
		serviceNow[0].credentials = { serviceNowPeApi: credential };
		const created = await rest('POST', 'workflows', {
			name: workflow.name,
			nodes: workflow.nodes,
			connections: workflow.connections,
			settings: workflow.settings,
		});
		workflowId = created.id;
		const published = await rest('POST', `workflows/${workflowId}/activate`, {
			versionId: created.versionId,
		});
		expect(published.active).toBe(true);
		const webhook = workflow.nodes.find((n: any) => n.type === 'n8n-nodes-base.webhook');
		// Registered: a GET is refused as the wrong method.
		await waitForWebhook(n8n!.base, webhook.parameters.path, (res) => res.body.includes('POST'));
	});

	/** Step 4's command, pointed at this n8n. */
	const postAlert = () => {
		const [block] = find(steps[3], /```sh\n([\s\S]*?)\n\s*```/);
		const command = dedent(block);
		expect(command).toMatch(/^curl /);
		return shell(pointed(command, README_N8N, n8n!.base));
	};

	it("4. posts Alertmanager's sample alert with the README's curl command", async () => {
		expect(JSON.parse(await postAlert())).toEqual({ message: 'Workflow was started' });
	});

	it('5. the alert came out on Created with its experience_id, the emulator holds it, a second post is Already Being Resolved, it closes as resolved after the seconds named', async () => {
		const [createdNode, field] = find(steps[4], /came out on \*\*([^*]+)\*\* with its `([^`]+)`/);
		const [issuesCommand] = find(steps[4], /`(curl [^`]*\/_emulator\/issues)`/);
		const [againNode] = find(steps[4], /Post it again at once: it\s+lands on \*([^*]+)\*/);

		const [first] = await executionsOf(n8n!.userFolder, workflowId, 1);
		expect(first.status).toBe('success');
		const created = rt.nodeOutput(first, createdNode).map((i: any) => i.json);
		expect(created).toHaveLength(1);
		expect(created[0].outcome).toBe('created');
		const experienceId = created[0][field];
		expect(experienceId).toMatch(/\S/);

		const issues = async () =>
			JSON.parse(await shell(pointed(issuesCommand, readmeEmulatorUrl, emulatorUrl))).result;
		const held = await issues();
		expect(held.map((i: any) => [i.experience_id, i.issue_code])).toEqual([
			[experienceId, created[0].request.issue_code],
		]);

		expect(JSON.parse(await postAlert())).toEqual({ message: 'Workflow was started' });
		const runs = (await executionsOf(n8n!.userFolder, workflowId, 2)).sort(
			(a: any, b: any) => Number(a.id) - Number(b.id),
		);
		expect(runs[1].status).toBe('success');
		expect(rt.nodeOutput(runs[1], createdNode)).toEqual([]);
		const again = rt.nodeOutput(runs[1], againNode).map((i: any) => i.json);
		expect(again.map((j: any) => [j.outcome, j.errorCode, j.request])).toEqual([
			['error', 'BEING_RESOLVED', created[0].request],
		]);
		// Nothing new on the emulator: still the one issue.
		expect((await issues()).map((i: any) => i.experience_id)).toEqual([experienceId]);

		// Resolved after about the README's seconds, on the emulator's clock (moved on, not waited).
		const [closesAfter] = find(steps[4], /closes it as resolved after about (\d+) s/);
		const advance = async (seconds: number) => {
			const res = await fetch(`${emulatorUrl}/_emulator/clock/advance`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ seconds }),
			});
			expect(res.status).toBe(200);
			return (await issues()).map((i: any) => [i.state, i.end_reason]);
		};
		const [[before]] = await advance(Number(closesAfter) - 5);
		expect(ACTIVE_STATES).toContain(before);
		expect(await advance(10)).toEqual([['closed', 'resolved']]);
	});
});
