/**
 * Attempts whose fate the node cannot read: processed by the instance after the node timed out,
 * answered with bytes that are not HTTP or with a 200 cut off, and lost answers on an instance that
 * sends no clock (no Date header). An attempt without answer may still be processed, so a read
 * that finds nothing proves nothing: no item ends Created or Chained while a second issue or chain
 * of it may exist unless it says `mayHaveBeenCreated: true`; a chain onto an issue still in
 * action_wait is not sent again; the node never fails for an answer it cannot read. Each case
 * counts what the emulator holds once the late attempts were processed. */
import { createServer as createTcpServer, type Socket } from 'node:net';
import { startEmulator, type RunningEmulator } from '../../../../../emulator/server';
import { defaultSeed } from '../../../../../emulator/core';
import type { IssueState } from '../../../../../contract/api';
import { BASIC, routed, runAction } from '../../../../helpers/action';
import { ABEL, BETH } from '../../../../helpers/http';
import { isBatch, startProxy, type Upstream } from '../../../../helpers/proxy';

const DAVID = '46d44a23a9fe19810012d100cca80667';
const closers: Array<() => Promise<void>> = [];
afterAll(() => Promise.all(closers.map((close) => close())));

/** Issues stay as they start: no engagement scenario moves them while a test runs. */
async function emulator(initialState: IssueState, now?: () => number): Promise<RunningEmulator> {
	const seed = defaultSeed();
	for (const code of seed.issue_codes) delete code.scenario;
	const e = await startEmulator({
		port: 0,
		auth: 'basic',
		initialState,
		seed,
		...(now ? { now } : {}),
	});
	closers.push(() => e.close());
	return e;
}

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

const USERS = [ABEL.sys_id, BETH.sys_id, DAVID];
/** Six creates, each its own user and code. */
const SIX = USERS.flatMap((user_id) => ['100', '101'].map((code) => ({ user_id, code })));
const CHAIN = {
	operation: 'chain',
	experienceId: '={{ $json.experience_id }}',
	issueCode: '={{ $json.code }}',
	endpointUserId: '',
	endpointUserName: '',
	endpointCi: '',
};

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
				parameters: { ...CHAIN, options: { ...OPTIONS, ...mode } },
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
			parameters: { ...CHAIN, options: OPTIONS },
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
			items: [{ user_id: ABEL.sys_id, code: '100' }],
			credentials: BASIC(slow.url),
			parameters: { options: { ...OPTIONS, retryBaseDelayMs: 2000 } },
		});
		await slow.late();
		expect(routed(outputs)).toEqual({ Created: [0] });
		expect(outputs.Created[0].json).toMatchObject({
			experience_id: e.issues()[0].experience_id,
			recoveredAfterRetry: true,
			attempts: 2,
		});
		expect(outputs.Created[0].json.mayHaveBeenCreated).toBeUndefined();
		expect(e.issues()).toHaveLength(1);
	});
});

/**
 * A front on 127.0.0.1 speaking raw TCP: it reads each request, passes it to the emulator (so what
 * it asks is done) and answers with the bytes `answer` gives — an HTTP answer written by hand
 * (without a Date header unless `date` is set) or anything else. A connection the emulator drops
 * is dropped here too.
 */
async function rawFront(
	target: string,
	answer: (
		req: { method: string; url: string; body: string },
		upstream: Upstream,
	) => string | undefined,
	date = true,
) {
	const sockets = new Set<Socket>();
	const server = createTcpServer((socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
		let buffer = Buffer.alloc(0);
		socket.on('data', async (chunk: Buffer) => {
			buffer = Buffer.concat([buffer, chunk]);
			const end = buffer.indexOf('\r\n\r\n');
			if (end < 0) return;
			const head = buffer.subarray(0, end).toString('latin1').split('\r\n');
			const headers = Object.fromEntries(
				head
					.slice(1)
					.map((line) => [
						line.slice(0, line.indexOf(':')).toLowerCase(),
						line.slice(line.indexOf(':') + 1).trim(),
					]),
			);
			const length = Number(headers['content-length'] ?? 0);
			if (buffer.length < end + 4 + length) return;
			const body = buffer.subarray(end + 4, end + 4 + length).toString('utf8');
			buffer = Buffer.alloc(0);
			const [method, url] = head[0].split(' ');
			const forwarded: Record<string, string> = {};
			for (const [k, v] of Object.entries(headers))
				if (!['host', 'content-length', 'connection'].includes(k)) forwarded[k] = v;
			let r: Response;
			try {
				r = await fetch(target + url, {
					method,
					headers: forwarded,
					body: method === 'GET' ? undefined : body,
				});
			} catch {
				// The instance dropped the connection: so does the front.
				socket.destroy();
				return;
			}
			const upstream: Upstream = { status: r.status, headers: {}, body: await r.text() };
			r.headers.forEach((v, k) => {
				if (
					![
						'content-length',
						'connection',
						'keep-alive',
						'transfer-encoding',
						...(date ? [] : ['date']),
					].includes(k)
				)
					upstream.headers[k] = v;
			});
			const raw =
				answer({ method, url, body }, upstream) ??
				[
					`HTTP/1.1 ${upstream.status} X`,
					...Object.entries(upstream.headers).map(([k, v]) => `${k}: ${v}`),
					`content-length: ${Buffer.byteLength(upstream.body)}`,
					'connection: close',
					'',
					upstream.body,
				].join('\r\n');
			socket.end(raw);
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const close = () =>
		new Promise<void>((resolve) => {
			for (const s of sockets) s.destroy();
			server.close(() => resolve());
		});
	closers.push(close);
	return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

describe('an answer that is not HTTP', () => {
	const GARBAGE = 'SSH-2.0-OpenSSH_9.6\r\n\r\n';
	const items = [
		{ user_id: ABEL.sys_id, code: '100' },
		{ user_id: BETH.sys_id, code: '100' },
		{ user_id: DAVID, code: '100' },
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

	it('the last attempt: that item goes to Other flagged, its siblings keep their outputs, the node does not fail', async () => {
		const e = await emulator('open');
		const url = await rawFront(e.url, garbageForBeth());
		const { outputs, error } = await runAction({
			items,
			credentials: BASIC(url),
			parameters: { options: { maxAttempts: 1, concurrency: 3 } },
		});
		expect(error).toBeUndefined();
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
		const url = await rawFront(e.url, cutOffForBeth);
		const { outputs, error } = await runAction({
			items,
			credentials: BASIC(url),
			parameters: { options: { maxAttempts: 1, concurrency: 3 } },
		});
		expect(error).toBeUndefined();
		expect(routed(outputs)).toEqual({ Created: [0, 1, 2] });
		const beth = e.issues().find((i) => i.user === BETH.sys_id);
		expect(outputs.Created[1].json).toMatchObject({
			experience_id: beth?.experience_id,
			recoveredAfterRetry: true,
			attempts: 1,
		});
		expect(outputs.Created[1].json.mayHaveBeenCreated).toBeUndefined();
		expect(e.issues()).toHaveLength(3);
	});

	it('an HTTP 200 cut off in its body whose issue cannot be looked for: Other, flagged', async () => {
		const e = await emulator('open');
		e.injectFault({ status: 403, count: 0, match: { route: 'table' } });
		const url = await rawFront(e.url, cutOffForBeth);
		const { outputs, error } = await runAction({
			items,
			credentials: BASIC(url),
			parameters: { options: { maxAttempts: 1, concurrency: 3 } },
		});
		expect(error).toBeUndefined();
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
		const url = await rawFront(e.url, garbageForBeth());
		const { outputs, error } = await runAction({
			items,
			credentials: BASIC(url),
			parameters: { options: { maxAttempts: 3, retryBaseDelayMs: 10, concurrency: 3 } },
		});
		expect(error).toBeUndefined();
		expect(routed(outputs)).toEqual({ Created: [0, 1, 2] });
		expect(outputs.Created[1].json).toMatchObject({ recoveredAfterRetry: true, attempts: 1 });
		expect(outputs.Created[1].json.mayHaveBeenCreated).toBeUndefined();
		expect(e.issues()).toHaveLength(3);
	});

	it('a batch answered so: every item found in the issue table, nothing sent twice', async () => {
		const e = await emulator('closed');
		const url = await rawFront(e.url, (req) => (isBatch(req.url) ? GARBAGE : undefined));
		const { outputs, error } = await runAction({
			items,
			credentials: BASIC(url),
			parameters: { options: { sendMode: 'batch', retryBaseDelayMs: 10 } },
		});
		expect(error).toBeUndefined();
		expect(routed(outputs)).toEqual({ Created: [0, 1, 2] });
		for (const item of outputs.Created)
			expect(item.json).toMatchObject({ recoveredAfterRetry: true, sentInBatch: true });
		expect(e.issues()).toHaveLength(3);
	});
});

describe('an instance that sends no Date header', () => {
	const TWO_MINUTES_BEHIND = () => Date.now() - 120_000;
	const OPTIONS = { retryBaseDelayMs: 10, maxAttempts: 3, timeoutSeconds: 5 };

	it('two minutes behind, answer lost, new issues open: never an unflagged "already being resolved" for its own issue', async () => {
		const e = await emulator('open', TWO_MINUTES_BEHIND);
		e.injectFault({ drop: 'after', match: { route: 'create' } });
		const url = await rawFront(e.url, () => undefined, false);
		const { outputs } = await runAction({
			items: [{ user_id: ABEL.sys_id, code: '100' }],
			credentials: BASIC(url),
			parameters: { options: OPTIONS },
		});
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
		const e = await emulator('closed', TWO_MINUTES_BEHIND);
		e.injectFault({ drop: 'after', match: { route: 'create' } });
		const url = await rawFront(e.url, () => undefined, false);
		const { outputs } = await runAction({
			items: [{ user_id: ABEL.sys_id, code: '100' }],
			credentials: BASIC(url),
			parameters: { options: OPTIONS },
		});
		expect(routed(outputs)).toEqual({ Created: [0] });
		expect(e.issues()).toHaveLength(2);
		expect(outputs.Created[0].json).toMatchObject({
			experience_id: e.issues()[1].experience_id,
			mayHaveBeenCreated: true,
			attempts: 2,
		});
	});

	it('clocks that agree and no earlier issue of the user and code: the lost answer is still recovered, unflagged', async () => {
		const e = await emulator('open');
		e.injectFault({ drop: 'after', match: { route: 'create' } });
		const url = await rawFront(e.url, () => undefined, false);
		const { outputs } = await runAction({
			items: [{ user_id: ABEL.sys_id, code: '100' }],
			credentials: BASIC(url),
			parameters: { options: OPTIONS },
		});
		expect(routed(outputs)).toEqual({ Created: [0] });
		expect(outputs.Created[0].json).toMatchObject({
			experience_id: e.issues()[0].experience_id,
			recoveredAfterRetry: true,
		});
		expect(outputs.Created[0].json.mayHaveBeenCreated).toBeUndefined();
		expect(e.issues()).toHaveLength(1);
	});
});
