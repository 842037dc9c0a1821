/**
 * Answers the node cannot read: bytes that are not HTTP, a 200 cut off in its body, and lost answers
 * on an instance that sends no clock (no Date header). The node never fails for an answer it cannot
 * read, and no item ends Created while a second issue of it may exist unless it says
 * `mayHaveBeenCreated: true`. Each case counts what the emulator holds.
 */
import type { IssueState } from '../../../../../contract/api';
import { ABEL_100, BASIC, expectRecovered, routed, runAction } from '../../../../helpers/action';
import { ABEL, BETH, DAVID, stillEmulators } from '../../../../helpers/http';
import { isBatch, startRawFront } from '../../../../helpers/proxy';

const closers: Array<() => Promise<void>> = [];
afterAll(() => Promise.all(closers.map((close) => close())));
/** Issues stay as they start: no engagement scenario moves them while a test runs. */
const emulator = stillEmulators();

/** A front on 127.0.0.1 before the emulator at `target`, answering with what `answer` gives (see startRawFront): its URL. */
async function rawFront(
	target: string,
	answer: Parameters<typeof startRawFront>[1],
	date = true,
): Promise<string> {
	const front = await startRawFront(target, answer, date);
	closers.push(front.close);
	return front.url;
}

describe('an answer that is not HTTP', () => {
	const GARBAGE = 'SSH-2.0-OpenSSH_9.6\r\n\r\n';
	const ONE_ATTEMPT = { maxAttempts: 1, concurrency: 3 };
	const items = [
		{ user_id: ABEL.sys_id, code: '100' },
		{ user_id: BETH.sys_id, code: '100' },
		{ user_id: DAVID.sys_id, code: '100' },
	];
	/** Beth's create is processed, then answered with bytes that are not HTTP — the first time only. */
	const garbageForBeth = () => {
		let done = false;
		return (req: { url: string; body: string }) => {
			if (done || !req.url.includes('/experience_issue/create') || !req.body.includes(BETH.sys_id))
				return undefined;
			done = true;
			return GARBAGE;
		};
	};

	/** Beth's create is processed, then answered with an HTTP 200 whose body stops short of its declared length. */
	const cutOffForBeth = (req: { url: string; body: string }) =>
		req.url.includes('/experience_issue/create') && req.body.includes(BETH.sys_id)
			? [
					'HTTP/1.1 200 OK',
					'content-type: application/json',
					'content-length: 400',
					'connection: close',
					'',
					'{"result":{"exper',
				].join('\r\n')
			: undefined;

	/** Sends the three items through the front at `url` with these options; the node must not fail. */
	async function sendThree(url: string, options: Record<string, unknown>) {
		const { outputs, error } = await runAction({
			items,
			credentials: BASIC(url),
			parameters: { options },
		});
		expect(error).toBeUndefined();
		return outputs;
	}

	it('the last attempt: that item goes to Other flagged, its siblings keep their outputs, the node does not fail', async () => {
		const e = await emulator('open');
		const outputs = await sendThree(await rawFront(e.url, garbageForBeth()), ONE_ATTEMPT);
		expect(routed(outputs)).toEqual({ Created: [0, 2], Other: [1] });
		expect(outputs.Other[0].json).toMatchObject({
			errorCode: 'NETWORK_ERROR',
			mayHaveBeenCreated: true,
			attempts: 1,
		});
		expect(String(outputs.Other[0].json.detail)).toMatch(/HPE_INVALID_CONSTANT/);
		expect(e.issues()).toHaveLength(3);
	});

	it('an HTTP 200 cut off in its body (no experience_id to read): the issue it made is found, not left unreported', async () => {
		const e = await emulator('open');
		const outputs = await sendThree(await rawFront(e.url, cutOffForBeth), ONE_ATTEMPT);
		expect(routed(outputs)).toEqual({ Created: [0, 1, 2] });
		const beth = e.issues().find((i) => i.user === BETH.sys_id);
		expectRecovered(outputs.Created[1], { experience_id: beth?.experience_id, attempts: 1 });
		expect(e.issues()).toHaveLength(3);
	});

	it('an HTTP 200 cut off in its body whose issue cannot be looked for: Other, flagged', async () => {
		const e = await emulator('open');
		e.injectFault({ status: 403, count: 0, match: { route: 'table' } });
		const outputs = await sendThree(await rawFront(e.url, cutOffForBeth), ONE_ATTEMPT);
		expect(routed(outputs)).toEqual({ Created: [0, 2], Other: [1] });
		expect(outputs.Other[0].json).toMatchObject({
			errorCode: 'UNRECOGNISED_ANSWER',
			httpStatus: 200,
			mayHaveBeenCreated: true,
		});
		expect(e.issues()).toHaveLength(3);
	});

	it('with attempts left: the issue it made is found, nothing is sent twice', async () => {
		const e = await emulator('closed');
		const outputs = await sendThree(await rawFront(e.url, garbageForBeth()), {
			maxAttempts: 3,
			retryBaseDelayMs: 10,
			concurrency: 3,
		});
		expect(routed(outputs)).toEqual({ Created: [0, 1, 2] });
		expectRecovered(outputs.Created[1], { attempts: 1 });
		expect(e.issues()).toHaveLength(3);
	});

	it('a batch answered so: every item found in the issue table, nothing sent twice', async () => {
		const e = await emulator('closed');
		const url = await rawFront(e.url, (req) => (isBatch(req.url) ? GARBAGE : undefined));
		const outputs = await sendThree(url, { sendMode: 'batch', retryBaseDelayMs: 10 });
		expect(routed(outputs)).toEqual({ Created: [0, 1, 2] });
		for (const item of outputs.Created)
			expect(item.json).toMatchObject({ recoveredAfterRetry: true, sentInBatch: true });
		expect(e.issues()).toHaveLength(3);
	});
});

describe('an instance that sends no Date header', () => {
	const TWO_MINUTES_BEHIND = () => Date.now() - 120_000;
	const OPTIONS = { retryBaseDelayMs: 10, maxAttempts: 3, timeoutSeconds: 5 };

	/** Abel's issue of code 100 sent to such an instance, its first answer lost after it was processed. */
	async function answerLost(initialState: IssueState, now?: () => number) {
		const e = await emulator(initialState, now);
		e.injectFault({ drop: 'after', match: { route: 'create' } });
		const url = await rawFront(e.url, () => undefined, false);
		const { outputs } = await runAction({
			items: [ABEL_100],
			credentials: BASIC(url),
			parameters: { options: OPTIONS },
		});
		return { e, outputs };
	}

	it('two minutes behind, answer lost, new issues open: never an unflagged "already being resolved" for its own issue', async () => {
		const { e, outputs } = await answerLost('open', TWO_MINUTES_BEHIND);
		expect(e.issues()).toHaveLength(1);
		// Its own issue looks two minutes old: without the instance's clock that may be the attempt's.
		expect(routed(outputs)).toEqual({ 'Already Being Resolved': [0] });
		expect(outputs['Already Being Resolved'][0].json).toMatchObject({
			errorCode: 'BEING_RESOLVED',
			mayHaveBeenCreated: true,
			attempts: 2,
		});
	});

	it('two minutes behind, answer lost, new issues closed at once: a second issue is never unflagged', async () => {
		const { e, outputs } = await answerLost('closed', TWO_MINUTES_BEHIND);
		expect(routed(outputs)).toEqual({ Created: [0] });
		expect(e.issues()).toHaveLength(2);
		expect(outputs.Created[0].json).toMatchObject({
			experience_id: e.issues()[1].experience_id,
			mayHaveBeenCreated: true,
			attempts: 2,
		});
	});

	it('clocks that agree and no earlier issue of the user and code: the lost answer is still recovered, unflagged', async () => {
		const { e, outputs } = await answerLost('open');
		expect(routed(outputs)).toEqual({ Created: [0] });
		expectRecovered(outputs.Created[0], { experience_id: e.issues()[0].experience_id });
		expect(e.issues()).toHaveLength(1);
	});
});
