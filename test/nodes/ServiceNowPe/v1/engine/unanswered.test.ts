/**
 * Attempts the instance processes after the node timed out (or after a gateway answered for it).
 * An attempt without answer may still be processed, so a read that finds nothing proves nothing:
 * no item ends Created or Chained while a second issue or chain of it may exist unless it says
 * `mayHaveBeenCreated: true`; a chain onto an issue still in action_wait is not sent again. Each
 * case counts what the emulator holds once the late attempts were processed. Answers that cannot
 * be read: unreadable.test.ts.
 */
import type { RunningEmulator } from '../../../../../emulator/server';
import {
	ABEL_100,
	BASIC,
	CHAIN_ALONE,
	expectRecovered,
	routed,
	runAction,
} from '../../../../helpers/action';
import { ABEL, BETH, DAVID, stillEmulators } from '../../../../helpers/http';
import { isBatch, startProxy } from '../../../../helpers/proxy';

const closers: Array<() => Promise<void>> = [];
afterAll(() => Promise.all(closers.map((close) => close())));
/** Issues stay as they start: no engagement scenario moves them while a test runs. */
const emulator = stillEmulators();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A proxy that holds the requests `hold` picks for `ms` and then passes them on, whether or not
 * the node still waits: the instance processes them after the node gave up. `late()` waits until
 * every held request was processed.
 */
async function slowInstance(
	target: string,
	hold: (req: { url: string; body: string }) => boolean,
	ms: number,
) {
	const held: Array<Promise<unknown>> = [];
	const proxy = await startProxy(target, async (req, forward) => {
		if (!hold(req)) return forward();
		const processed = sleep(ms).then(forward);
		held.push(processed.catch(() => undefined));
		return processed;
	});
	closers.push(() => proxy.close());
	return { url: proxy.url, late: () => Promise.all(held) };
}

/** Created items whose user and code have more than one issue, and that do not say so. */
function silentDuplicates(e: RunningEmulator, created: Array<{ json: Record<string, unknown> }>) {
	return created.filter(({ json }) => {
		const request = json.request as { endpoint: { user_id: string }; issue_code: string };
		const same = e
			.issues()
			.filter((i) => i.user === request.endpoint.user_id && i.issue_code === request.issue_code);
		return same.length > 1 && json.mayHaveBeenCreated !== true;
	});
}

const USERS = [ABEL.sys_id, BETH.sys_id, DAVID.sys_id];
/** Six creates, each its own user and code. */
const SIX = USERS.flatMap((user_id) => ['100', '101'].map((code) => ({ user_id, code })));

/** Six issues waiting in action_wait; a chain puts an issue straight back there (new issues start in action_wait). */
async function waitingIssues(): Promise<RunningEmulator> {
	const e = await emulator('action_wait');
	for (let i = 0; i < 6; i++) {
		const created = await runAction({
			items: [{ user_id: USERS[i % 3], code: i < 3 ? '100' : '102', experience_id: `WAIT-${i}` }],
			credentials: BASIC(e.url),
		});
		expect(routed(created.outputs)).toEqual({ Created: [0] });
	}
	return e;
}
const chains = () =>
	Array.from({ length: 6 }, (_, i) => ({ experience_id: `WAIT-${i}`, code: '103' }));

describe('an attempt the instance processes after the node timed out', () => {
	const OPTIONS = { timeoutSeconds: 2, retryBaseDelayMs: 10, maxAttempts: 3, concurrency: 6 };
	type Hold = (req: { url: string; body: string }) => boolean;
	/** Which requests the instance processes late: the batch, or each item's first create (not its resend). */
	const MODES: Array<[string, Record<string, unknown>, () => Hold]> = [
		['Batch API', { sendMode: 'batch' }, () => (req) => isBatch(req.url)],
		[
			'one request per item',
			{},
			() => {
				const seen = new Set<string>();
				return (req) => {
					if (!req.url.includes('/experience_issue/create') || seen.has(req.body)) return false;
					seen.add(req.body);
					return true;
				};
			},
		],
	];

	it.each(MODES)(
		'%s, new issues closed at once: every item with a second issue says it may have one',
		async (_mode, mode, hold) => {
			const e = await emulator('closed');
			const slow = await slowInstance(e.url, hold(), 3000);
			const { outputs, error } = await runAction({
				items: SIX,
				credentials: BASIC(slow.url),
				parameters: { options: { ...OPTIONS, ...mode } },
			});
			await slow.late();
			expect(error).toBeUndefined();
			// Nothing found by the read after the timeout: each sent again, and the late attempts were
			// processed after that — two issues each, and every item says so.
			expect(routed(outputs)).toEqual({ Created: [0, 1, 2, 3, 4, 5] });
			expect(e.issues()).toHaveLength(12);
			expect(silentDuplicates(e, outputs.Created)).toEqual([]);
			for (const item of outputs.Created)
				expect(item.json).toMatchObject({ mayHaveBeenCreated: true, attempts: 2 });
		},
	);

	it.each(MODES)(
		'%s, chains onto issues put back in action_wait at once: each applied once, none sent again, every item flagged',
		async (_mode, mode, hold) => {
			const e = await waitingIssues();
			const slow = await slowInstance(e.url, hold(), 3000);
			const { outputs, error } = await runAction({
				items: chains(),
				credentials: BASIC(slow.url),
				parameters: { ...CHAIN_ALONE, options: { ...OPTIONS, ...mode } },
			});
			await slow.late();
			expect(error).toBeUndefined();
			expect(routed(outputs)).toEqual({ Other: [0, 1, 2, 3, 4, 5] });
			for (const item of outputs.Other)
				expect(item.json).toMatchObject({
					errorCode: 'NETWORK_ERROR',
					mayHaveBeenCreated: true,
					attempts: 1,
				});
			for (let i = 0; i < 6; i++)
				expect(e.issues().find((x) => x.experience_id === `WAIT-${i}`)?.issue_code_history).toEqual(
					[i < 3 ? '100' : '102', '103'],
				);
		},
	);

	it("a gateway's 504 counts as no answer (the instance may still be working): a chain is not sent again, a create is flagged", async () => {
		const e = await waitingIssues();
		e.injectFault({ status: 504, count: 2, match: { route: 'create' } });
		const items = [{ experience_id: 'WAIT-0', code: '103' }];
		const chained = await runAction({
			items,
			credentials: BASIC(e.url),
			parameters: { ...CHAIN_ALONE, options: OPTIONS },
		});
		expect(routed(chained.outputs)).toEqual({ Other: [0] });
		expect(chained.outputs.Other[0].json).toMatchObject({
			errorCode: 'SERVER_ERROR',
			httpStatus: 504,
			mayHaveBeenCreated: true,
			attempts: 1,
		});
		const created = await runAction({
			items: [{ user_id: ABEL.sys_id, code: '101' }],
			credentials: BASIC(e.url),
			parameters: { options: OPTIONS },
		});
		expect(routed(created.outputs)).toEqual({ Created: [0] });
		expect(created.outputs.Created[0].json).toMatchObject({
			mayHaveBeenCreated: true,
			attempts: 2,
		});
	});

	it.each([502, 524, 599])(
		"a gateway's %i while the instance still works (it processes the request after the node's read): the second issue is flagged",
		async (status) => {
			const e = await emulator('closed');
			let first = true;
			const late: Array<Promise<unknown>> = [];
			const proxy = await startProxy(e.url, async (req, forward) => {
				if (!first || !req.url.includes('/experience_issue/create')) return forward();
				first = false;
				// The gateway answers at once; the instance gets the request after the node's read.
				late.push(
					sleep(1500)
						.then(forward)
						.catch(() => undefined),
				);
				return {
					status,
					headers: { 'content-type': 'text/html' },
					body: '<html>A timeout occurred</html>',
				};
			});
			closers.push(() => proxy.close());
			const { outputs, error } = await runAction({
				items: [{ user_id: ABEL.sys_id, code: '100' }],
				credentials: BASIC(proxy.url),
				parameters: { options: { retryBaseDelayMs: 2000, maxAttempts: 3, timeoutSeconds: 5 } },
			});
			await Promise.all(late);
			expect(error).toBeUndefined();
			expect(e.issues()).toHaveLength(2);
			expect(routed(outputs)).toEqual({ Created: [0] });
			expect(outputs.Created[0].json).toMatchObject({ mayHaveBeenCreated: true, attempts: 2 });
		},
	);

	it('a resend answered "already being resolved" still finds the issue the late attempt made, unflagged', async () => {
		const e = await emulator('open');
		// The first attempt is processed 3 s after it was sent: after the node's read (2 s), before its resend (4 s).
		const slow = await slowInstance(
			e.url,
			(() => {
				let first = true;
				return (req: { url: string }) => {
					const hold = first && req.url.includes('/experience_issue/create');
					if (hold) first = false;
					return hold;
				};
			})(),
			3000,
		);
		const { outputs } = await runAction({
			items: [ABEL_100],
			credentials: BASIC(slow.url),
			parameters: { options: { ...OPTIONS, retryBaseDelayMs: 2000 } },
		});
		await slow.late();
		expect(routed(outputs)).toEqual({ Created: [0] });
		expectRecovered(outputs.Created[0], {
			experience_id: e.issues()[0].experience_id,
			attempts: 2,
		});
		expect(e.issues()).toHaveLength(1);
	});
});
