/**
 * Send Mode "Batch API" against the emulator's batch endpoint: items the instance did not process
 * go again, a lost batch answer is recovered item by item from the issue table, an item answered
 * 5xx is sent alone, a batch refused as a whole falls back or answers every item, requests for one
 * issue never race across batches. Every item ends on exactly one output; issues are counted.
 */
import type { RunningEmulator } from '../../../../../emulator/server';
import { ABEL, BETH, emulatorForSuite, withEmulator } from '../../../../helpers/http';
import { BASIC, CHAIN_ALONE, createdBy, routed, runAction } from '../../../../helpers/action';
import { isBatch, startProxy } from '../../../../helpers/proxy';

const sn = emulatorForSuite({ auth: 'basic', initialState: 'closed' });

const FAST = { retryBaseDelayMs: 10, timeoutSeconds: 3, maxAttempts: 3 };
const batch = (extra: Record<string, unknown> = {}) => ({
	options: { ...FAST, sendMode: 'batch', ...extra },
});
/** Sends the items through the Batch API to the emulator, with these options. */
const sendBatch = (list: Array<Record<string, unknown>>, extra: Record<string, unknown> = {}) =>
	runAction({ items: list, credentials: BASIC(sn.url), parameters: batch(extra) });
/** Distinct experience_ids: new issues close at once, so every item makes its own issue. */
const items = (n: number, prefix = 'B') =>
	Array.from({ length: n }, (_, i) => ({
		user_id: i % 2 ? BETH.sys_id : ABEL.sys_id,
		code: '100',
		experience_id: `${prefix}-${i}`,
	}));
const batches = () => sn.journal().filter((e) => e.route === 'batch');
const creates = () => sn.journal().filter((e) => e.route === 'create');

describe('Send Mode: Batch API', () => {
	it('sends 120 items in three batches of at most 50, two at a time; outputs in input order', async () => {
		const { outputs } = await sendBatch(items(120), { batchSize: 50, concurrency: 2 });
		expect(routed(outputs)).toEqual({ Created: Array.from({ length: 120 }, (_, i) => i) });
		expect(outputs.Created.map((i) => i.json.experience_id)).toEqual(
			items(120).map((i) => i.experience_id),
		);
		expect(batches()).toHaveLength(3);
		expect(creates()).toHaveLength(120);
		expect(sn.issues()).toHaveLength(120);
	});

	type Created = Array<{ json: Record<string, unknown> }>;
	it.each<
		[string, Parameters<RunningEmulator['injectFault']>[0], number, (created: Created) => void]
	>([
		[
			'sends the items the instance did not process (unserviced) in the next batch',
			{ unservicedAfter: 2 },
			5,
			(created) => {
				expect(created.map((i) => i.json.attempts)).toEqual([1, 1, 2, 2, 2]);
				expect(batches()).toHaveLength(2);
				expect(creates()).toHaveLength(5);
			},
		],
		[
			'sends each item alone when a batch serves none of them',
			{ unservicedAfter: 0 },
			3,
			() => expect(batches()).toHaveLength(1),
		],
		[
			'recovers every item from the issue table when the batch answer is lost after processing: nothing twice',
			{ drop: 'after' },
			6,
			(created) => {
				expect(
					created.every(
						(i) => i.json.recoveredAfterRetry === true && i.json.mayHaveBeenCreated === undefined,
					),
				).toBe(true);
				expect(creates()).toHaveLength(6);
			},
		],
		[
			'sends every item alone when the batch is lost before processing',
			{ drop: 'before' },
			4,
			(created) =>
				expect(created.every((i) => i.json.attempts === 2 && !i.json.recoveredAfterRetry)).toBe(
					true,
				),
		],
	])('%s', async (_name, fault, n, expectAlso) => {
		sn.injectFault({ ...fault, match: { route: 'batch' } });
		const { outputs } = await sendBatch(items(n));
		expect(routed(outputs)).toEqual({ Created: Array.from({ length: n }, (_, i) => i) });
		expectAlso(outputs.Created);
		expect(sn.issues()).toHaveLength(n);
	});

	it('sends an item answered 503 inside the batch again on its own; the others come from the batch', async () => {
		sn.injectFault({ status: 503, retryAfter: 0, match: { route: 'create', issue_code: '101' } });
		const list = [
			...items(2),
			{ user_id: ABEL.sys_id, code: '101', experience_id: 'B-503' },
			...items(2, 'C'),
		];
		const { outputs } = await sendBatch(list);
		expect(routed(outputs)).toEqual({ Created: [0, 1, 2, 3, 4] });
		expect(outputs.Created[2].json).toMatchObject({ experience_id: 'B-503', attempts: 2 });
		expect(creates().map((e) => e.status)).toEqual([200, 200, 503, 200, 200, 200]);
		expect(sn.issues()).toHaveLength(5);
	});

	it('falls back to one request per item when the instance refuses the batch (no Batch API there)', async () => {
		sn.injectFault({ status: 404, match: { route: 'batch' } });
		const { outputs } = await sendBatch(items(3));
		expect(routed(outputs)).toEqual({ Created: [0, 1, 2] });
		expect(creates()).toHaveLength(3);
	});

	it('gives every item the credential problem when the batch is refused with 401', async () => {
		const { outputs } = await runAction({
			items: items(3),
			credentials: BASIC(sn.url, 'pe.integration', 'wrong'),
			parameters: batch(),
		});
		expect(routed(outputs)).toEqual({ Other: [0, 1, 2] });
		expect(outputs.Other.map((i) => i.json.errorCode)).toEqual([
			'UNAUTHENTICATED',
			'UNAUTHENTICATED',
			'UNAUTHENTICATED',
		]);
		expect(creates()).toHaveLength(0);
	});

	it('never has two requests for one issue in flight in different batches', async () => {
		await withEmulator({ auth: 'basic' }, async (open) => {
			const same = [
				{ user_id: ABEL.sys_id, code: '100' },
				{ user_id: ABEL.sys_id, code: '100' },
				{ user_id: BETH.sys_id, code: '100' },
			];
			const { outputs } = await runAction({
				items: same,
				credentials: BASIC(open.url),
				parameters: batch({ batchSize: 1, concurrency: 3 }),
			});
			expect(routed(outputs)).toEqual({ Created: [0, 2], 'Already Being Resolved': [1] });
			expect(open.issues()).toHaveLength(2);
		});
	});
});

describe('Batch API: late and ambiguous answers, a failing node, Concurrency, chains', () => {
	it("recovers a slow batch's items whose answer came after the timeout: no duplicate", async () => {
		// Processed at once, answered after the node gave up (3 s): more than the read's slack later.
		sn.injectFault({ delayMs: 4500, match: { route: 'batch' } });
		const { outputs } = await sendBatch(items(3), { timeoutSeconds: 3 });
		expect(routed(outputs)).toEqual({ Created: [0, 1, 2] });
		expect(outputs.Created.every((i) => i.json.recoveredAfterRetry === true)).toBe(true);
		expect(sn.issues()).toHaveLength(3);
	});

	it.each(['batch', 'perItem'])(
		'stops sending when the node fails (Single Output), send mode %s',
		async (sendMode) => {
			const list = [{ user_name: 'nobody', code: '100' }, ...items(40, 'S')];
			sn.injectFault({ delayMs: 20, count: 0, match: { route: 'create' } });
			const run = await runAction({
				items: list,
				credentials: BASIC(sn.url),
				routing: 'single',
				parameters: { options: { ...FAST, sendMode, batchSize: 5, concurrency: 2 } },
			});
			expect(run.error).toMatch(/ServiceNow refused the experience issue/);
			const atFailure = sn.issues().length;
			await new Promise((resolve) => setTimeout(resolve, 1000));
			expect(sn.issues()).toHaveLength(atFailure);
			// What was in flight when the refusal came back, no more.
			expect(atFailure).toBeLessThanOrEqual(sendMode === 'batch' ? 9 : 2);
		},
	);

	it('keeps to Concurrency when the batch falls back to one request per item', async () => {
		let inFlight = 0;
		let peak = 0;
		const proxy = await startProxy(sn.url, async (req, forward) => {
			if (isBatch(req.url))
				return {
					status: 400,
					headers: { 'content-type': 'application/json' },
					body: '{"error":{"message":"Requested URI does not represent any resource","detail":null},"status":"failure"}',
				};
			inFlight++;
			peak = Math.max(peak, inFlight);
			await new Promise((resolve) => setTimeout(resolve, 20));
			try {
				return await forward();
			} finally {
				inFlight--;
			}
		});
		try {
			const { outputs } = await runAction({
				items: items(60, 'F'),
				credentials: BASIC(proxy.url),
				parameters: batch({ concurrency: 2, batchSize: 30 }),
			});
			expect(outputs.Created).toHaveLength(60);
			expect(peak).toBeLessThanOrEqual(2);
		} finally {
			await proxy.close();
		}
	});

	it('Chain twice onto one issue, batch answer lost: one Chained, one Chain Conflict, as per item', async () => {
		await withEmulator({ auth: 'basic' }, async (open) => {
			await createdBy(open.url, { user_id: ABEL.sys_id, code: '102', experience_id: 'CH-1' });
			open.emulator.setIssueState('CH-1', 'action_wait');
			open.injectFault({ drop: 'after', match: { route: 'batch' } });
			const { outputs } = await runAction({
				items: [
					{ experience_id: 'CH-1', code: '103' },
					{ experience_id: 'CH-1', code: '103' },
				],
				credentials: BASIC(open.url),
				parameters: { ...CHAIN_ALONE, ...batch() },
			});
			expect(routed(outputs)).toEqual({ Chained: [0], 'Chain Conflict': [1] });
			expect(open.issues()[0].issue_code_history).toEqual(['102', '103']);
		});
	});

	it.each([
		['batch', 'batch', { sendMode: 'batch', batchSize: 1, concurrency: 2 }],
		['perItem', 'create', { concurrency: 2 }],
	] as const)(
		'one user named two ways, the first request lost, the second answered late (%s): each item its own outcome',
		async (_name, route, options) => {
			await withEmulator({ auth: 'basic' }, async (open) => {
				open.injectFault({ drop: 'before', count: 1, match: { route } });
				open.injectFault({ delayMs: 1500, count: 1, match: { route } });
				const { outputs } = await runAction({
					items: [
						{ user_name: 'abel.tuter', code: '100' },
						{ user_id: ABEL.sys_id, code: '100' },
					],
					credentials: BASIC(open.url),
					parameters: { options: { ...FAST, ...options } },
				});
				expect(routed(outputs)).toEqual({ Created: [1], 'Already Being Resolved': [0] });
				expect(open.issues()).toHaveLength(1);
			});
		},
	);

	it.each([
		['503', { status: 503, retryAfter: 0 }, 0],
		['429 with Retry-After 1', { status: 429, retryAfter: 1 }, 1000],
	])(
		'an item answered %s inside the batch keeps to Max Attempts and waits as a retry would',
		async (_name, fault, wait) => {
			sn.injectFault({ ...fault, count: 0, match: { route: 'create' } });
			const { outputs } = await sendBatch(items(1), { maxAttempts: 3 });
			const calls = creates();
			expect(calls).toHaveLength(3);
			expect(Date.parse(calls[1].time) - Date.parse(calls[0].time)).toBeGreaterThanOrEqual(wait);
			expect(Object.values(outputs).flat()[0].json.attempts).toBe(3);
		},
	);

	it('takes an item the instance answered, even when it also lists it as unserviced', async () => {
		const proxy = await startProxy(sn.url, async (req, forward) => {
			const answer = await forward();
			if (!isBatch(req.url) || answer.status !== 200) return answer;
			const parsed = JSON.parse(answer.body) as {
				serviced_requests: Array<{ id: string }>;
				unserviced_requests: string[];
			};
			parsed.unserviced_requests = parsed.serviced_requests.map((r) => r.id);
			return { ...answer, body: JSON.stringify(parsed) };
		});
		try {
			const { outputs } = await runAction({
				items: items(3),
				credentials: BASIC(proxy.url),
				parameters: batch(),
			});
			expect(routed(outputs)).toEqual({ Created: [0, 1, 2] });
			expect(sn.issues()).toHaveLength(3);
			expect(batches()).toHaveLength(1);
		} finally {
			await proxy.close();
		}
	});
});
