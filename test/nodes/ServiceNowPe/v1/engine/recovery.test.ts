/**
 * The recovery read after a lost answer, where it could go wrong: another item's issue, an older
 * issue of the same user and code, an instance clock far from ours, an endpoint whose first field
 * does not resolve, chains (applied or not, twice), and a genuine refusal after a lost attempt.
 * Each case counts the issues the emulator holds and checks where every item came out.
 */
import type { RunningEmulator } from '../../../../../emulator/server';
import type { IssueState } from '../../../../../contract/api';
import {
	ABEL_100,
	BASIC,
	CHAIN,
	expectRecovered,
	routed,
	runAction,
} from '../../../../helpers/action';
import { ABEL, ADMIN_AUTH, makeIssue, stillEmulators } from '../../../../helpers/http';
import { startProxy } from '../../../../helpers/proxy';

const FAST = { retryBaseDelayMs: 10, timeoutSeconds: 2, maxAttempts: 3 };
let offset = 0;
const started = stillEmulators();
/** Issues stay as they start (no engagement scenario moves them while the clock is shifted). */
const emulator = (initialState: IssueState, now: () => number = () => Date.now() + offset) =>
	started(initialState, now);
beforeEach(() => (offset = 0));

/** Abel's issue of code 100 (with this experience_id, if given), made directly on the instance this long ago by its clock. */
async function abelsIssueAgo(e: RunningEmulator, ms: number, experienceId?: string): Promise<void> {
	offset = -ms;
	await makeIssue(e.url, ABEL.sys_id, '100', experienceId, ADMIN_AUTH);
	offset = 0;
}

/** Creates through the action node against this emulator, retrying fast. */
const create = (
	e: RunningEmulator,
	items: Array<Record<string, unknown>> = [ABEL_100],
	options: Record<string, unknown> = {},
) =>
	runAction({ items, credentials: BASIC(e.url), parameters: { options: { ...FAST, ...options } } });

const json = (
	outputs: Record<string, Array<{ json: Record<string, unknown> }>>,
	name: string,
	k = 0,
) => outputs[name][k].json;

describe('recovery after a lost answer', () => {
	it('two items for the same user and code, the first attempt lost before processing: one issue, one Created, one Already Being Resolved', async () => {
		const e = await emulator('open');
		e.injectFault({ drop: 'before', match: { route: 'create' } });
		const { outputs } = await create(e, [ABEL_100, ABEL_100], { concurrency: 2 });
		expect(routed(outputs)).toEqual({ Created: [0], 'Already Being Resolved': [1] });
		expect(json(outputs, 'Created').experience_id).toBe(e.issues()[0].experience_id);
		expect(json(outputs, 'Already Being Resolved').mayHaveBeenCreated).toBeUndefined();
		expect(e.issues()).toHaveLength(1);
	});

	it('the same with new issues closed at once: two items, two issues, two experience_ids', async () => {
		const e = await emulator('closed');
		e.injectFault({ drop: 'before', match: { route: 'create' } });
		const { outputs } = await create(e, [ABEL_100, ABEL_100], { concurrency: 2 });
		expect(routed(outputs)).toEqual({ Created: [0, 1] });
		const ids = outputs.Created.map((i) => i.json.experience_id);
		expect(new Set(ids).size).toBe(2);
		expect(
			e
				.issues()
				.map((i) => i.experience_id)
				.sort(),
		).toEqual([...ids].sort());
	});

	it('ten items, new issues closed at once, three attempts lost: ten issues, ten distinct ids', async () => {
		const e = await emulator('closed');
		e.injectFault({ drop: 'before', count: 3, match: { route: 'create' } });
		const items = Array.from({ length: 10 }, () => ({ user_id: ABEL.sys_id, code: '100' }));
		// Requests of one user and code go one after another: the first takes all three losses.
		const { outputs } = await create(e, items, { maxAttempts: 4, concurrency: 10 });
		expect(outputs.Created).toHaveLength(10);
		expect(new Set(outputs.Created.map((i) => i.json.experience_id)).size).toBe(10);
		expect(e.issues()).toHaveLength(10);
	});

	it('does not take an older issue of the same user and code (20 s before) for its own', async () => {
		const e = await emulator('closed');
		await abelsIssueAgo(e, 20_000);
		const older = e.issues()[0].experience_id;
		e.injectFault({ drop: 'before', match: { route: 'create' } });
		const { outputs } = await create(e);
		expect(routed(outputs)).toEqual({ Created: [0] });
		expect(json(outputs, 'Created').experience_id).not.toBe(older);
		expect(json(outputs, 'Created').recoveredAfterRetry).toBeUndefined();
		expect(e.issues()).toHaveLength(2);
	});

	it("finds its issue by the instance's clock when that is two minutes behind ours", async () => {
		const e = await emulator('closed', () => Date.now() - 120_000);
		e.injectFault({ drop: 'after', match: { route: 'create' } });
		const { outputs } = await create(e);
		expect(routed(outputs)).toEqual({ Created: [0] });
		expect(json(outputs, 'Created')).toMatchObject({
			experience_id: e.issues()[0].experience_id,
			recoveredAfterRetry: true,
		});
		expect(e.issues()).toHaveLength(1);
	});

	it.each(['closed', 'open'] as const)(
		'finds its issue when the instance fell back from a stale user_id to the user_name (new issues %s)',
		async (state) => {
			const e = await emulator(state);
			e.injectFault({ drop: 'after', match: { route: 'create' } });
			const { outputs } = await create(e, [
				{ user_id: 'f'.repeat(32), user_name: ABEL.user_name, code: '100' },
			]);
			expect(routed(outputs)).toEqual({ Created: [0] });
			expectRecovered(outputs.Created[0]);
			expect(e.issues()).toHaveLength(1);
		},
	);

	it('a genuine refusal after an attempt lost before processing is not flagged as maybe created', async () => {
		const e = await emulator('open');
		await abelsIssueAgo(e, 300_000);
		e.injectFault({ drop: 'before', match: { route: 'create' } });
		const { outputs } = await create(e);
		expect(routed(outputs)).toEqual({ 'Already Being Resolved': [0] });
		expect(json(outputs, 'Already Being Resolved').mayHaveBeenCreated).toBeUndefined();
		expect(e.issues()).toHaveLength(1);
	});
});

describe('recovery of chains', () => {
	const chainParameters = { ...CHAIN, options: FAST };
	/** Chains this code onto this experience_id on the instance at `url`, retrying fast. */
	const chain = (url: string, experienceId: string, code: string) =>
		runAction({
			items: [{ experience_id: experienceId, code }],
			credentials: BASIC(url),
			parameters: chainParameters,
		});

	/** An issue made a minute ago, now waiting in action_wait. */
	async function waiting(initialState: IssueState, id: string): Promise<RunningEmulator> {
		const e = await emulator(initialState);
		await abelsIssueAgo(e, 60_000, id);
		e.emulator.setIssueState(id, 'action_wait');
		return e;
	}

	it('Chain the code the issue already carries, answered 503 (not processed): resent, chained once', async () => {
		const e = await waiting('open', 'SAME-1');
		e.injectFault({ status: 503, retryAfter: 0, match: { route: 'create' } });
		const { outputs } = await chain(e.url, 'SAME-1', '100');
		expect(routed(outputs)).toEqual({ Chained: [0] });
		expect(outputs.Chained[0].json.mayHaveBeenCreated).toBeUndefined();
		expect(e.issues()[0].issue_code_history).toEqual(['100', '100']);
	});

	it('Chain whose connection broke (no answer) onto an issue still in action_wait: not resent (it could chain twice), said as it is', async () => {
		const e = await waiting('open', 'SAME-2');
		e.injectFault({ drop: 'before', match: { route: 'create' } });
		const { outputs } = await chain(e.url, 'SAME-2', '100');
		expect(routed(outputs)).toEqual({ Other: [0] });
		expect(json(outputs, 'Other')).toMatchObject({
			errorCode: 'NETWORK_ERROR',
			mayHaveBeenCreated: true,
			attempts: 1,
		});
		expect(e.issues()[0].issue_code_history).toEqual(['100']);
	});

	it('Chain whose connection broke onto an issue no longer in action_wait: resent, the conflict said as it is', async () => {
		const e = await waiting('open', 'SAME-3');
		e.injectFault({ drop: 'before', match: { route: 'create' } });
		// Someone moves the issue on while the attempt is lost.
		const moved = startProxy(e.url, async (req, forward) => {
			if (req.url.includes('/experience_issue/create'))
				e.emulator.setIssueState('SAME-3', 'in_progress');
			return forward();
		});
		const proxy = await moved;
		try {
			const { outputs } = await chain(proxy.url, 'SAME-3', '101');
			expect(routed(outputs)).toEqual({ 'Chain Conflict': [0] });
			expect(json(outputs, 'Chain Conflict')).toMatchObject({ attempts: 2 });
			expect(json(outputs, 'Chain Conflict').mayHaveBeenCreated).toBeUndefined();
			expect(e.issues()[0].issue_code_history).toEqual(['100']);
		} finally {
			await proxy.close();
		}
	});

	it('Chain whose answer is lost: found by the grown history, not resent', async () => {
		const e = await waiting('action_wait', 'LOST-1');
		e.injectFault({ drop: 'after', match: { route: 'create' } });
		const { outputs } = await chain(e.url, 'LOST-1', '101');
		expect(routed(outputs)).toEqual({ Chained: [0] });
		expect(json(outputs, 'Chained').recoveredAfterRetry).toBe(true);
		expect(e.issues()[0].issue_code_history).toEqual(['100', '101']);
	});

	it('two Chains onto one issue, the first answer lost: each applied once, in order', async () => {
		const e = await waiting('action_wait', 'TWO-1');
		e.injectFault({ drop: 'after', match: { route: 'create' } });
		const items = [
			{ experience_id: 'TWO-1', code: '101' },
			{ experience_id: 'TWO-1', code: '102' },
		];
		const { outputs } = await runAction({
			items,
			credentials: BASIC(e.url),
			parameters: {
				...chainParameters,
				options: { ...FAST, concurrency: 2, retryBaseDelayMs: 300 },
			},
		});
		expect(routed(outputs)).toEqual({ Chained: [0, 1] });
		expect(e.issues()[0].issue_code_history).toEqual(['100', '101', '102']);
	});

	it('Create with the experience_id of an older issue, answer lost: not resent (it could chain twice) and said as it is', async () => {
		const e = await waiting('action_wait', 'OLD-1');
		e.injectFault({ drop: 'after', match: { route: 'create' } });
		const items = [
			{ user_id: ABEL.sys_id, code: '101', experience_id: 'OLD-1' },
			{ user_id: ABEL.sys_id, code: '102', experience_id: 'OLD-1' },
		];
		const { outputs } = await create(e, items, { concurrency: 2, retryBaseDelayMs: 300 });
		expect(routed(outputs)).toEqual({ Other: [0], Created: [1] });
		expect(json(outputs, 'Other')).toMatchObject({
			errorCode: 'NETWORK_ERROR',
			mayHaveBeenCreated: true,
			attempts: 1,
		});
		expect(e.issues()[0].issue_code_history).toEqual(['100', '101', '102']);
	});
});
