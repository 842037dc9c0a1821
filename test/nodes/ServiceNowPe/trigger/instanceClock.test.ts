/**
 * The trigger on an instance that sends no Date header, its clock apart from n8n's: what is
 * settled is told by the instance's own rows and the time passed since, each event once.
 */
import { createServer } from 'node:http';
import type { IDataObject } from 'n8n-workflow';
import { startEmulator, type RunningEmulator } from '../../../../emulator/server';
import { ABEL, BETH, DAVID, INTEGRATION_AUTH, makeIssue } from '../../../helpers/http';
import { listen } from '../../../helpers/proxy';
import { SETTLE, brief, count, poller, pollsAfter, type Poller } from '../../../helpers/trigger';

describe('an instance that sends no Date header, its clock an hour behind n8n’s', () => {
	let behind: RunningEmulator;
	let noDate: { url: string; close(): Promise<void> };
	let instanceClock = 0;
	beforeAll(async () => {
		behind = await startEmulator({ port: 0, auth: 'basic', now: () => instanceClock });
		// A proxy that forwards every answer without its Date header.
		const server = createServer(async (req, res) => {
			const chunks: Buffer[] = [];
			for await (const chunk of req) chunks.push(chunk as Buffer);
			const headers = Object.fromEntries(
				Object.entries(req.headers).filter(
					([k, v]) =>
						typeof v === 'string' && !['host', 'connection', 'content-length'].includes(k),
				),
			) as Record<string, string>;
			const upstream = await fetch(behind.url + (req.url ?? '/'), {
				method: req.method,
				headers,
				body: chunks.length ? Buffer.concat(chunks) : undefined,
			});
			const body = Buffer.from(await upstream.arrayBuffer());
			res.sendDate = false;
			res.writeHead(upstream.status, {
				'content-type': upstream.headers.get('content-type') ?? 'application/json',
				'content-length': String(body.length),
			});
			res.end(body);
		});
		noDate = await listen(server);
	});
	afterAll(async () => {
		await noDate.close();
		await behind.close();
	});
	// n8n's clock (Date.now, which the trigger reads) moves on with the instance's when the test
	// moves time on: real time plus what the test passed.
	const realNow = Date.now.bind(Date);
	let passed = 0;
	beforeEach(() => {
		behind.reset();
		instanceClock = Math.floor(realNow() / 1000) * 1000 - 3_600_000;
		passed = 0;
		Date.now = () => realNow() + passed;
	});
	afterEach(() => {
		Date.now = realNow;
	});
	/** Time passes, on both clocks. */
	const pass = (ms: number) => {
		instanceClock += ms;
		passed += ms;
	};
	const make = async (experienceId: string, issueCode: string, user = ABEL.sys_id) => {
		const made = await makeIssue(behind.url, user, issueCode, experienceId);
		expect(made.status).toBe(200);
	};
	/** Polls once after each wait of both clocks (in seconds): every event found. */
	const pollsAfterWaits = (t: Poller, waits: number[]) =>
		pollsAfter(t, waits, (seconds) => pass(seconds * 1000));
	/** Gives issues the sys_ids chosen (through the emulator's snapshot), so the order of sys_ids is known. */
	const renumber = (ids: Record<string, string>) => {
		const state = behind.emulator.snapshot();
		for (const issue of state.issues.issues)
			if (ids[issue.experience_id]) issue.sys_id = ids[issue.experience_id];
		behind.emulator.restore(state);
		for (const [experienceId, sysId] of Object.entries(ids))
			expect(behind.issues().find((i) => i.experience_id === experienceId)?.sys_id).toBe(sysId);
	};
	const sysId = (first: string, n: number) =>
		`${first}${String(n).padStart(3, '0')}`.padEnd(32, '0');

	it('answers without a Date header (the proxy works)', async () => {
		const answer = await fetch(
			`${noDate.url}/api/now/table/sn_pren_experience_issue?sysparm_limit=1`,
			{ headers: INTEGRATION_AUTH },
		);
		expect(answer.status).toBe(200);
		expect(answer.headers.get('date')).toBeNull();
	});

	it.each([
		['issues and an incident made before the first poll', true],
		['empty tables', false],
	])(
		'reports what is created after the first poll, on %s, and nothing from before',
		async (_name, before) => {
			if (before) {
				await make('BEFORE-0', '101', BETH.sys_id); // closed 25 s later, with its fallback incident
				pass(26_000);
				await make('BEFORE-1', '102');
				pass(2000);
				await make('BEFORE-2', '103');
			}
			const t = poller(
				{ events: ['created', 'stateChanged', 'fallbackIncident'], states: ['in_progress'] },
				noDate.url,
				'asN8n',
			);
			expect(await t.poll()).toEqual([]);
			pass(1000);
			await make('AFTER', '100'); // engaged 10 s later, closed 40 s later
			await make('AFTER-FAILED', '101', BETH.sys_id); // engaged 5 s later, closed 25 s later
			// Each event once, at most a poll after it settled (on empty tables nothing yet tells how
			// far the instance's clock is past its newest change). AFTER-FAILED is in_progress only
			// between two polls: as with a Date header, that state is not seen.
			const events = await pollsAfterWaits(t, [SETTLE + 1, 20, SETTLE + 1, SETTLE + 1]);
			expect(count(events)).toEqual({
				'created AFTER': 1,
				'created AFTER-FAILED': 1,
				'stateChanged AFTER in_progress': 1,
				'fallbackIncident AFTER-FAILED': 1,
			});
			expect(brief(events.filter((e) => e.event === 'fallbackIncident'))).toEqual([
				['fallbackIncident', 'AFTER-FAILED', 'closed', 'resolution_failed'],
			]);
		},
	);

	it("takes no row in the instance's current second, and loses none saved in that second after the read", async () => {
		const t = poller({ events: ['created'], states: [] }, noDate.url);
		expect(await t.poll()).toEqual([]);
		pass(10_000);
		await make('A', '100');
		renumber({ A: sysId('8', 0) });
		// Read in the second A was saved in (by n8n's clock an hour later).
		const first = await t.poll();
		// Saves of that same second, committed after the read: half of them sort before A.
		const others: Record<string, string> = {};
		let n = 0;
		for (const user of [BETH.sys_id, DAVID.sys_id, ABEL.sys_id]) {
			for (const code of ['101', '102', '103']) {
				await make(`B-${n}`, code, user);
				others[`B-${n}`] = sysId(n % 2 ? 'c' : '3', n);
				n++;
			}
		}
		renumber(others);
		expect(new Set(behind.issues().map((i) => i.sys_created_on)).size).toBe(1);
		const events: IDataObject[] = [...first, ...(await pollsAfterWaits(t, [10, 10, 10]))];
		expect(count(events)).toEqual(
			Object.fromEntries(['A', ...Object.keys(others)].map((id) => [`created ${id}`, 1])),
		);
		// A was not settled by the instance's clock when first read: it waited.
		expect(first).toEqual([]);
	});

	it('takes the newest row a poll later when nothing follows it (a quiet period), once, and marks nothing after', async () => {
		const t = poller({ events: ['created', 'stateChanged'], states: ['open'] }, noDate.url);
		await make('OLD', '100'); // 100: engaged 10 s after it is made, closed 30 s later
		pass(60_000);
		expect(await t.poll()).toEqual([]);
		pass(60_000);
		await make('QUIET', '100', BETH.sys_id);
		// Polled in its second: it waits.
		expect(await t.poll()).toEqual([]);
		expect(t.changed).toBe(true); // the instance's clock was seen to reach QUIET's second
		// Nothing newer on the instance: the time passed since tells QUIET has settled.
		pass((SETTLE + 3) * 1000);
		expect(brief(await t.poll())).toEqual([
			['created', 'QUIET', 'open', ''],
			['stateChanged', 'QUIET', 'open', ''],
		]);
		pass(60_000);
		expect(await t.poll()).toEqual([]); // engaged and closed: no chosen state
		for (let i = 0; i < 3; i++) {
			pass(60_000);
			expect(await t.poll()).toEqual([]);
			expect(t.changed).toBe(false);
		}
	});

	it('waits for a row in the current second of an instance ahead of n8n, and takes it a poll later', async () => {
		instanceClock = Math.floor(realNow() / 1000) * 1000 + 3_600_000;
		const t = poller({ events: ['created'], states: [] }, noDate.url);
		expect(await t.poll()).toEqual([]);
		pass(60_000);
		await make('AHEAD', '100');
		expect(await t.poll()).toEqual([]);
		pass((SETTLE + 3) * 1000);
		const events = await t.poll();
		expect(brief(events)).toEqual([['created', 'AHEAD', 'open', '']]);
		events.push(...(await pollsAfterWaits(t, [60, 60, 60])));
		expect(count(events)).toEqual({ 'created AHEAD': 1 });
	});
});
