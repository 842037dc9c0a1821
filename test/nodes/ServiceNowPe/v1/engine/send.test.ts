/**
 * The send engine's retries and parallel sending: 429 waited out with Retry-After, 5xx retried, a
 * lost answer's issue found instead of resent, the attempts allowed kept to; items sent in
 * parallel come out in input order.
 */
import { BASIC, expectRecovered, routed, runAction, sendAbel100 } from '../../../../helpers/action';
import { ABEL, BETH, DAVID, emulatorForSuite, statusesOf } from '../../../../helpers/http';

const sn = emulatorForSuite({ auth: 'basic' });

describe('retries', () => {
	it('waits out 429 with Retry-After and retries 500/503: every item ends in one output, no duplicate issue', async () => {
		sn.injectFault({ status: 429, retryAfter: 1, count: 2, match: { route: 'create' } });
		sn.injectFault({ status: 503, retryAfter: 0, count: 1, match: { route: 'create' } });
		sn.injectFault({ status: 500, count: 1, match: { route: 'create' } });
		const items = [ABEL.sys_id, BETH.sys_id, DAVID.sys_id].map((user_id) => ({
			user_id,
			code: '100',
		}));
		const started = Date.now();
		const { outputs } = await runAction({
			items,
			credentials: BASIC(sn.url),
			parameters: { options: { concurrency: 2, maxAttempts: 5, retryBaseDelayMs: 20 } },
		});
		expect(Date.now() - started).toBeGreaterThanOrEqual(1000); // Retry-After: 1
		expect(routed(outputs)).toEqual({ Created: [0, 1, 2] });
		const attempts = outputs.Created.map((i) => Number(i.json.attempts));
		expect(attempts.reduce((a, b) => a + b)).toBe(7); // 4 failed answers spread over the items, 3 successes
		expect(sn.issues()).toHaveLength(3);
		expect(statusesOf(sn, 'create').sort()).toEqual([200, 200, 200, 429, 429, 500, 503]);
	});

	it('finds the issue a lost answer created instead of resending: by experience_id, or by user, code and time', async () => {
		for (const item of [
			{ user_id: ABEL.sys_id, code: '100', experience_id: 'LOST-1' },
			{ user_id: BETH.sys_id, code: '100' },
		]) {
			sn.reset();
			sn.injectFault({ drop: 'after', count: 1, match: { route: 'create' } });
			const { outputs } = await runAction({
				items: [item],
				credentials: BASIC(sn.url),
				parameters: { options: { retryBaseDelayMs: 10 } },
			});
			expect(routed(outputs)).toEqual({ Created: [0] });
			const [issue] = sn.issues();
			expectRecovered(outputs.Created[0], { experience_id: issue.experience_id, attempts: 1 });
			expect(sn.issues()).toHaveLength(1);
			expect(sn.journal().filter((e) => e.route === 'create')).toHaveLength(1);
		}
	});

	it('flags an item when it cannot tell whether a lost answer created the issue (the issue table cannot be read)', async () => {
		sn.injectFault({ drop: 'after', count: 1, match: { route: 'create' } });
		sn.injectFault({ status: 403, count: 0, match: { route: 'table' } });
		const { outputs } = await sendAbel100(BASIC(sn.url), { options: { retryBaseDelayMs: 10 } });
		expect(routed(outputs)).toEqual({ 'Already Being Resolved': [0] });
		expect(outputs['Already Being Resolved'][0].json).toMatchObject({
			mayHaveBeenCreated: true,
			attempts: 2,
		});
		expect(sn.issues()).toHaveLength(1);
		sn.emulator.clearFaults();
	});

	it('gives up after the attempts allowed and routes the last answer', async () => {
		sn.injectFault({ status: 503, retryAfter: 0, count: 5, match: { route: 'create' } });
		const { outputs } = await sendAbel100(BASIC(sn.url), {
			options: { maxAttempts: 3, retryBaseDelayMs: 5 },
		});
		expect(outputs.Other[0].json).toMatchObject({
			errorCode: 'SERVICE_UNAVAILABLE',
			httpStatus: 503,
			attempts: 3,
		});
	});
});

describe('concurrency', () => {
	it('sends items in parallel and keeps output order and pairedItem', async () => {
		const users = [
			'6816f79cc0a8016401c5a33be04be441',
			'a8f98bb0eb32010045e1a5115206fe3a',
			'46d44a23a9fe19810012d100cca80666',
			ABEL.sys_id,
			BETH.sys_id,
			DAVID.sys_id,
		];
		const items = users.flatMap((user_id, u) =>
			['100', '101', '102'].map((code) => ({ user_id, code, experience_id: `PAR-${u}-${code}` })),
		);
		// The first items answer late, so later ones finish first.
		sn.injectFault({ delayMs: 300, count: 3, match: { route: 'create' } });
		const { outputs } = await runAction({
			items,
			credentials: BASIC(sn.url),
			parameters: { options: { concurrency: 6 } },
		});
		expect(routed(outputs)).toEqual({ Created: items.map((_, i) => i) });
		expect(outputs.Created.map((o) => o.json.experience_id)).toEqual(
			items.map((i) => i.experience_id),
		);
		// While the first three answers were held back, the other slots went on sending.
		const received = sn
			.journal()
			.filter((e) => e.route === 'create')
			.map((e) => Date.parse(e.time));
		expect(received.filter((t) => t - received[0] < 250).length).toBeGreaterThanOrEqual(6);
	});
});
