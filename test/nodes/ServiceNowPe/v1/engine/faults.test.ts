/**
 * The action node under injected faults (429 with Retry-After, 500/503, answers later than its
 * timeout, connections dropped before and after processing): every input item ends in exactly
 * one output, and the emulator never holds two issues being resolved for one user and code.
 */
import { startEmulator, type RunningEmulator } from '../../../../../emulator/server';
import { BASIC, routed, runAction } from '../../../../helpers/action';

const USERS = [
	'6816f79cc0a8016401c5a33be04be441',
	'a8f98bb0eb32010045e1a5115206fe3a',
	'46d44a23a9fe19810012d100cca80666',
	'62826bf03710200044e0bfc8bcbe5df1',
	'a8f98bb0eb32010045e1a5115206fe3b',
	'46d44a23a9fe19810012d100cca80667',
];
const CODES: Array<[string, string]> = [
	['100', 'sn'],
	['101', 'sn'],
	['102', 'sn'],
	['103', 'sn'],
	['T-100', 'tanium'],
];

let sn: RunningEmulator;
beforeAll(async () => {
	sn = await startEmulator({ port: 0, auth: 'basic' });
});
afterAll(() => sn.close());

it('loses and duplicates nothing when every kind of fault hits a batch of 30 items', async () => {
	const items = USERS.flatMap((user_id, u) =>
		CODES.map(([code, provider], c) => ({
			user_id,
			code,
			provider,
			experience_id: (u + c) % 2 === 0 ? `FAULT-${u}-${c}` : '',
		})),
	);
	const create = { route: 'create' as const };
	sn.injectFault({ status: 429, retryAfter: 1, count: 3, match: create });
	sn.injectFault({ status: 500, count: 2, match: create });
	sn.injectFault({ status: 503, retryAfter: 0, count: 2, match: create });
	sn.injectFault({ drop: 'before', count: 2, match: create });
	sn.injectFault({ drop: 'after', count: 2, match: create });
	sn.injectFault({ delayMs: 1500, count: 1, match: create }); // processed, answered after the node's 1 s timeout

	const { outputs, error } = await runAction({
		items,
		credentials: BASIC(sn.url),
		parameters: {
			options: {
				concurrency: 4,
				maxAttempts: 6,
				retryBaseDelayMs: 20,
				maxRetryWaitSeconds: 1,
				timeoutSeconds: 1,
			},
		},
	});
	expect(error).toBeUndefined();

	// Every item exactly once, in some output.
	const seen = Object.values(routed(outputs))
		.flat()
		.sort((a, b) => a - b);
	expect(seen).toEqual(items.map((_, i) => i));
	expect(sn.emulator.listFaults()).toEqual([]); // every fault was met

	const created = outputs.Created ?? [];
	// An item not created is one a fault may have processed: it says so, nothing is silent.
	const notCreated = Object.entries(outputs)
		.filter(([name]) => name !== 'Created')
		.flatMap(([, list]) => list);
	for (const item of notCreated) expect(item.json).toMatchObject({ mayHaveBeenCreated: true });
	// Lost answers on items with an experience_id were recognised as our own issue.
	expect(created.filter((o) => o.json.recoveredAfterRetry).length).toBeGreaterThanOrEqual(1);
	for (const o of created)
		expect(sn.issues().some((i) => i.experience_id === o.json.experience_id)).toBe(true);

	// One issue per item, never two for one user and code.
	const issues = sn.issues();
	expect(issues.length).toBeGreaterThanOrEqual(created.length);
	expect(issues.length).toBeLessThanOrEqual(items.length);
	const keys = issues.map((i) => `${i.user}|${i.provider}|${i.issue_code}`);
	expect(new Set(keys).size).toBe(keys.length);
	const createStatuses = sn
		.journal(0)
		.filter((e) => e.route === 'create')
		.map((e) => e.status);
	for (const status of [0, 429, 500, 503]) expect(createStatuses).toContain(status);
});

describe('a lost connection never hides or makes a duplicate', () => {
	const STATES = ['open', 'in_progress', 'action_wait', 'closed'] as const;
	const emulators: Record<string, RunningEmulator> = {};
	beforeAll(async () => {
		// A real instance may close an issue within moments (silent execution): new issues start in each state.
		for (const state of STATES)
			emulators[state] = await startEmulator({ port: 0, auth: 'basic', initialState: state });
	});
	afterAll(() => Promise.all(Object.values(emulators).map((e) => e.close())));

	const cases = STATES.flatMap((state) =>
		[true, false].flatMap((withId) =>
			(['before', 'after'] as const).map((drop) => ({ state, withId, drop })),
		),
	);

	it.each(cases)(
		'new issues $state, experience_id: $withId, connection dropped $drop processing: one issue, on Created, said as it is',
		async ({ state, withId, drop }) => {
			const emu = emulators[state];
			emu.reset();
			emu.injectFault({ drop, count: 1, match: { route: 'create' } });
			const item = {
				user_id: USERS[3],
				code: '101',
				experience_id: withId ? `DROP-${state}-${drop}` : '',
			};
			const { outputs } = await runAction({
				items: [item],
				credentials: BASIC(emu.url),
				parameters: { options: { retryBaseDelayMs: 10 } },
			});
			expect(routed(outputs)).toEqual({ Created: [0] });
			const issues = emu.issues();
			expect(issues).toHaveLength(1);
			expect(issues[0].issue_code_history).toEqual(['101']); // never chained onto itself
			const json = outputs.Created[0].json;
			expect(json.experience_id).toBe(issues[0].experience_id);
			// Dropped after: the issue is found, nothing resent. Dropped before: resent — and, since a
			// broken connection never says on which side of processing it broke (the instance may still
			// be working on it), the item says an earlier attempt may have made another issue.
			expect([json.recoveredAfterRetry ?? false, json.attempts, json.mayHaveBeenCreated]).toEqual(
				drop === 'after' ? [true, 1, undefined] : [false, 2, true],
			);
		},
	);

	it('when the issue table cannot be read, does not resend an experience_id (it could chain onto its own issue) and says so', async () => {
		const emu = emulators.action_wait;
		emu.reset();
		emu.injectFault({ drop: 'after', count: 1, match: { route: 'create' } });
		emu.injectFault({ status: 500, count: 0, match: { route: 'table' } });
		const { outputs } = await runAction({
			items: [{ user_id: USERS[3], code: '101', experience_id: 'UNREADABLE-1' }],
			credentials: BASIC(emu.url),
			parameters: { options: { retryBaseDelayMs: 10, maxAttempts: 2 } },
		});
		expect(routed(outputs)).toEqual({ Other: [0] });
		expect(outputs.Other[0].json).toMatchObject({
			errorCode: 'NETWORK_ERROR',
			mayHaveBeenCreated: true,
			attempts: 1,
		});
		expect(emu.issues().map((i) => i.issue_code_history)).toEqual([['101']]);
		emu.emulator.clearFaults();
	});
});
