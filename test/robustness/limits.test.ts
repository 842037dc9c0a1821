/**
 * Nothing hostile stalls or fills the emulator: every limit (README, "Limits") is answered with a
 * clear 4xx, and nothing secret is kept or quoted back.
 */
import { connect, type Socket } from 'node:net';
import { Emulator } from '../../emulator/core';
import { MAX_TOKENS } from '../../emulator/core/tokens';
import { JOURNAL_TEXT_LIMIT } from '../../emulator/core/journal';
import { startEmulator } from '../../emulator/server';
import { ABEL, CREATE_PATH, postJson, postXml, send, emulatorForSuite } from '../helpers/http';

const sn = emulatorForSuite();

const valid = { endpoint: { user_id: ABEL.sys_id }, issue_code: '100', provider: 'sn' };
const TABLE = '/api/now/table/sn_pren_experience_issue';

/** Writes raw bytes on a new connection and collects what comes back until it closes. */
function raw(url: string, bytes: string, { waitMs = 5_000 } = {}): Promise<{ text: string; socket: Socket }> {
	const { hostname, port } = new URL(url);
	return new Promise((resolve) => {
		const socket = connect(Number(port), hostname);
		let text = '';
		const timer = setTimeout(() => resolve({ text, socket }), waitMs);
		socket.on('data', (c) => (text += c.toString()));
		socket.on('close', () => {
			clearTimeout(timer);
			resolve({ text, socket });
		});
		socket.on('error', () => undefined);
		socket.write(bytes);
	});
}

describe('nesting, parsing and queries', () => {
	it('refuses JSON and XML nested deeper than 32 levels with 400; the state stays readable', async () => {
		const deep = `{"endpoint":{"user_id":"${ABEL.sys_id}"},"issue_code":"100","provider":"sn","investigative_details":${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}}`;
		const json = await postJson(sn.url, deep);
		expect(json.status).toBe(400);
		expect(json.json().error.detail).toBe("The JSON body is nested deeper than 32 levels; the API's fields nest three.");
		const xml = await postXml(sn.url, `<r>${'<a>'.repeat(100)}${'</a>'.repeat(100)}</r>`);
		expect(xml.status).toBe(400);
		expect(xml.text).toContain('nested deeper than 32 levels');
		expect((await postJson(sn.url, valid)).status).toBe(200);
		expect((await send(sn.url + TABLE)).json().result).toHaveLength(1);
	});

	it('reads a 1 MiB hostile XML body in one pass: answered at once, and other requests meanwhile', async () => {
		const hostile = `<r>${'<a'.repeat((1024 * 1024 - 8) / 2)}`;
		const started = Date.now();
		const [answer, health] = await Promise.all([postXml(sn.url, hostile), send(`${sn.url}/_emulator/health`)]);
		// Before, this shape took seconds per 100 KiB (quadratic); a generous bound, not a speed target.
		expect(Date.now() - started).toBeLessThan(3_000);
		expect(answer.status).toBe(400);
		expect(health.status).toBe(200);
	});

	it('answers Table API field and order names an object inherits as no fields, not with a reset', async () => {
		await postJson(sn.url, valid);
		for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
			const res = await send(`${sn.url}${TABLE}?sysparm_fields=${name},issue_code&sysparm_query=ORDERBY${name}^ORDERBYDESC${name}`);
			expect([name, res.status, res.json().result]).toEqual([name, 200, [{ issue_code: '100' }]]);
			const xml = await send(`${sn.url}${TABLE}?sysparm_fields=${name}`, { headers: { accept: 'application/xml' } });
			expect([name, xml.status]).toEqual([name, 200]);
		}
	});

	it('answers a Basic client header with a bad % escape on /oauth_token.do with invalid_client', async () => {
		const res = await send(`${sn.url}/oauth_token.do`, {
			method: 'POST',
			headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('pe-emulator-client:%E0%A4%A').toString('base64')}` },
			body: 'grant_type=client_credentials',
		});
		expect(res.status).toBe(401);
		expect(res.json()).toMatchObject({ error: 'invalid_client' });
	});
});

describe('authentication before the body', () => {
	it('answers 401 from the headers alone, without waiting for or reading the body', async () => {
		const locked = await startEmulator({ port: 0, auth: 'basic' });
		try {
			// Headers promise 1 MiB that never comes: the answer must not wait for it.
			const { text } = await raw(locked.url, `POST ${CREATE_PATH} HTTP/1.1\r\nhost: x\r\ncontent-type: application/xml\r\ncontent-length: 1000000\r\n\r\n<r>`);
			expect(text).toMatch(/^HTTP\/1\.1 401 /);
			expect(text).toContain('User Not Authenticated');
			expect(text.toLowerCase()).toContain('connection: close');
			expect(locked.journal().at(-1)).toMatchObject({ status: 401, errorCode: 'UNAUTHENTICATED', body: '' });
		} finally {
			await locked.close();
		}
	});

	it('answers 413 from a declared Content-Length over the limit before reading the body', async () => {
		const { text } = await raw(sn.url, `POST ${CREATE_PATH} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${2 * 1024 * 1024}\r\n\r\n{`);
		expect(text).toMatch(/^HTTP\/1\.1 413 /);
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
			const { text } = await raw(capped.url, '');
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
		const quick = await startEmulator({ port: 0, headersTimeoutMs: 300, requestTimeoutMs: 600, keepAliveTimeoutMs: 300 });
		try {
			const slowHeaders = await raw(quick.url, `POST ${CREATE_PATH} HTTP/1.1\r\nhost: x\r\n`);
			expect(slowHeaders.text).toMatch(/^HTTP\/1\.1 408 /);
			const slowBody = await raw(quick.url, `POST ${CREATE_PATH} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"a":`);
			expect(slowBody.text).toMatch(/^HTTP\/1\.1 408 /);
			const started = Date.now();
			const idle = await raw(quick.url, `GET /_emulator/health HTTP/1.1\r\nhost: x\r\n\r\n`);
			expect(idle.text).toMatch(/^HTTP\/1\.1 200 /);
			expect(Date.now() - started).toBeLessThan(4_000);
		} finally {
			await quick.close();
		}
	});
});

describe('bounded memory: journal and tokens', () => {
	it(`keeps at most ${JOURNAL_TEXT_LIMIT} characters of each body and answer in the journal`, async () => {
		const big = JSON.stringify({ ...valid, investigative_details: { note: 'n'.repeat(900_000) } });
		expect((await postJson(sn.url, big)).status).toBe(200);
		const [entry] = sn.journal();
		expect(entry.body.length).toBeLessThan(JOURNAL_TEXT_LIMIT + 40);
		expect(entry.body).toMatch(/… \(\d+ bytes in all\)$/);
	});

	it(`sweeps expired tokens as new ones are issued and keeps at most ${MAX_TOKENS} of each kind`, () => {
		let now = 1_000_000;
		const emulator = new Emulator({ auth: 'oauth', tokenTtlSeconds: 1, now: () => now });
		const grant = () =>
			emulator.handle({
				method: 'POST',
				url: '/oauth_token.do',
				headers: { 'content-type': 'application/x-www-form-urlencoded' },
				body: 'grant_type=client_credentials&client_id=pe-emulator-client&client_secret=pe-emulator-secret',
			});
		for (let i = 0; i < 5; i++) grant();
		expect(emulator.snapshot().tokens.access).toHaveLength(5);
		now += 2_000;
		grant();
		expect(emulator.snapshot().tokens.access).toHaveLength(1);
		for (let i = 0; i < MAX_TOKENS + 50; i++) grant();
		expect(emulator.snapshot().tokens.access).toHaveLength(MAX_TOKENS);
		expect(emulator.snapshot().tokens.refresh).toHaveLength(MAX_TOKENS);
	});
});

describe('secrets are never kept or quoted back', () => {
	it('masks every credential-bearing header, query parameter and token field in the journal', async () => {
		const locked = await startEmulator({ port: 0, auth: 'oauth' });
		try {
			// (The password "integration" is also part of the user name pe.integration: looked for as a value.)
			const secrets = ['s3cret-bare-token', 's3cret-proxy', 's3cret-usertoken', 's3cret-auth-token', 's3cret-query-token', 's3cret-api-key', 'pe-emulator-secret', 'password=integration', '\\"password\\":\\"integration'];
			await send(`${locked.url}${TABLE}?access_token=s3cret-query-token&sysparm_limit=1`, {
				headers: {
					authorization: 's3cret-bare-token',
					'proxy-authorization': 'Basic s3cret-proxy',
					'x-usertoken': 's3cret-usertoken',
					'x-auth-token': 's3cret-auth-token',
					'x-api-key': 's3cret-api-key',
				},
			});
			const token = await send(`${locked.url}/oauth_token.do?client_secret=pe-emulator-secret&password=integration`, {
				method: 'POST',
				headers: { 'content-type': 'application/x-www-form-urlencoded' },
				body: 'grant_type=password&client_id=pe-emulator-client&client_secret=pe-emulator-secret&username=pe.integration&password=integration',
			});
			const issued = token.json().access_token as string;
			await send(`${locked.url}/oauth_token.do`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: '{"grant_type":"password","client_secret":"pe-emulator-secret","password":"integration"}',
			});
			const dump = JSON.stringify(locked.journal());
			for (const secret of [...secrets, issued]) expect([secret, dump.includes(secret)]).toEqual([secret, false]);
			expect(locked.journal()[0].headers).toMatchObject({ authorization: '***', 'proxy-authorization': 'Basic ***', 'x-usertoken': '***' });
		} finally {
			await locked.close();
		}
	});

	it('quotes no part of a malformed body back in the error detail', async () => {
		const res = await postJson(sn.url, '{"endpoint":{"user_name":"abel.tuter"},"password":"hunter2-secret" oops}');
		expect(res.status).toBe(400);
		expect(res.text).not.toContain('hunter2');
		expect(res.json().error.detail).toMatch(/^Malformed JSON body at position \d+: send one JSON object\.$/);
		const xml = await postXml(sn.url, '<r><password>hunter2-secret</passwd></r>');
		expect(xml.text).not.toContain('hunter2');
		expect(xml.text).not.toContain('passw');
	});
});

describe('bounded memory: the issues held', () => {
	const body = (user: string, code: string, extra: Record<string, unknown> = {}) => ({ endpoint: { user_name: user }, issue_code: code, provider: 'sn', ...extra });

	it('refuses creates past maxIssues with CREATION_FAILED naming the limit; chains still go; a reset frees it', async () => {
		const small = await startEmulator({ port: 0, maxIssues: 2, initialState: 'action_wait' });
		try {
			expect((await postJson(small.url, body('abel.tuter', '100', { experience_id: 'M-1' }))).status).toBe(200);
			expect((await postJson(small.url, body('beth.anglin', '100'))).status).toBe(200);
			const third = await postJson(small.url, body('david.miller', '100'));
			expect(third.status).toBe(400);
			expect(third.json().error).toEqual({ message: 'Error occurred while creating experience issue.', detail: expect.stringMatching(/^The emulator holds 2 issues, its limit \(maxIssues, --max-issues\)/) });
			// A chain makes no new issue.
			expect((await postJson(small.url, body('abel.tuter', '101', { experience_id: 'M-1' }))).status).toBe(200);
			await send(`${small.url}/_emulator/reset`, { method: 'POST' });
			expect((await postJson(small.url, body('david.miller', '100'))).status).toBe(200);
		} finally {
			await small.close();
		}
	});

	it('refuses creates that would pass maxContentBytes of caller content, counting what chains replace', async () => {
		const small = await startEmulator({ port: 0, maxContentBytes: 50_000, initialState: 'action_wait' });
		try {
			const big = { investigative_details: { log: 'x'.repeat(30_000) } };
			expect((await postJson(small.url, body('abel.tuter', '100', { experience_id: 'B-1', ...big }))).status).toBe(200);
			const over = await postJson(small.url, body('beth.anglin', '100', big));
			expect(over.status).toBe(400);
			expect(over.json().error.detail).toMatch(/would pass 50000 bytes .*the emulator's limit \(maxContentBytes\)/);
			// Chaining onto B-1 with small details frees what its big ones held.
			expect((await postJson(small.url, body('abel.tuter', '101', { experience_id: 'B-1', investigative_details: { cpu_usage: '9%' } }))).status).toBe(200);
			expect((await postJson(small.url, body('beth.anglin', '100', big))).status).toBe(200);
			expect(small.issues()).toHaveLength(2);
		} finally {
			await small.close();
		}
	});
});
