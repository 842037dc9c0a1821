/**
 * The emulator's Batch API, held to ServiceNow's documentation (batch-api.md: request and answer
 * fields, base64 bodies, items in order, `unserviced_requests` as ids, outer JSON only) and to "each
 * item exactly as if sent alone": same answer bytes, same rules, the outer request's caller, one
 * journal entry per item.
 */
import { DOCUMENTED_ERRORS } from '../../../../contract/errors';
import { Emulator } from '../../../../emulator/core';
import { startEmulator, type RunningEmulator } from '../../../../emulator/server';
import { ABEL, CREATE_PATH, send } from '../../../helpers/http';

const BASIC = (user: string, password: string) =>
	`Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const INTEGRATION = BASIC('pe.integration', 'integration');
const b64 = (text: string) => Buffer.from(text).toString('base64');
const unb64 = (text: string) => Buffer.from(text, 'base64').toString('utf8');
const createItem = (
	id: string,
	body: Record<string, unknown>,
	extra: Record<string, unknown> = {},
) => ({
	id,
	method: 'POST',
	url: CREATE_PATH,
	headers: [
		{ name: 'Content-Type', value: 'application/json' },
		{ name: 'Accept', value: 'application/json' },
	],
	body: b64(JSON.stringify(body)),
	...extra,
});
const issue = (code: string, experienceId?: string) => ({
	endpoint: { user_id: ABEL.sys_id },
	issue_code: code,
	provider: 'sn',
	...(experienceId ? { experience_id: experienceId } : {}),
});

let sn: RunningEmulator;
beforeAll(async () => {
	sn = await startEmulator({ port: 0, auth: 'basic' });
});
afterAll(() => sn.close());
beforeEach(() => sn.reset());

const batch = (body: unknown, headers: Record<string, string> = {}, path = '/api/now/v1/batch') =>
	send(sn.url + path, {
		method: 'POST',
		headers: {
			'content-type': 'application/json',
			accept: 'application/json',
			authorization: INTEGRATION,
			...headers,
		},
		body: typeof body === 'string' ? body : JSON.stringify(body),
	});

describe('the Batch API', () => {
	it("answers the documentation's example shape: items in order, base64 bodies, status codes and texts, headers unless excluded", async () => {
		const res = await batch({
			batch_request_id: 1,
			rest_requests: [
				{
					id: '11',
					method: 'GET',
					url: '/api/now/table/sys_user_role?sysparm_limit=1',
					headers: [{ name: 'Accept', value: 'application/xml' }],
				},
				{
					id: '12',
					method: 'GET',
					url: '/api/now/table/sys_user?sysparm_limit=1&sysparm_fields=user_name',
					exclude_response_headers: true,
					headers: [{ name: 'Accept', value: 'application/json' }],
				},
				createItem('13', issue('100', 'BATCH-1'), { exclude_response_headers: true }),
			],
		});
		expect(res.status).toBe(200);
		const answer = res.json();
		expect(answer.batch_request_id).toBe('1'); // a number is echoed as a string
		expect(answer.unserviced_requests).toEqual([]);
		expect(
			answer.serviced_requests.map(
				(r: { id: string; status_code: number; status_text: string }) => [
					r.id,
					r.status_code,
					r.status_text,
				],
			),
		).toEqual([
			['11', 200, 'OK'],
			['12', 200, 'OK'],
			['13', 200, 'OK'],
		]);
		const [xml, json, created] = answer.serviced_requests;
		expect(unb64(xml.body)).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?><response><result>/);
		expect(xml.headers).toEqual(
			expect.arrayContaining([
				{ name: 'content-type', value: expect.stringContaining('application/xml') },
			]),
		);
		expect(json.headers).toEqual([]);
		expect(JSON.parse(unb64(json.body)).result).toHaveLength(1);
		expect(unb64(created.body)).toBe('{"result":{"experience_id":"BATCH-1"}}');
		expect(typeof created.execution_time).toBe('number');
		expect(sn.issues().map((i) => i.experience_id)).toEqual(['BATCH-1']);
	});

	it('answers each item with the very bytes it would get alone', async () => {
		const bodies = [
			issue('300'),
			{ endpoint: {}, issue_code: '100', provider: 'sn' },
			{ endpoint: { user_name: 'nobody' }, issue_code: '100', provider: 'sn' },
		];
		const alone = [];
		for (const body of bodies)
			alone.push(
				(
					await send(sn.url + CREATE_PATH, {
						method: 'POST',
						headers: { 'content-type': 'application/json', authorization: INTEGRATION },
						body: JSON.stringify(body),
					})
				).text,
			);
		sn.reset();
		const answer = (
			await batch({ rest_requests: bodies.map((b, i) => createItem(String(i), b)) })
		).json();
		expect(answer.serviced_requests.map((r: { body: string }) => unb64(r.body))).toEqual(alone);
		expect(answer.serviced_requests.map((r: { status_code: number }) => r.status_code)).toEqual([
			400, 400, 400,
		]);
		expect(JSON.parse(alone[0]).error.message).toBe(DOCUMENTED_ERRORS.NO_RESOLUTION.message);
	});

	it('runs the items in order, as the outer caller, one journal entry each', async () => {
		const answer = (
			await batch({
				rest_requests: [
					createItem('a', issue('100')),
					createItem('b', issue('100')),
					// An item's own credentials are not used: it runs as the outer request's caller.
					createItem('c', issue('101'), {
						headers: [
							{ name: 'Content-Type', value: 'application/json' },
							{ name: 'Authorization', value: BASIC('admin', 'wrong') },
						],
					}),
				],
			})
		).json();
		expect(answer.serviced_requests.map((r: { status_code: number }) => r.status_code)).toEqual([
			200, 400, 200,
		]);
		expect(JSON.parse(unb64(answer.serviced_requests[1].body)).error.message).toBe(
			DOCUMENTED_ERRORS.BEING_RESOLVED.message,
		);
		expect(sn.journal().map((e) => [e.route, e.status])).toEqual([
			['create', 200],
			['create', 400],
			['create', 200],
			['batch', 200],
		]);
		expect(sn.journal()[2].headers.authorization).toBe('Basic ***');
	});

	it('refuses the whole batch without credentials (401) and runs nothing; a user without the role gets 403 per create item', async () => {
		const none = await send(sn.url + '/api/now/v1/batch', {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ rest_requests: [createItem('1', issue('100'))] }),
		});
		expect(none.status).toBe(401);
		expect(sn.issues()).toHaveLength(0);
		const itil = (
			await batch(
				{ rest_requests: [createItem('1', issue('100'))] },
				{ authorization: BASIC('itil.user', 'itil') },
			)
		).json();
		expect(itil.serviced_requests[0].status_code).toBe(403);
		expect(sn.issues()).toHaveLength(0);
	});

	it('lists the items it did not process as unserviced ids (injected), and processes none of them', async () => {
		sn.injectFault({ unservicedAfter: 1, match: { route: 'batch' } });
		const answer = (
			await batch({
				rest_requests: [
					createItem('x', issue('100')),
					createItem('y', issue('101')),
					createItem('z', issue('102')),
				],
			})
		).json();
		expect(answer.serviced_requests.map((r: { id: string }) => r.id)).toEqual(['x']);
		expect(answer.unserviced_requests).toEqual(['y', 'z']);
		expect(sn.issues().map((i) => i.issue_code)).toEqual(['100']);
	});

	it('ends at an item answer larger than X-BATCHREQUEST-MAX-OUTPUT-SIZE: that item (it ran) answered 500 saying so, the rest unserviced', async () => {
		const answer = (
			await batch(
				{
					rest_requests: [
						createItem('1', issue('100')),
						createItem('2', issue('101')),
						createItem('3', issue('102')),
					],
				},
				{ 'x-batchrequest-max-output-size': '20' },
			)
		).json();
		expect(
			answer.serviced_requests.map((r: { id: string; status_code: number }) => [
				r.id,
				r.status_code,
			]),
		).toEqual([['1', 500]]);
		expect(answer.serviced_requests[0]).toMatchObject({
			body: '',
			error_message: 'The answer of this item passed the output size limit (20 bytes).',
		});
		expect(answer.unserviced_requests).toEqual(['2', '3']);
		// It ran: a client that takes 500 as "may have been processed" finds its issue.
		expect(sn.issues().map((i) => i.issue_code)).toEqual(['100']);
	});

	it('bounds the whole batch answer: past the budget an item is answered 500 and the rest unserviced', async () => {
		const small = await startEmulator({ port: 0, maxBatchAnswerBytes: 3000 });
		try {
			const reads = Array.from({ length: 20 }, (_, i) => ({
				id: String(i),
				method: 'GET',
				url: '/api/now/table/sys_user',
			}));
			const res = await send(`${small.url}/api/now/v1/batch`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ rest_requests: reads }),
			});
			const answer = res.json();
			const last = answer.serviced_requests.at(-1);
			expect(last).toMatchObject({
				status_code: 500,
				error_message: 'The batch answer passed its size limit (3000 bytes) with this item.',
			});
			expect(answer.serviced_requests.length + answer.unserviced_requests.length).toBe(20);
			expect(answer.unserviced_requests.length).toBeGreaterThan(10);
			expect(res.text.length).toBeLessThan(3000 * 2);
		} finally {
			await small.close();
		}
	});

	it('keeps no credential of an item in the batch entry of the journal (each item has its own, masked)', async () => {
		const form =
			'grant_type=password&client_id=pe-emulator-client&client_secret=pe-emulator-secret&username=admin&password=admin';
		const answer = (
			await batch({
				rest_requests: [
					{
						id: 't',
						method: 'POST',
						url: '/oauth_token.do',
						headers: [
							{ name: 'Content-Type', value: 'application/x-www-form-urlencoded' },
							{ name: 'Authorization', value: 'Basic SECRET-ITEM-HEADER' },
						],
						body: b64(form),
					},
				],
			})
		).json();
		const token = JSON.parse(unb64(answer.serviced_requests[0].body));
		expect(token.access_token).toBeTruthy();
		const journal = JSON.stringify(sn.journal());
		for (const secret of [
			'pe-emulator-secret',
			'password=admin',
			'SECRET-ITEM-HEADER',
			token.access_token,
			token.refresh_token,
			b64(form),
			answer.serviced_requests[0].body,
		]) {
			expect(journal).not.toContain(secret);
		}
		expect(sn.journal().map((e) => e.route)).toEqual(['token', 'batch']);
	});

	it('drops the whole answer when the connection is lost inside an item; the items before it stay done', async () => {
		sn.injectFault({ drop: 'after', match: { route: 'create', issue_code: '101' } });
		const lost = await batch({
			rest_requests: [
				createItem('1', issue('100')),
				createItem('2', issue('101')),
				createItem('3', issue('102')),
			],
		}).then(
			(res) => `answered ${res.status}`,
			(e: Error) => e.message,
		);
		expect(lost).toMatch(/socket hang up|ECONNRESET/);
		expect(sn.issues().map((i) => i.issue_code)).toEqual(['100', '101']);
	});

	it.each([
		['not JSON', 'rest_requests=1', 400, 'JSON object'],
		['no rest_requests', { batch_request_id: '1' }, 400, 'rest_requests is required'],
		[
			'an item without url',
			{ rest_requests: [{ id: '1', method: 'GET' }] },
			400,
			'rest_requests[0].url is required',
		],
		[
			'two items with one id',
			{ rest_requests: [createItem('1', issue('100')), createItem('1', issue('101'))] },
			400,
			'rest_requests[1].id repeats an earlier id',
		],
	])(
		'refuses a batch with %s, naming the field; nothing runs',
		async (_name, body, status, detail) => {
			const res = await batch(body);
			expect(res.status).toBe(status);
			expect(res.json().error.detail).toContain(detail);
			expect(sn.issues()).toHaveLength(0);
		},
	);

	it('serves /api/now/batch too, refuses a batch inside a batch, and takes batches past the 1 MiB body limit (items each held to it)', async () => {
		const nested = (
			await batch(
				{
					rest_requests: [
						{
							id: '1',
							method: 'POST',
							url: '/api/now/v1/batch',
							body: b64('{"rest_requests":[]}'),
						},
					],
				},
				{},
				'/api/now/batch',
			)
		).json();
		expect(nested.serviced_requests[0].status_code).toBe(400);
		const many = Array.from({ length: 30 }, (_, i) =>
			createItem(String(i), {
				...issue('100', `BIG-${i}`),
				investigative_details: { log: 'x'.repeat(60_000) },
			}),
		);
		const big = JSON.stringify({ rest_requests: many });
		expect(Buffer.byteLength(big)).toBeGreaterThan(1024 * 1024);
		const answer = (await batch(big)).json();
		expect(answer.serviced_requests.map((r: { status_code: number }) => r.status_code)).toEqual([
			200,
			...Array(29).fill(400),
		]);
		const tooBig = (
			await batch({
				rest_requests: [
					createItem('1', {
						...issue('101'),
						investigative_details: { log: 'x'.repeat(1024 * 1024) },
					}),
				],
			})
		).json();
		expect(tooBig.serviced_requests[0].status_code).toBe(413);
	});
});

describe('the batch transaction time', () => {
	it('leaves the items past 30 s (injected item delays count) unserviced', () => {
		const emulator = new Emulator();
		emulator.injectFault({ delayMs: 31_000, match: { route: 'create', issue_code: '100' } });
		const result = emulator.handle({
			method: 'POST',
			url: '/api/now/v1/batch',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({
				rest_requests: [createItem('1', issue('100')), createItem('2', issue('101'))],
			}),
		});
		const answer = JSON.parse(result.body);
		expect(answer.serviced_requests.map((r: { id: string }) => r.id)).toEqual(['1']);
		expect(answer.unserviced_requests).toEqual(['2']);
		expect(result.delayMs).toBe(31_000);
		expect(emulator.listIssues().map((i) => i.issue_code)).toEqual(['100']);
	});
});
