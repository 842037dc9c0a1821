/**
 * The trigger's cursors: each issue created is reported once and none is lost, whatever order its
 * rows are read in, whatever is saved in the second of a read or while a page is being answered,
 * a page of Max Events per Poll at a time, across restarts and changes of the chosen events.
 */
import type { IDataObject } from 'n8n-workflow';
import { ABEL, BETH, INTEGRATION_AUTH, makeIssue, send, withEmulator } from '../../../helpers/http';
import {
	SETTLE,
	brief,
	codes,
	count,
	pollsAfter,
	restarted,
	triggerSuite,
	type Poller,
} from '../../../helpers/trigger';

const { sn, clock, advance, poller, issue, pollAfterIssue } = triggerSuite();
/** Polls once after each wait of the instance's clock (in seconds): every event found. */
const pollsAfterWaits = (t: Poller, waits: number[]) => pollsAfter(t, waits, advance);
const settled = (polls: number) => Array.from({ length: polls }, () => SETTLE + 1);
/** The first poll (what it found), then Abel's issue X of `codeX`, and a second later Beth's Y of `codeY`. */
async function firstPollThenXAndY(t: Poller, codeX: string, codeY: string) {
	const first = await t.poll();
	advance(1);
	await issue(ABEL.sys_id, codeX, 'X');
	advance(1);
	await issue(BETH.sys_id, codeY, 'Y');
	return first;
}

describe('each issue created is reported once, whatever order its rows are read in', () => {
	it('reports an issue created before another and changed inside the settle window (each poll after a restart)', async () => {
		const t = poller(
			{ events: ['created', 'stateChanged'], states: ['in_progress'] },
			sn.url,
			'asN8n',
		);
		// X (102) is in_progress 5 s after it is made, Y (100) 10 s after.
		expect(await firstPollThenXAndY(t, '102', '100')).toEqual([]);
		// X moved 1 s ago by the instance's clock: not settled; Y's creation is.
		advance(6);
		const events = [...(await t.poll()), ...(await pollsAfterWaits(t, settled(5)))];
		expect(count(events)).toEqual({
			'created X': 1,
			'created Y': 1,
			'stateChanged X in_progress': 1,
			'stateChanged Y in_progress': 1,
		});
	});

	it('reports an issue created before another and moved through the Table API inside the settle window', async () => {
		const t = poller(
			{ events: ['created', 'stateChanged'], states: ['action_wait'] },
			sn.url,
			'asN8n',
		);
		await firstPollThenXAndY(t, '100', '100');
		advance(4);
		const table = `${sn.url}/api/now/table/sn_pren_experience_issue`;
		const [x] = (
			await send(`${table}?sysparm_query=experience_id=X`, { headers: INTEGRATION_AUTH })
		).json().result;
		const moved = await send(`${table}/${x.sys_id}`, {
			method: 'PATCH',
			headers: { ...INTEGRATION_AUTH, 'content-type': 'application/json' },
			body: '{"state":"action_wait"}',
		});
		expect(moved.status).toBe(200);
		advance(2); // X's change is 2 s old, Y's creation 6 s
		const events = [...(await t.poll()), ...(await pollsAfterWaits(t, settled(3)))];
		expect(count(events)).toEqual({
			'created X': 1,
			'created Y': 1,
			'stateChanged X action_wait': 1,
		});
	});

	it('reports a creation left for the next poll by Max Events per Poll', async () => {
		const t = poller({ events: ['created'], states: [], maxEvents: 1 }, sn.url, 'asN8n');
		await firstPollThenXAndY(t, '102', '102');
		// Both engaged (X 5 s, Y 5 s after they were made) and settled: Y's change is the later one.
		advance(12);
		const sizes: number[] = [];
		const events: IDataObject[] = [];
		for (let i = 0; i < 4; i++) {
			const found = await t.poll();
			sizes.push(found.length);
			events.push(...found);
		}
		expect(sizes).toEqual([1, 1, 0, 0]);
		expect(count(events)).toEqual({ 'created X': 1, 'created Y': 1 });
	});

	it('reports creations after the first poll of a trigger whose static data predates the creation cursor', async () => {
		const t = poller({ events: ['created'], states: [] });
		await t.poll();
		// Static data as the trigger kept it before it had a cursor for creations.
		const saved = t.staticData['node:PE Trigger'] as IDataObject;
		delete saved.created;
		advance(1);
		expect(brief(await pollAfterIssue(t, SETTLE + 1, ABEL.sys_id, '100', 'OLD-STATE'))).toEqual([
			['created', 'OLD-STATE', 'open', ''],
		]);
		advance(SETTLE + 1);
		expect(await t.poll()).toEqual([]);
	});

	it('reports creations from where the trigger is when Issue Created is chosen again, not from where it was taken off', async () => {
		const events = (chosen: string[]) => ({ events: chosen, states: ['action_wait'] });
		const first = poller(events(['created', 'stateChanged']));
		await first.poll();
		advance(1);
		expect(codes(await pollAfterIssue(first, SETTLE + 1, ABEL.sys_id, '100', 'A'))).toEqual([
			['created', 'A', 'open', '100'],
		]);
		// Issue Created taken off the trigger for a while; B is made meanwhile.
		const without = restarted(first, events(['stateChanged']), sn.url);
		advance(1);
		expect(await pollAfterIssue(without, SETTLE + 1, BETH.sys_id, '100', 'B')).toEqual([]);
		const again = restarted(without, events(['created', 'stateChanged']), sn.url);
		advance(1);
		expect(codes(await pollAfterIssue(again, SETTLE + 1, ABEL.sys_id, '103', 'C'))).toEqual([
			['created', 'C', 'in_progress', '103'],
		]);
	});

	it('leaves static data unmarked by a poll that finds nothing, so n8n does not save it', async () => {
		const all = poller({
			events: ['created', 'stateChanged', 'fallbackIncident'],
			states: ['action_wait'],
		});
		await all.poll();
		expect(all.changed).toBe(true); // the first poll notes where it starts
		advance(SETTLE + 1);
		expect(await all.poll()).toEqual([]);
		expect(all.changed).toBe(false);

		const t = poller({ events: ['stateChanged'], states: ['action_wait'] });
		await t.poll();
		await issue(ABEL.sys_id, '102', 'Q');
		advance(SETTLE + 6);
		// Created and engaged, no chosen state: no event, but the cursor moved past both changes.
		expect(await t.poll()).toEqual([]);
		expect(t.changed).toBe(true);
		expect(await t.poll()).toEqual([]);
		expect(t.changed).toBe(false);
		advance(20);
		expect(codes(await t.poll())).toEqual([['stateChanged', 'Q', 'action_wait', '102']]);
		expect(t.changed).toBe(true);
	});

	it('loses no change saved while a page was being answered (its time earlier than the answer)', async () => {
		await withEmulator(
			{ auth: 'basic', initialState: 'closed', now: () => clock.now },
			async (fresh) => {
				const t = poller({ events: ['created'], states: [] }, fresh.url);
				await t.poll();
				const S = Math.ceil(clock.now / 1000) * 1000 + 10_000;
				clock.now = S + 100;
				await makeIssue(fresh.url, ABEL.sys_id, '100', 'A');
				clock.now = S + 500;
				const late: string[] = [];
				const handle = fresh.emulator.handle.bind(fresh.emulator);
				let held = false;
				// The first read of the issue table is answered a second late; saves of second S land meanwhile.
				fresh.emulator.handle = (req) => {
					const result = handle(req);
					if (!held && req.method === 'GET' && req.url.includes('sn_pren_experience_issue')) {
						held = true;
						result.delayMs = 1000;
						setTimeout(async () => {
							clock.now = S + 700;
							for (let i = 0; i < 12; i++) {
								await makeIssue(fresh.url, ABEL.sys_id, '100', `B${i}`);
								late.push(`B${i}`);
							}
							clock.now = S + 1050;
							result.headers.date = new Date(clock.now).toUTCString();
						}, 50);
					}
					return result;
				};
				const reported = (await t.poll()).map((e) => String(e.experience_id));
				fresh.emulator.handle = handle;
				clock.now = S + (SETTLE + 2) * 1000;
				reported.push(
					...(await t.poll()).map((e) => String(e.experience_id)),
					...(await t.poll()).map((e) => String(e.experience_id)),
				);
				expect(late).toHaveLength(12);
				expect(reported.sort()).toEqual(['A', ...late].sort());
			},
		);
	});
});

describe('the trigger under many changes', () => {
	it('takes at most Max Events per Poll, the rest on the next polls, none twice, none lost', async () => {
		await withEmulator(
			{ auth: 'basic', initialState: 'closed', now: () => clock.now },
			async (many) => {
				const t = poller({ events: ['created'], states: [], maxEvents: 100 }, many.url);
				await t.poll();
				clock.now += 1000;
				for (let i = 0; i < 250; i++)
					await makeIssue(many.url, ABEL.sys_id, '100', `MANY-${String(i).padStart(3, '0')}`);
				clock.now += (SETTLE + 1) * 1000;
				const seen: string[] = [];
				const sizes: number[] = [];
				for (let round = 0; round < 5; round++) {
					const events = await t.poll();
					sizes.push(events.length);
					seen.push(...events.map((e) => String(e.experience_id)));
				}
				expect(sizes).toEqual([100, 100, 50, 0, 0]);
				expect(new Set(seen).size).toBe(250);
			},
		);
	});
});
