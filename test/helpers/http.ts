/** A plain node:http client: real bytes in, real bytes out, nothing normalised on the way. */
import { request as httpRequest, Agent } from 'node:http';
import {
	startEmulator,
	type RunningEmulator,
	type StartEmulatorOptions,
} from '../../emulator/server';
import { defaultSeed } from '../../emulator/core';
import type { IssueState } from '../../contract/api';

export interface RawResponse {
	status: number;
	headers: Record<string, string | string[] | undefined>;
	text: string;
	json<T = any>(): T;
}

export interface RawRequest {
	method?: string;
	headers?: Record<string, string>;
	body?: string;
	agent?: Agent;
	timeoutMs?: number;
}

export function send(url: string, options: RawRequest = {}): Promise<RawResponse> {
	// Keep the path exactly as written (e.g. a doubled slash): URL parsing would keep it too,
	// but splitting by hand makes that explicit.
	const match = /^http:\/\/([^/:]+):(\d+)(\/.*)?$/.exec(url);
	if (!match) throw new Error(`Not a local http URL: ${url}`);
	const [, host, port, path = '/'] = match;
	if (host !== '127.0.0.1' && host !== 'localhost')
		throw new Error(`Tests only talk to 127.0.0.1, not ${host}`);
	return new Promise((resolve, reject) => {
		const req = httpRequest(
			{
				host,
				port: Number(port),
				path,
				method: options.method ?? 'GET',
				headers: {
					...(options.body !== undefined
						? { 'content-length': String(Buffer.byteLength(options.body)) }
						: {}),
					...options.headers,
				},
				agent: options.agent,
				timeout: options.timeoutMs ?? 10_000,
			},
			(res) => {
				const chunks: Buffer[] = [];
				res.on('data', (c: Buffer) => chunks.push(c));
				res.on('end', () => {
					const text = Buffer.concat(chunks).toString('utf8');
					resolve({
						status: res.statusCode ?? 0,
						headers: res.headers,
						text,
						json: () => JSON.parse(text),
					});
				});
				res.on('error', reject);
			},
		);
		req.on('timeout', () => req.destroy(new Error('timeout')));
		req.on('error', reject);
		if (options.body !== undefined) req.write(options.body);
		req.end();
	});
}

export const CREATE_PATH = '/api/sn_pren/self_remediation/experience_issue/create';

/** A Basic authorization header. */
export const basicAuth = (user: string, password: string) => ({
	authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});
/** The emulator's integration user, and its admin. */
export const INTEGRATION_AUTH = basicAuth('pe.integration', 'integration');
export const ADMIN_AUTH = basicAuth('admin', 'admin');

export function postJson(base: string, body: unknown, headers: Record<string, string> = {}) {
	return send(base + CREATE_PATH, {
		method: 'POST',
		headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
		body: typeof body === 'string' ? body : JSON.stringify(body),
	});
}

export function postXml(base: string, xml: string, headers: Record<string, string> = {}) {
	return send(base + CREATE_PATH, {
		method: 'POST',
		headers: { 'content-type': 'application/xml', accept: 'application/xml', ...headers },
		body: xml,
	});
}

/** The request body of the API document's cURL example, byte for byte (straight quotes). */
export const DOCUMENT_EXAMPLE_BODY = `{
  "endpoint": {
    "CI": "d049b28e936aa1106f98f6db5cba10d5",
    "user_id": "62826bf03710200044e0bfc8bcbe5df1",
    "user_name": "abel.tuter",
    "email": ""
  },
  "issue_code": "100",
  "provider": "sn",
  "experience_id": "09ed4830f393739df33",
  "input_parameters": {
    "process_id": "10644"
  },
  "investigative_details": {
    "cpu usage": "78%",
    "processes running": "35",
    "available memory": "23%"
  }
}`;

export const ABEL = {
	sys_id: '62826bf03710200044e0bfc8bcbe5df1',
	user_name: 'abel.tuter',
	email: 'abel.tuter@example.com',
	ci: 'd049b28e936aa1106f98f6db5cba10d5',
};
export const BETH = { sys_id: 'a8f98bb0eb32010045e1a5115206fe3b', user_name: 'beth.anglin' };
export const DAVID = { sys_id: '46d44a23a9fe19810012d100cca80667', user_name: 'david.miller' };

/** Turns a flat-ish object into the XML body a client would send. */
export function toXml(root: string, value: unknown): string {
	const inner = (v: unknown): string => {
		if (v === null || v === undefined) return '';
		if (typeof v === 'object') {
			return Object.entries(v as Record<string, unknown>)
				.map(([k, x]) => `<${k}>${inner(x)}</${k}>`)
				.join('');
		}
		return String(v).replace(/&/g, '&amp;').replace(/</g, '&lt;');
	};
	return `<?xml version="1.0" encoding="UTF-8"?><${root}>${inner(value)}</${root}>`;
}

export function xmlText(xml: string, tag: string): string | undefined {
	return new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml)?.[1];
}

/**
 * One emulator for a test file on 127.0.0.1, reset before each test: the object returned is filled
 * when the suite starts (beforeAll) and closed when it ends.
 */
export function emulatorForSuite(options: StartEmulatorOptions = {}): RunningEmulator {
	const running = {} as RunningEmulator;
	beforeAll(async () => {
		Object.assign(running, await startEmulator({ port: 0, ...options }));
	});
	afterAll(() => running.close());
	beforeEach(() => running.reset());
	return running;
}

/** An issue of this user and code (and experience_id, if given), made on the instance as a client would, by its integration user unless `auth` says otherwise. */
export const makeIssue = (
	url: string,
	user: string,
	code: string,
	experienceId?: string,
	auth = INTEGRATION_AUTH,
) =>
	postJson(
		url,
		{ endpoint: { user_id: user }, issue_code: code, provider: 'sn', experience_id: experienceId },
		auth,
	);

/** Issues stay as they start: a seed whose issue codes play no engagement scenario. */
export function stillSeed() {
	const seed = defaultSeed();
	for (const code of seed.issue_codes) delete code.scenario;
	return seed;
}

/** The bodies of the creates the emulator received since its last reset, parsed. */
export const createBodies = (e: RunningEmulator) =>
	e
		.journal()
		.filter((entry) => entry.route === 'create')
		.map((entry) => JSON.parse(entry.body));

/** The sysparm_query of every Table API read the emulator received since its last reset (of `table` only, if given), as it decodes it. */
export const tableQueries = (e: RunningEmulator, table?: string): string[] =>
	e
		.journal()
		.filter((entry) => entry.route === 'table' && (!table || entry.path.includes(table)))
		.map((entry) => new URL(entry.path, e.url).searchParams.get('sysparm_query') ?? '');

/** The status the emulator answered each request of this route with since its last reset (0: the connection dropped). */
export const statusesOf = (e: RunningEmulator, route: string) =>
	e
		.journal()
		.filter((entry) => entry.route === route)
		.map((entry) => entry.status);

/** Runs `use` with an emulator of its own on 127.0.0.1 (options as startEmulator's), closed after. */
export async function withEmulator<T>(
	options: StartEmulatorOptions,
	use: (e: RunningEmulator) => Promise<T>,
): Promise<T> {
	const e = await startEmulator({ port: 0, ...options });
	try {
		return await use(e);
	} finally {
		await e.close();
	}
}

/**
 * Emulators a test file starts as it needs them (basic auth, new issues in `initialState`, issues
 * staying as they start: stillSeed), closed when the file ends.
 */
export function stillEmulators() {
	const started: RunningEmulator[] = [];
	afterAll(() => Promise.all(started.map((e) => e.close())));
	return async (initialState: IssueState, now?: () => number): Promise<RunningEmulator> => {
		const e = await startEmulator({
			port: 0,
			auth: 'basic',
			initialState,
			seed: stillSeed(),
			...(now ? { now } : {}),
		});
		started.push(e);
		return e;
	};
}
