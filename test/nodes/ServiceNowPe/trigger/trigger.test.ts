/**
 * The polling trigger, run by n8n-core's poll context against the emulator (whose clock the test
 * moves): issue created, state changed, fallback incident — each change once, in order, across
 * restarts (static data as n8n stores it), a page at a time. Events in the same second: cursors.test.ts;
 * an instance without a Date header: instanceClock.test.ts.
 */
import type { IDataObject } from 'n8n-workflow';
import { basicStore } from '../../../helpers/action';
import { ABEL, BETH } from '../../../helpers/http';
import { buildWorkflow, pollContext } from '../../../helpers/n8n';
import { startRedirect } from '../../../helpers/proxy';
import {
	SETTLE,
	brief,
	codes,
	polled,
	restarted,
	trigger,
	triggerNode,
	triggerNodeTypes,
	triggerSuite,
} from '../../../helpers/trigger';

const { sn, clock, advance, poller, issue, pollAfterIssue } = triggerSuite();

describe('the trigger', () => {
	it('reports an issue created, each state it reaches, and the fallback incident: each once, ready for Chain', async () => {
		const t = poller({
			events: ['created', 'stateChanged', 'fallbackIncident'],
			states: ['in_progress', 'action_wait', 'closed'],
		});
		expect(await t.poll()).toEqual([]); // the first poll only starts the cursor
		advance(1);
		// 102: engaged 5 s after it is made, waits in action_wait 20 s later.
		expect(await pollAfterIssue(t, 2, ABEL.sys_id, '102', 'TR-1')).toEqual([]); // not settled yet
		advance(9);
		expect(brief(await t.poll())).toEqual([
			['created', 'TR-1', 'in_progress', ''],
			['stateChanged', 'TR-1', 'in_progress', ''],
		]);
		expect(await t.poll()).toEqual([]);
		advance(20);
		const [waiting] = await t.poll();
		expect(waiting).toMatchObject({
			event: 'stateChanged',
			experience_id: 'TR-1',
			issue_code: '102',
			user: ABEL.sys_id,
			state: 'action_wait',
			previous_state: 'in_progress',
			issue_code_history: ['102'],
		});

		// Chained onto (as the Chain operation would), the issue plays 103 and closes 20 s later.
		expect(brief(await pollAfterIssue(t, 30, ABEL.sys_id, '103', 'TR-1'))).toEqual([
			['stateChanged', 'TR-1', 'closed', 'resolved'],
		]);

		// A failed resolution: closed 25 s after it is made, with its fallback incident.
		const failed = await pollAfterIssue(t, 35, BETH.sys_id, '101', 'TR-2');
		expect(brief(failed)).toEqual([
			['created', 'TR-2', 'closed', 'resolution_failed'],
			['stateChanged', 'TR-2', 'closed', 'resolution_failed'],
			['fallbackIncident', 'TR-2', 'closed', 'resolution_failed'],
		]);
		expect(failed[2]).toMatchObject({
			fallback_result: 'incident_created',
			incident: { number: 'INC0010001', caller_id: BETH.sys_id, state: '1' },
		});
		advance(10);
		expect(await t.poll()).toEqual([]);
	});

	it('takes no change until it has settled, loses none saved meanwhile, and repeats nothing after a restart', async () => {
		const t = poller({ events: ['created'], states: [] });
		await t.poll();
		advance(1);
		await issue(ABEL.sys_id, '100', 'S-1');
		// Polled in the second of the change: it waits.
		expect(await t.poll()).toEqual([]);
		expect(brief(await pollAfterIssue(t, SETTLE + 1, BETH.sys_id, '100', 'S-2')).sort()).toEqual([
			['created', 'S-1', 'open', ''],
			['created', 'S-2', 'open', ''],
		]);
		// A new poller with the stored static data: what n8n does after a restart.
		const again = restarted(t, { events: ['created'], states: [] }, sn.url);
		advance(SETTLE + 1);
		expect(await again.poll()).toEqual([]);
	});

	it('fetches the latest match as the test event, leaving the cursor alone', async () => {
		const t = poller({ events: ['stateChanged'], states: ['action_wait'] });
		await t.poll();
		const cursor = JSON.stringify(t.staticData);
		await issue(ABEL.sys_id, '102', 'M-1');
		expect(await t.poll('manual')).toEqual([]);
		advance(30);
		expect(brief(await t.poll('manual'))).toEqual([['stateChanged', 'M-1', 'action_wait', '']]);
		expect(JSON.stringify(t.staticData)).toBe(cursor);
	});

	it('filters by issue code and user', async () => {
		const t = poller({
			events: ['created'],
			states: [],
			filters: {
				issueCode: { __rl: true, mode: 'list', value: '103' },
				user: { __rl: true, mode: 'id', value: BETH.sys_id },
			},
		});
		await t.poll();
		advance(1);
		await issue(ABEL.sys_id, '103');
		await issue(BETH.sys_id, '100');
		// 103 is engaged 5 s after it is made
		expect(brief(await pollAfterIssue(t, SETTLE + 6, BETH.sys_id, '103', 'F-1'))).toEqual([
			['created', 'F-1', 'in_progress', ''],
		]);
	});

	it('says what is wrong when the issue table cannot be read, and starts again from the same place', async () => {
		const t = poller({ events: ['created'], states: [] });
		await t.poll();
		sn.injectFault({ status: 403, count: 0, match: { route: 'table' } });
		await expect(t.poll()).rejects.toThrow('Reading sn_pren_experience_issue failed (HTTP 403).');
		sn.emulator.clearFaults();
		advance(1);
		expect(brief(await pollAfterIssue(t, SETTLE + 1, ABEL.sys_id, '100', 'E-1'))).toEqual([
			['created', 'E-1', 'open', ''],
		]);
	});
});

describe('the trigger across failed and redirected reads, repeated states and updated incidents', () => {
	/** As n8n's regular mode runs a poll trigger: one Workflow, its static data kept in memory between polls. */
	function livePoller(parameters: Record<string, unknown>) {
		const workflow = buildWorkflow(
			{ nodes: [triggerNode(parameters)], connections: {}, staticData: {} },
			triggerNodeTypes,
		);
		const ctx = pollContext(workflow, 'PE Trigger', basicStore(sn.url), 'trigger');
		return async (): Promise<IDataObject[]> => polled(await trigger.poll.call(ctx));
	}

	/**
	 * The poll fails while the read of `table` is answered 500 (`count` times; 0: every time), and
	 * the next poll, a second later, finds what it missed: what that poll found.
	 */
	async function failsThenCatchesUp(
		poll: () => Promise<IDataObject[]>,
		table: string,
		count: number,
	): Promise<IDataObject[]> {
		sn.injectFault({
			status: 500,
			count,
			match: { route: 'table', path: `/api/now/table/${table}` },
		});
		await expect(poll()).rejects.toThrow(`Reading ${table} failed (HTTP 500)`);
		sn.emulator.clearFaults();
		advance(1);
		return poll();
	}

	it('loses nothing when the incident read fails after the issues were read (static data kept in memory)', async () => {
		const poll = livePoller({
			events: ['stateChanged', 'fallbackIncident'],
			states: ['action_wait', 'closed'],
		});
		await poll();
		advance(1);
		await issue(ABEL.sys_id, '102', 'LOST-1');
		advance(31);
		expect(codes(await failsThenCatchesUp(poll, 'incident', 0))).toEqual([
			['stateChanged', 'LOST-1', 'action_wait', '102'],
		]);
	});

	it('reports an issue that reaches action_wait again between two polls (chained, and the next code waits too)', async () => {
		const t = poller({ events: ['stateChanged'], states: ['action_wait'] });
		await t.poll();
		advance(1);
		expect(codes(await pollAfterIssue(t, 31, ABEL.sys_id, '102', 'RW-1'))).toEqual([
			['stateChanged', 'RW-1', 'action_wait', '102'],
		]);
		const again = await pollAfterIssue(t, 31, ABEL.sys_id, '102', 'RW-1');
		expect(codes(again)).toEqual([['stateChanged', 'RW-1', 'action_wait', '102']]);
		expect(again[0].issue_code_history).toEqual(['102', '102']);
	});

	it('reports a fallback incident once, however often it is updated later', async () => {
		const t = poller({ events: ['fallbackIncident'], states: [] });
		await t.poll();
		advance(1);
		expect(
			(await pollAfterIssue(t, 31, BETH.sys_id, '101', 'INC-DUP')).map((e) => e.event),
		).toEqual(['fallbackIncident']);
		// On an instance incidents are worked on: assigned, commented, New → In Progress.
		advance(60);
		// The emulator's own record (listIncidents gives copies), changed as an instance would.
		const incident = (
			sn.emulator as unknown as { state: { incidents: { all(): Array<Record<string, string>> } } }
		).state.incidents.all()[0];
		incident.state = '2';
		incident.sys_updated_on = new Date(clock.now - 10_000)
			.toISOString()
			.replace('T', ' ')
			.slice(0, 19);
		advance(1);
		expect(await t.poll()).toEqual([]);
	});

	it.each([
		['issue code', { issueCode: { __rl: true, mode: 'id', value: '100' } }],
		['provider', { provider: { __rl: true, mode: 'id', value: 'tanium' } }],
	])(
		'applies the %s filter to fallback incidents, polled and fetched as test event',
		async (_name, filters) => {
			const t = poller({ events: ['fallbackIncident'], states: [], filters });
			await t.poll();
			advance(1);
			expect(await pollAfterIssue(t, 31, BETH.sys_id, '101', 'FILTERED')).toEqual([]);
			expect(await t.poll('manual')).toEqual([]);
		},
	);

	it("fails the poll when an incident's issue cannot be read, and reports the incident on the next", async () => {
		const t = poller({
			events: ['fallbackIncident'],
			states: [],
			filters: { issueCode: { __rl: true, mode: 'id', value: '101' } },
		});
		await t.poll();
		advance(1);
		await issue(BETH.sys_id, '101', 'LOOKUP-1');
		advance(31);
		expect(codes(await failsThenCatchesUp(() => t.poll(), 'sn_pren_experience_issue', 3))).toEqual([
			['fallbackIncident', 'LOOKUP-1', 'closed', '101'],
		]);
	});

	it('says the instance redirected, not that the user lacks access, when the read is redirected', async () => {
		const redirecting = await startRedirect(301, 'https://127.0.0.1:1/');
		try {
			const t = poller({ events: ['created'], states: [] }, redirecting.url);
			await expect(t.poll()).rejects.toMatchObject({
				message: 'Reading sn_pren_experience_issue failed (HTTP 301).',
				description: expect.stringMatching(
					/redirected the read to https:\/\/127\.0\.0\.1:1\/.*Instance URL/,
				),
			});
		} finally {
			await redirecting.close();
		}
	});
});

describe('the trigger filters', () => {
	it('names the filter that would run as a script on the instance', async () => {
		const t = poller({
			events: ['created'],
			states: [],
			filters: { provider: { __rl: true, mode: 'id', value: 'javascript:gs.getUserID()' } },
		});
		await expect(t.poll()).rejects.toThrow(
			'The Provider filter "javascript:gs.getUserID()" would run as a script on the instance: give a plain value.',
		);
	});

	it.each([
		['Issue Code', 'issueCode'],
		['Provider', 'provider'],
		['User', 'user'],
	])(
		'refuses a lone surrogate in the %s filter, naming it, instead of matching nothing for ever',
		async (name, filter) => {
			const t = poller({
				events: ['created', 'stateChanged', 'fallbackIncident'],
				states: ['open'],
				filters: { [filter]: { __rl: true, mode: 'id', value: 'x\ud800' } },
			});
			const message = `The ${name} filter holds a broken character (a lone UTF-16 surrogate) that cannot be sent to the instance.`;
			await expect(t.poll()).rejects.toThrow(message);
			await expect(t.poll('manual')).rejects.toThrow(message);
		},
	);
});
