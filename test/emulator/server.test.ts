/**
 * The emulator server and its programmatic API (the emulator package's main module): a free port,
 * journal, reset and close; the requests of one turn handled together, each answered as its own;
 * answers from the headers alone (credentials, declared size) and a body cut at the limit; bounded
 * connections and time; requests pipelined behind an answer that ends the connection.
 */
import { existsSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { DOCUMENTED_ERRORS, PLATFORM_ERRORS } from '../../contract/errors';
import { startEmulator, type RunningEmulator } from '../../emulator/server';
import { ROOT, checkBuilt } from '../helpers/emulatorCommand';
import { CREATE_PATH, emulatorForSuite, postJson, send } from '../helpers/http';
import { issueBody } from '../helpers/issues';
import { exchange } from '../helpers/socket';

beforeAll(checkBuilt);

const body = issueBody({ experience_id: 'P-1' });
const valid = issueBody();

const BASIC = `Basic ${Buffer.from('admin:admin').toString('base64')}`;

/** A create as raw HTTP/1.1, with or without admin's Basic credentials. */
function create(user: string, { auth = true, code = '100' } = {}): string {
	const json = JSON.stringify({ endpoint: { user_name: user }, issue_code: code, provider: 'sn' });
	return (
		`POST ${CREATE_PATH} HTTP/1.1\r\nHost: x\r\n${auth ? `Authorization: ${BASIC}\r\n` : ''}` +
		`Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}`
	);
}

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
		expect(
			JSON.parse(readFileSync(join(EMULATOR_PACKAGE, 'package.json'), 'utf8')).dependencies,
		).toBeUndefined();
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
		await expect(
			send(sn.url + '/_emulator/health', { agent: new Agent({ keepAlive: false }) }),
		).rejects.toThrow(/ECONNREFUSED/);
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
				ids.map((id) =>
					send(sn.url + '/api/sn_pren/self_remediation/experience_issue/create', {
						method: 'POST',
						headers: { 'content-type': 'application/json' },
						body: JSON.stringify({
							...body,
							experience_id: id,
							issue_code: id === 'X-3' ? '100' : '101',
						}),
						agent,
					}),
				),
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
			expect(
				sn
					.issues()
					.map((i: { experience_id: string }) => i.experience_id)
					.sort(),
			).toEqual(['X-3', firstOf101].sort());
			// Each journal entry holds its own request and the answer that request got, in handling order.
			const journal = sn.journal();
			expect(journal.map((e: { body: string }) => JSON.parse(e.body).experience_id)).toEqual(
				seen.filter((c) => c.id !== 'X-7').map((c) => c.id),
			);
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
			await expect(send(sn.url + '/_emulator/health', fresh())).rejects.toThrow(
				/socket hang up|ECONNRESET/,
			);
			expect((await send(sn.url + '/_emulator/health', fresh())).status).toBe(200);
		} finally {
			await sn.close();
		}
	});
});

describe('answers from the headers alone, before the body is read', () => {
	const sn = emulatorForSuite();

	it('answers 401 from the headers alone, without waiting for or reading the body', async () => {
		const locked = await startEmulator({ port: 0, auth: 'basic' });
		try {
			// Headers promise 1 MiB that never comes: the answer must not wait for it.
			const { text } = await exchange(
				locked.url,
				`POST ${CREATE_PATH} HTTP/1.1\r\nhost: x\r\ncontent-type: application/xml\r\ncontent-length: 1000000\r\n\r\n<r>`,
			);
			expect(text).toMatch(/^HTTP\/1\.1 401 /);
			expect(text).toContain('User Not Authenticated');
			expect(text.toLowerCase()).toContain('connection: close');
			expect(locked.journal().at(-1)).toMatchObject({
				status: 401,
				errorCode: 'UNAUTHENTICATED',
				body: '',
			});
		} finally {
			await locked.close();
		}
	});

	it('answers 413 from a declared Content-Length over the limit before reading the body', async () => {
		const { text } = await exchange(
			sn.url,
			`POST ${CREATE_PATH} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${2 * 1024 * 1024}\r\n\r\n{`,
		);
		expect(text).toMatch(/^HTTP\/1\.1 413 /);
	});
});

describe('a body over the limit', () => {
	it('answers 413 to a body over the limit as soon as it is exceeded, without reading the rest', async () => {
		const small = await startEmulator({ port: 0, maxBodyBytes: 16 * 1024 });
		try {
			const status = await new Promise<number>((resolve, reject) => {
				const url = new URL(small.url + CREATE_PATH);
				const req = request(
					{
						host: url.hostname,
						port: url.port,
						path: url.pathname,
						method: 'POST',
						headers: { 'content-type': 'application/json' },
					},
					(res) => {
						resolve(res.statusCode ?? 0);
						res.resume();
					},
				);
				req.on('error', (e) => (/EPIPE|ECONNRESET/.test(String(e)) ? undefined : reject(e)));
				// Keep streaming: 64 MiB would take a while if the server read it all.
				const chunk = Buffer.alloc(64 * 1024, 'a');
				let sent = 0;
				const pump = () => {
					while (sent < 1024 && req.write(chunk)) sent++;
					if (sent < 1024) req.once('drain', pump);
					else req.end();
				};
				pump();
			});
			expect(status).toBe(413);
			expect(small.journal().at(-1)?.errorCode).toBe(PLATFORM_ERRORS.PAYLOAD_TOO_LARGE.code);
			expect((await postJson(small.url, valid)).status).toBe(200);
		} finally {
			await small.close();
		}
	});
});

describe('connections and time', () => {
	it('answers a connection past the cap with 429 and Retry-After, and serves the others', async () => {
		const capped = await startEmulator({ port: 0, maxConnections: 3 });
		const { hostname, port } = new URL(capped.url);
		const open: Socket[] = [];
		try {
			for (let i = 0; i < 3; i++) {
				open.push(connect(Number(port), hostname));
				await new Promise((resolve) => open[i].once('connect', resolve));
			}
			const { text } = await exchange(capped.url, '');
			expect(text).toMatch(/^HTTP\/1\.1 429 Too Many Requests/);
			expect(text.toLowerCase()).toContain('retry-after: 1');
			expect(text).toContain('at most 3 connections');
			for (const s of open) s.destroy();
			await new Promise((resolve) => setTimeout(resolve, 50));
			expect((await postJson(capped.url, valid)).status).toBe(200);
		} finally {
			for (const s of open) s.destroy();
			await capped.close();
		}
	});

	it('closes slow senders with 408 and idle keep-alive connections', async () => {
		const quick = await startEmulator({
			port: 0,
			headersTimeoutMs: 300,
			requestTimeoutMs: 600,
			keepAliveTimeoutMs: 300,
		});
		try {
			const slowHeaders = await exchange(quick.url, `POST ${CREATE_PATH} HTTP/1.1\r\nhost: x\r\n`);
			expect(slowHeaders.text).toMatch(/^HTTP\/1\.1 408 /);
			const slowBody = await exchange(
				quick.url,
				`POST ${CREATE_PATH} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"a":`,
			);
			expect(slowBody.text).toMatch(/^HTTP\/1\.1 408 /);
			const started = Date.now();
			const idle = await exchange(quick.url, `GET /_emulator/health HTTP/1.1\r\nhost: x\r\n\r\n`);
			expect(idle.text).toMatch(/^HTTP\/1\.1 200 /);
			expect(Date.now() - started).toBeLessThan(4_000);
		} finally {
			await quick.close();
		}
	});
});

describe('requests pipelined behind an answer that ends the connection', () => {
	let sn: RunningEmulator;
	beforeAll(async () => {
		// Issues start closed, so every create makes one.
		sn = await startEmulator({ port: 0, auth: 'basic', initialState: 'closed' });
	});
	afterAll(() => sn.close());
	beforeEach(() => sn.reset());

	/** Sends all requests in one write on one connection; the statuses that came back, and whether the server closed it. */
	const pipelined = async (requests: string[]) => {
		const { text, closed } = await exchange(sn.url, requests.join(''));
		return {
			statuses: [...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1])),
			closed,
		};
	};

	it('are not applied after an early 401', async () => {
		const answer = await pipelined([
			create('abel.tuter'),
			create('beth.anglin', { auth: false }),
			create('david.miller'),
		]);
		expect(answer).toEqual({ statuses: [200, 401], closed: true });
		expect(sn.issues().map((i) => i.endpoint.user_name)).toEqual(['abel.tuter']);
		// The 401 is answered from the headers, before the first create's body is read.
		expect(
			sn
				.journal()
				.map((e) => e.status)
				.sort(),
		).toEqual([200, 401]);
	});

	it('are not applied after a dropped connection', async () => {
		sn.injectFault({ match: { issue_code: '101' }, drop: 'before' });
		const answer = await pipelined([
			create('abel.tuter'),
			create('beth.anglin', { code: '101' }),
			create('david.miller'),
		]);
		expect(answer).toEqual({ statuses: [200], closed: true });
		expect(sn.issues().map((i) => i.endpoint.user_name)).toEqual(['abel.tuter']);
	});

	it('are all answered, in order, when no answer ends the connection', async () => {
		const answer = await pipelined([
			create('abel.tuter'),
			create('beth.anglin'),
			`${create('david.miller').replace('HTTP/1.1\r\n', 'HTTP/1.1\r\nConnection: close\r\n')}`,
		]);
		expect(answer).toEqual({ statuses: [200, 200, 200], closed: true });
		expect(sn.issues().map((i) => i.endpoint.user_name)).toEqual([
			'abel.tuter',
			'beth.anglin',
			'david.miller',
		]);
	});
});
