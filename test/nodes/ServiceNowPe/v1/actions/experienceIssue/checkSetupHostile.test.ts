/**
 * Check Setup under attack: Check For values that try to widen a query (`^OR`, `^NQ`), scripts,
 * broken characters, huge and non-text values; instances that answer late, not at all, 5xx, 429,
 * redirects, 200 of the wrong shape; sys_user_has_role refused; several input items.
 * Each input item gets one full set of checks (paired to it), nothing is ever created, and each
 * check makes a bounded number of requests.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INodeExecutionData } from 'n8n-workflow';
import { BASIC, runAction } from '../../../../../helpers/action';
import { emulatorForSuite } from '../../../../../helpers/http';

const sn = emulatorForSuite({ auth: 'basic' });

type Check = { check: string; status: string; message: string; fix: string; title: string };
type Checks = Record<string, Check>;

async function checkSetup(
	items: Array<Record<string, unknown>>,
	checkFor: Record<string, unknown> | string,
	url = sn.url,
	options: Record<string, unknown> = { maxAttempts: 1 },
): Promise<INodeExecutionData[]> {
	const { outputs, error } = await runAction({
		items,
		credentials: BASIC(url),
		parameters: { operation: 'checkSetup', checkFor, options },
	});
	expect(error).toBeUndefined();
	return outputs.Checks;
}
const byName = (items: INodeExecutionData[]): Checks =>
	Object.fromEntries(items.map(({ json }) => [String(json.check), json as unknown as Check]));
const one = async (checkFor: Record<string, unknown>) => byName(await checkSetup([{}], checkFor));
const noCreate = () => {
	const journal = sn.journal();
	expect(journal.filter((e) => e.route === 'create')).toEqual([]);
	for (const e of journal.filter((x) => x.route === 'batch'))
		expect(e.body).not.toMatch(/experience_issue\/create/);
	expect(sn.issues()).toEqual([]);
};

/** A node:http server on 127.0.0.1 answering every request with `answer`; its URL and what it got. */
async function fakeInstance(answer: (req: IncomingMessage, res: ServerResponse) => void) {
	const seen: string[] = [];
	const server = createServer((req, res) => {
		seen.push(`${req.method} ${req.url}`);
		answer(req, res);
	});
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
	return {
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
		seen,
		close: () => {
			server.closeAllConnections();
			return new Promise((r) => server.close(r));
		},
	};
}

/** A fake instance whose Batch API answers 200 with `batchBody`; every Table API read finds a row. */
function batchAnswering(batchBody: string) {
	return fakeInstance((req, res) => {
		res.writeHead(200, { 'content-type': 'application/json' });
		res.end(req.url?.startsWith('/api/now/v1/batch') ? batchBody : '{"result":[{"sys_id":"a"}]}');
	});
}

describe('Check Setup: hostile Check For values', () => {
	it.each([
		['userName', 'abel.tuter^ORuser_name=nobody', 'user'],
		['userName', 'nobody^NQuser_name=abel.tuter', 'user'],
		['userEmail', 'x@y.z^NQactive=true', 'user'],
		['userId', 'x^ORsys_idISNOTEMPTY', 'user'],
		['ci', 'x^NQsys_idISNOTEMPTY', 'user'],
		['provider', 'nobody^ORprovider_code=sn', 'provider'],
		['issueCode', '999^NQissue_code=100', 'issueCode'],
	])('%s %j cannot widen its query: the check fails', async (field, value, name) => {
		const checks = await one({ issueCode: '100', [field]: value });
		expect(checks[name].status).toBe('fail');
		expect(checks.instance.status).toBe('pass');
		noCreate();
	});

	it.each([['userName'], ['provider'], ['issueCode'], ['userEmail'], ['ci']])(
		'a javascript: %s is not queried: its check fails naming the field',
		async (field) => {
			const checks = await one({ issueCode: '100', [field]: ' JavaScript:gs.getUserName()' });
			const name = field === 'provider' || field === 'issueCode' ? field : 'user';
			expect(checks[name]).toMatchObject({ status: 'fail', fix: expect.any(String) });
			expect(checks[name].message).toMatch(/cannot be a script/);
			const queries = sn.journal().map((e) => decodeURIComponent(e.path));
			expect(queries.some((q) => /javascript/i.test(q))).toBe(false);
		},
	);

	it('a lone surrogate, a 100 KB name, an object and a number: each check answers, none throws', async () => {
		const lone = await one({ userName: 'abel\ud800.tuter' });
		expect(lone.user.status).toBe('fail');
		const huge = await one({ userName: 'a'.repeat(100_000) });
		expect(huge.user.status).not.toBe('pass');
		expect(huge.user.fix).not.toBe('');
		// the checks quote a huge value cut, saying how long it is, never whole
		for (const c of [huge.user]) {
			expect(c.title).toContain('… (100000 characters)');
			expect(c.title.length + c.message.length + c.fix.length).toBeLessThan(1_000);
		}
		const hugeCodes = await one({ provider: '💥'.repeat(50_000), issueCode: '1'.repeat(100_000) });
		for (const c of [hugeCodes.provider, hugeCodes.issueCode]) {
			expect(c.title).toMatch(/… \(100000 characters\)/);
			expect(c.title.length + c.message.length + c.fix.length).toBeLessThan(1_000);
			expect(c.title).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
		}
		expect(huge.instance.status).toBe('pass');
		const obj = await one({ userName: { user_name: 'abel.tuter' } as never });
		expect(obj.user.status).toBe('fail');
		const num = await one({ issueCode: 100 as never });
		expect(num.issueCode.status).toBe('pass');
		noCreate();
	});

	it('`=` and commas in the values stay data', async () => {
		const checks = await one({ userName: 'user_name=abel.tuter', issueCode: '100,101' });
		expect(checks.user.status).toBe('fail');
		expect(checks.issueCode.status).toBe('fail');
	});
});

describe('Check Setup: several input items', () => {
	it('one set of checks per item, in item order, each paired to its item; no create', async () => {
		const items = await checkSetup(
			[{ u: 'abel.tuter' }, { u: 'nobody' }, { u: 'former.employee' }],
			{
				userName: '={{ $json.u }}',
			},
		);
		expect(items).toHaveLength(3 * 6);
		const perItem = [0, 1, 2].map((i) =>
			items.filter((x) => (x.pairedItem as { item: number }).item === i),
		);
		expect(perItem.map((set) => set.map((x) => x.json.check))).toEqual(
			[0, 1, 2].map(() => ['instance', 'readRole', 'createRole', 'provider', 'user', 'batchApi']),
		);
		expect(perItem.map((set) => set.find((x) => x.json.check === 'user')!.json.status)).toEqual([
			'pass',
			'fail',
			'fail',
		]);
		noCreate();
		// Bounded: no more than 8 requests per item (7 checks, the role check reading twice at most).
		expect(sn.journal().length).toBeLessThanOrEqual(3 * 8);
	});
});

describe('Check Setup: instances that answer badly', () => {
	it('sys_user_has_role refused (403): the create role is unknown, naming the table; the rest pass', async () => {
		sn.injectFault({ match: { route: 'table', path: 'sys_user_has_role' }, status: 403, count: 0 });
		const checks = await one({ issueCode: '100', userName: 'abel.tuter' });
		expect(checks.createRole.status).toBe('unknown');
		expect(checks.createRole.fix).toMatch(/sys_user_has_role/);
		expect(
			Object.values(checks)
				.filter((c) => c.check !== 'createRole')
				.map((c) => c.status),
		).toEqual(['pass', 'pass', 'pass', 'pass', 'pass', 'pass']);
	});

	it('a 429 with Retry-After on every read: retried as asked, bounded, and unknown/fail, never pass', async () => {
		sn.injectFault({ match: { route: 'table' }, status: 429, retryAfter: 1, count: 0 });
		const started = Date.now();
		const items = await checkSetup([{}], {}, sn.url, {
			maxAttempts: 2,
			maxRetryWaitSeconds: 1,
		});
		const checks = byName(items);
		expect(checks.instance.status).toBe('fail');
		expect(checks.instance.message).toMatch(/429/);
		expect(Date.now() - started).toBeLessThan(10_000);
		expect(sn.journal().filter((e) => e.route === 'table')).toHaveLength(2);
	});

	it('a 503 on the issue read only: readRole unknown (not fail, not pass)', async () => {
		sn.injectFault({ match: { path: 'sn_pren_experience_issue' }, status: 503, count: 0 });
		const checks = await one({});
		expect(checks.readRole.status).toBe('unknown');
		expect(checks.instance.status).toBe('pass');
	});

	it('late answers: each read gives up at the Timeout, the run stays bounded', async () => {
		sn.injectFault({ match: { route: 'table' }, delayMs: 1500, count: 0 });
		const started = Date.now();
		const checks = byName(
			await checkSetup([{}], {}, sn.url, { maxAttempts: 1, timeoutSeconds: 1 }),
		);
		expect(checks.instance.status).toBe('fail');
		expect(checks.instance.fix).toMatch(/Instance URL/);
		expect(Date.now() - started).toBeLessThan(8000);
		expect(sn.journal().filter((e) => e.route === 'table').length).toBeLessThanOrEqual(1);
		// The late answer is still due: let it go before the emulator closes.
		await new Promise((r) => setTimeout(r, 700));
	});

	it('a dropped connection on the Batch API: batchApi unknown; nothing created', async () => {
		sn.injectFault({ match: { route: 'batch' }, drop: 'before' });
		const checks = await one({});
		expect(checks.batchApi.status).toBe('unknown');
		noCreate();
	});

	it('a redirect (302 to a sign-in page): fail naming where it goes; only one read sent', async () => {
		const fake = await fakeInstance((_, res) => {
			res.writeHead(302, { location: 'https://signon.service-now.com/ssologin.do' });
			res.end();
		});
		try {
			const checks = byName(await checkSetup([{}], {}, fake.url));
			expect(checks.instance).toMatchObject({ status: 'fail' });
			expect(checks.instance.message).toMatch(/signon\.service-now\.com/);
			expect(fake.seen).toHaveLength(1);
		} finally {
			await fake.close();
		}
	});

	it('a Batch API that serves none of the request (all unserviced): batchApi unknown, not pass', async () => {
		sn.injectFault({ match: { route: 'batch' }, unservicedAfter: 0 });
		const checks = await one({});
		expect(checks.batchApi.status).toBe('unknown');
		expect(checks.batchApi.message).toMatch(/did not serve/);
		noCreate();
	});

	it('a Batch API answering 200 with empty serviced_requests: batchApi unknown, not pass', async () => {
		const fake = await batchAnswering(
			'{"batch_request_id":"n8n-check-setup","serviced_requests":[],"unserviced_requests":[]}',
		);
		try {
			const checks = byName(await checkSetup([{}], {}, fake.url));
			expect(checks.batchApi.status).toBe('unknown');
			expect(checks.batchApi.message).toMatch(/did not serve/);
		} finally {
			await fake.close();
		}
	});

	it.each([
		['an id whose toString is not a function', '[{"id":{"toString":"1"},"status_code":200}]'],
		['an id that is a list', '[{"id":["1"],"status_code":200}]'],
		['no status_code', '[{"id":"1"}]'],
		['status_code 0', '[{"id":"1","status_code":0}]'],
		['a status_code that is no number', '[{"id":"1","status_code":"abc"}]'],
		['a status_code whose valueOf is not a function', '[{"id":"1","status_code":{"valueOf":200}}]'],
		['non-objects', '["1",1,null,true,[{"id":"1","status_code":200}]]'],
	])(
		'a Batch API whose serviced_requests hold %s: batchApi unknown, never pass, nothing thrown',
		async (_, served) => {
			const fake = await batchAnswering(`{"serviced_requests":${served},"unserviced_requests":[]}`);
			try {
				const checks = byName(await checkSetup([{}], {}, fake.url));
				expect(checks.batchApi.status).toBe('unknown');
				expect(checks.batchApi.message).toMatch(/did not serve/);
			} finally {
				await fake.close();
			}
		},
	);

	it.each([
		['a numeric id and status', '[{"id":1,"status_code":200}]'],
		['a refused read (the Batch API relays its 403)', '[{"id":"1","status_code":"403"}]'],
	])('a Batch API that served the read with %s: batchApi passes', async (_, served) => {
		const fake = await batchAnswering(`{"serviced_requests":${served},"unserviced_requests":[]}`);
		try {
			const checks = byName(await checkSetup([{}], {}, fake.url));
			expect(checks.batchApi.status).toBe('pass');
		} finally {
			await fake.close();
		}
	});

	it('a Batch API that answers 200 without the batch shape: batchApi unknown, not pass', async () => {
		const fake = await fakeInstance((req, res) => {
			res.writeHead(200, { 'content-type': 'application/json' });
			res.end(
				req.url?.startsWith('/api/now/v1/batch') ? '{"result":[]}' : '{"result":[{"sys_id":"a"}]}',
			);
		});
		try {
			const checks = byName(await checkSetup([{}], {}, fake.url));
			expect(checks.batchApi.status).toBe('unknown');
			expect(fake.seen.filter((s) => s.includes('experience_issue/create'))).toEqual([]);
		} finally {
			await fake.close();
		}
	});
});
