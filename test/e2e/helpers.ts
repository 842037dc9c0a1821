/** Real n8n for end-to-end tests: a user folder of its own, our package installed as users do. */
import type { ChildProcess } from 'node:child_process';
import { writeFileSync, readFileSync, rmSync } from 'node:fs';
import {
	createServer as createHttpServer,
	type IncomingMessage,
	type ServerResponse,
} from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { RunningEmulator } from '../../emulator/server';
import { tempDir } from '../helpers/temp';

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const rt = require('../../scripts/n8n-runtime.js');

export const ROOT = join(__dirname, '..', '..');

export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address() as { port: number };
			server.close(() => resolve(port));
		});
	});
}

export interface N8nInstance {
	userFolder: string;
	base: string;
	port: number;
	processes: ChildProcess[];
	logFile: string;
}

/** A real n8n that startRealN8n started: its process, base URL and user folder. */
export interface RealN8n {
	process: ChildProcess;
	base: string;
	userFolder: string;
}

export function newUserFolder(): string {
	const folder = tempDir('sn-pe-e2e');
	rt.installPackage(folder);
	return folder;
}

/**
 * A real n8n (installed first if it is not) with our package installed, on a free port of
 * 127.0.0.1, ready to answer. `prepare` runs before it starts (import credentials and workflows
 * there); it is given n8n's base URL.
 */
export async function startRealN8n(
	options: {
		prepare?: (userFolder: string, base: string) => void;
		extraEnv?: Record<string, string>;
	} = {},
): Promise<RealN8n> {
	await rt.ensureN8n();
	const port = await freePort();
	const base = `http://127.0.0.1:${port}`;
	const userFolder = newUserFolder();
	options.prepare?.(userFolder, base);
	const n8n: ChildProcess = rt.startN8n(userFolder, {
		port,
		logFile: join(userFolder, 'n8n.log'),
		extraEnv: options.extraEnv,
	});
	try {
		await rt.waitReady(base, 120_000);
	} catch (error) {
		await rt.stop(n8n);
		throw error;
	}
	return { process: n8n, base, userFolder };
}

/** Stops a real n8n (if it started) and removes its user folder. */
export async function stopRealN8n(n8n: RealN8n | undefined): Promise<void> {
	await rt.stop(n8n?.process);
	if (n8n) rmSync(n8n.userFolder, { recursive: true, force: true });
}

/** The Basic sign-in of the emulator's integration user, as a ServiceNow PE credential holds it. */
export const EMULATOR_BASIC = {
	authType: 'basic',
	username: 'pe.integration',
	password: 'integration',
	ignoreSslIssues: false,
};

/** A ServiceNow PE credential for importAll: the emulator's integration user at `instanceUrl`. */
export function emulatorCredential(id: string, name: string, instanceUrl: string) {
	return { id, name, type: 'serviceNowPeApi', data: { instanceUrl, ...EMULATOR_BASIC } };
}

/**
 * Waits until n8n has registered the webhook at `path` (published workflows' webhooks come after
 * n8n reports ready): until a GET of it answers as `registered` wants.
 */
export async function waitForWebhook(
	base: string,
	path: string,
	registered: (res: { status: number; body: string }) => boolean,
): Promise<void> {
	await rt.waitFor(
		`webhook ${path}`,
		async () => registered(await rt.get(`${base}/webhook/${path}`)),
		60_000,
	);
}

export function importAll(
	userFolder: string,
	credentials: unknown[],
	workflows: Array<{ id: string; json: Record<string, unknown> }>,
): void {
	const dir = tempDir('sn-pe-import');
	writeFileSync(join(dir, 'credentials.json'), JSON.stringify(credentials));
	rt.n8nCli(userFolder, ['import:credentials', `--input=${join(dir, 'credentials.json')}`]);
	for (const wf of workflows) {
		writeFileSync(
			join(dir, `${wf.id}.json`),
			JSON.stringify({ ...wf.json, id: wf.id, active: false }),
		);
		rt.n8nCli(userFolder, ['import:workflow', `--input=${join(dir, `${wf.id}.json`)}`]);
		// n8n 1.x activates with update:workflow; 2.x publishes.
		rt.n8nCli(
			userFolder,
			rt.isV1()
				? ['update:workflow', `--id=${wf.id}`, '--active=true']
				: ['publish:workflow', `--id=${wf.id}`],
		);
	}
	rmSync(dir, { recursive: true, force: true });
}

export function example(file: string): Record<string, unknown> {
	return JSON.parse(readFileSync(join(ROOT, 'examples', file), 'utf8'));
}

export async function post(url: string, body: string, headers: Record<string, string> = {}) {
	const res = await fetch(url, {
		method: 'POST',
		headers: { 'content-type': 'application/json', ...headers },
		body,
	});
	return { status: res.status, text: await res.text() };
}

/** Waits until n8n has stored `count` finished executions of a workflow; returns them. */
export async function executionsOf(userFolder: string, workflowId: string, count: number) {
	let found: any[] = [];
	await rt.waitFor(
		`${count} executions of ${workflowId}`,
		async () => {
			found = rt
				.readExecutions(userFolder)
				.filter(
					(e: any) => e.workflowId === workflowId && e.status !== 'running' && e.status !== 'new',
				);
			return found.length >= count;
		},
		30_000,
	);
	return found;
}

export const OWNER = { email: 'e2e@example.com', password: 'E2e-owner-1' };

/** Environment that makes n8n create the owner account (so the REST API can be used). */
export function ownerEnv(): Record<string, string> {
	return {
		N8N_INSTANCE_OWNER_MANAGED_BY_ENV: 'true',
		N8N_INSTANCE_OWNER_EMAIL: OWNER.email,
		N8N_INSTANCE_OWNER_FIRST_NAME: 'E2e',
		N8N_INSTANCE_OWNER_LAST_NAME: 'Owner',
		N8N_INSTANCE_OWNER_PASSWORD_HASH: rt.bcryptHash(OWNER.password),
	};
}

/** Logs in as the owner; returns the session cookie. */
export async function login(base: string): Promise<string> {
	if (rt.isV1()) {
		// n8n 1.x has no owner from the environment: the first login sets it up, as the editor does.
		const setup = await fetch(`${base}/rest/owner/setup`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({
				email: OWNER.email,
				firstName: 'E2e',
				lastName: 'Owner',
				password: OWNER.password,
			}),
		});
		if (setup.status === 200)
			return setup.headers
				.getSetCookie()
				.map((c) => c.split(';')[0])
				.join('; ');
	}
	const res = await fetch(`${base}/rest/login`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ emailOrLdapLoginId: OWNER.email, password: OWNER.password }),
	});
	if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
	return res.headers
		.getSetCookie()
		.map((c) => c.split(';')[0])
		.join('; ');
}

/** Items a node output in one execution. */
function itemsOf(execution: any, node: string): Array<Record<string, any>> {
	return rt.nodeOutput(execution, node).map((item: any) => item.json);
}

/** Every item of `node` across the workflow's finished executions. */
function allItems(
	userFolder: string,
	workflowId: string,
	node: string,
): Array<Record<string, any>> {
	return rt
		.readExecutions(userFolder)
		.filter((e: any) => e.workflowId === workflowId && e.status !== 'running' && e.status !== 'new')
		.flatMap((e: any) => itemsOf(e, node));
}

/** Waits until `node` of the workflow has output an item that `match` accepts; returns it. */
async function waitForItem(
	userFolder: string,
	workflowId: string,
	node: string,
	match: (json: Record<string, any>) => boolean,
	timeoutMs: number,
) {
	let found: Record<string, any> | undefined;
	await rt.waitFor(
		`${node} in ${workflowId}`,
		async () => (found = allItems(userFolder, workflowId, node).find(match)) !== undefined,
		timeoutMs,
		1000,
	);
	return found as Record<string, any>;
}

/**
 * Runs the "Chain issue codes automatically" example against the emulator `sn` (reset first): the
 * sample alert (disk full on ABEL-LAPTOP → 102, low memory on BETH-DESKTOP → 101) on its webhook;
 * the emulator's clock moved on through its control API so 102 waits in action_wait and 101's
 * resolution fails; the trigger's minute polls chain 103 onto the first and report the second's
 * fallback incident; then 103 resolves. Checks each change is handled once; returns the timings (s).
 */
export async function runChainExample(options: {
	base: string;
	sn: RunningEmulator;
	userFolder: string;
	workflowId: string;
}) {
	const { base, sn, userFolder, workflowId } = options;
	sn.reset();
	const t0 = Date.now();
	const seconds = () => Math.round((Date.now() - t0) / 100) / 10;
	const advance = async (by: number) => {
		const res = await post(`${sn.url}/_emulator/clock/advance`, JSON.stringify({ seconds: by }));
		if (res.status !== 200) throw new Error(`clock/advance: ${res.status} ${res.text}`);
	};
	const alert = readFileSync(join(ROOT, 'examples', 'alertmanager-chain-alerts.json'), 'utf8');
	const accepted = await post(`${base}/webhook/chain-alerts`, alert);
	if (accepted.status !== 200)
		throw new Error(`chain-alerts webhook: ${accepted.status} ${accepted.text}`);
	const created = async () => {
		const items = allItems(userFolder, workflowId, 'Issue Created');
		return items.length >= 2 ? items : undefined;
	};
	await rt.waitFor('both issues created', async () => (await created()) !== undefined, 60_000);
	const timings: Record<string, number> = { created: seconds() };
	const issues = sn.issues();
	const disk = issues.find((i) => i.issue_code === '102');
	const memory = issues.find((i) => i.issue_code === '101');
	if (!disk || !memory)
		throw new Error(
			`expected issues 102 and 101, got ${JSON.stringify(issues.map((i) => i.issue_code))}`,
		);

	// 102 engages the user after 5 s and waits for the next code 20 s later (25 s); 101 fails silently at 25 s too.
	await advance(25);
	timings.clockAdvanced = seconds();
	/** The item `node` output for the issue `experienceId`, once it has. */
	const itemFor = (node: string, experienceId: string) =>
		waitForItem(userFolder, workflowId, node, (j) => j.experience_id === experienceId, 150_000);
	const chained = await itemFor('Chained', disk.experience_id);
	timings.chained = seconds();
	const incident = await itemFor('Notify: Incident Created', memory.experience_id);
	timings.incidentReported = seconds();

	// 103 runs silently and resolves 20 s after it was chained (engaged after 5 s, resolved 15 s later).
	await advance(20);
	timings.clockAdvancedAgain = seconds();
	const resolved = await itemFor('Notify: Resolved', disk.experience_id);
	timings.resolvedReported = seconds();
	// One more poll's worth of time: nothing may be reported twice.
	await new Promise((r) => setTimeout(r, 65_000));
	const count = (node: string, id: string) =>
		allItems(userFolder, workflowId, node).filter((j) => j.experience_id === id).length;
	return {
		timings,
		disk,
		memory,
		chained,
		incident,
		resolved,
		counts: {
			chained: count('Chained', disk.experience_id),
			resolved: count('Notify: Resolved', disk.experience_id),
			incident: count('Notify: Incident Created', memory.experience_id),
			notChained: allItems(userFolder, workflowId, 'Not Chained').length,
		},
		finalIssues: sn.issues(),
		incidents: sn.emulator.listIncidents(),
	};
}

/** A tool result as an AI agent sent it back to the model (`role: "tool"` message). */
export interface ToolResult {
	/** The user message of the conversation (the agent's prompt). */
	prompt: string;
	/** The tool the model called and with which arguments. */
	tool: string;
	args: Record<string, unknown>;
	toolCallId: string;
	/** The message's content, as the model receives it. */
	content: string;
}

/** A tool call the model is to make for a prompt: which tool, with which arguments. */
export interface PlannedCall {
	tool: string;
	args: Record<string, unknown>;
}

export interface FakeModel {
	url: string;
	/** Every `role: "tool"` message received, in order (once per tool call). */
	toolResults: ToolResult[];
	/** The names of the tools offered in each request. */
	offeredTools: string[][];
	close(): Promise<void>;
}

function textOf(content: unknown): string {
	if (typeof content === 'string') return content;
	if (Array.isArray(content))
		return content
			.map((part: any) => (typeof part === 'string' ? part : (part?.text ?? '')))
			.join('');
	return '';
}

/**
 * An OpenAI-compatible chat model on 127.0.0.1 (POST /v1/chat/completions, GET /v1/models), as
 * n8n's OpenAI Chat Model reaches one through the credential's Base URL. The user message is JSON
 * naming the tool call to make (`PlannedCall`): the model answers it with that tool call, records
 * the tool result the agent sends back, then answers with text. Streams when asked to.
 */
export async function startFakeModel(): Promise<FakeModel> {
	const toolResults: ToolResult[] = [];
	const offeredTools: string[][] = [];
	let calls = 0;
	const answer = (
		res: ServerResponse,
		stream: boolean,
		message: { content: string | null; tool_calls?: unknown[] },
	) => {
		const id = `chatcmpl-${++calls}`;
		const created = Math.floor(Date.now() / 1000);
		const finish = message.tool_calls ? 'tool_calls' : 'stop';
		const usage = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 };
		if (!stream) {
			res.writeHead(200, { 'content-type': 'application/json' });
			res.end(
				JSON.stringify({
					id,
					object: 'chat.completion',
					created,
					model: 'fake-model',
					choices: [
						{ index: 0, message: { role: 'assistant', ...message }, finish_reason: finish },
					],
					usage,
				}),
			);
			return;
		}
		res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
		const chunk = (delta: unknown, finishReason: string | null, extra: object = {}) =>
			res.write(
				`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: 'fake-model', choices: [{ index: 0, delta, finish_reason: finishReason }], ...extra })}\n\n`,
			);
		const toolCalls = (message.tool_calls ?? []).map((c: any, index) => ({ index, ...c }));
		chunk(
			{
				role: 'assistant',
				content: message.content ?? '',
				...(toolCalls.length ? { tool_calls: toolCalls } : {}),
			},
			null,
		);
		chunk({}, finish, { usage });
		res.end('data: [DONE]\n\n');
	};
	const serve = async (req: IncomingMessage, res: ServerResponse) => {
		const chunks: Buffer[] = [];
		for await (const c of req) chunks.push(c as Buffer);
		const path = (req.url ?? '/').split('?')[0].replace(/\/+$/, '');
		if (req.method === 'GET' && path === '/v1/models') {
			res.writeHead(200, { 'content-type': 'application/json' });
			res.end(
				JSON.stringify({
					object: 'list',
					data: [{ id: 'fake-model', object: 'model', created: 0, owned_by: 'e2e' }],
				}),
			);
			return;
		}
		if (req.method !== 'POST' || path !== '/v1/chat/completions') {
			res.writeHead(404, { 'content-type': 'application/json' });
			res.end(
				JSON.stringify({
					error: { message: `No route ${req.method} ${path}`, type: 'invalid_request_error' },
				}),
			);
			return;
		}
		const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
		const messages: any[] = body.messages ?? [];
		offeredTools.push((body.tools ?? []).map((t: any) => t.function?.name));
		const prompt = textOf([...messages].reverse().find((m) => m.role === 'user')?.content);
		const toolMessages = messages.filter((m) => m.role === 'tool');
		if (toolMessages.length > 0) {
			const asked = new Map<string, any>();
			for (const m of messages) for (const c of m.tool_calls ?? []) asked.set(c.id, c);
			for (const m of toolMessages) {
				if (toolResults.some((r) => r.toolCallId === m.tool_call_id)) continue;
				const call = asked.get(m.tool_call_id);
				toolResults.push({
					prompt,
					tool: call?.function?.name ?? '',
					args: JSON.parse(call?.function?.arguments ?? '{}'),
					toolCallId: m.tool_call_id,
					content: textOf(m.content),
				});
			}
			answer(res, body.stream === true, { content: 'Done.' });
			return;
		}
		const planned = JSON.parse(prompt) as PlannedCall;
		answer(res, body.stream === true, {
			content: null,
			tool_calls: [
				{
					id: `call_${calls + 1}`,
					type: 'function',
					function: { name: planned.tool, arguments: JSON.stringify(planned.args) },
				},
			],
		});
	};
	const server = createHttpServer((req, res) => {
		serve(req, res).catch((e: Error) => {
			if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
			res.end(JSON.stringify({ error: { message: e.message, type: 'server_error' } }));
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as { port: number };
	return {
		url: `http://127.0.0.1:${port}`,
		toolResults,
		offeredTools,
		close: () =>
			new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			}),
	};
}
