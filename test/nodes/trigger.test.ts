/**
 * The polling trigger, run by n8n-core's poll context against the emulator (whose clock the test
 * moves): issue created, state changed, fallback incident — each change once, in order, across
 * restarts (static data as n8n stores it), a page at a time, none lost to a change in the same second.
 */
import type { IDataObject, INode, INodeExecutionData } from 'n8n-workflow';
import { startEmulator, type RunningEmulator } from '../../emulator/server';
import { ServiceNowPeTrigger } from '../../nodes/ServiceNowPeTrigger/ServiceNowPeTrigger.node';
import { BASIC, CREDENTIAL_TYPES } from '../helpers/action';
import { ABEL, BETH, postJson } from '../helpers/http';
import { CredentialStore, buildWorkflow, nodeTypesOf, pollContext } from '../helpers/n8n';

const TYPE = 'n8n-nodes-servicenow-proactive-engagement.serviceNowPeTrigger';
const trigger = new ServiceNowPeTrigger();
const nodeTypes = nodeTypesOf({ [TYPE]: trigger });

let clock = Date.parse('2026-11-28T08:00:00Z');
let sn: RunningEmulator;
beforeAll(async () => {
	sn = await startEmulator({ port: 0, auth: 'basic', now: () => clock });
});
afterAll(() => sn.close());

/** A trigger whose static data lives on between polls, as n8n keeps it (a plain copy is what the database holds). */
function poller(parameters: Record<string, unknown>, url = sn.url) {
	let staticData: IDataObject = {};
	const node: INode = { id: 't', name: 'PE Trigger', type: TYPE, typeVersion: 1, position: [0, 0], parameters: parameters as INode['parameters'], credentials: { serviceNowPeApi: { id: '1', name: 'x' } } };
	const credentials = new CredentialStore(BASIC(url) as never, CREDENTIAL_TYPES);
	return {
		async poll(mode: 'trigger' | 'manual' = 'trigger'): Promise<IDataObject[]> {
			const workflow = buildWorkflow({ nodes: [node], connections: {}, staticData }, nodeTypes);
			const result = await trigger.poll.call(pollContext(workflow, 'PE Trigger', credentials, mode));
			if (mode === 'trigger') staticData = JSON.parse(JSON.stringify(workflow.staticData)) as IDataObject;
			return (result?.[0] ?? []).map((item: INodeExecutionData) => item.json);
		},
		get staticData() {
			return staticData;
		},
	};
}

const advance = (seconds: number) => {
	clock += seconds * 1000;
	sn.emulator.advanceClock(0);
};
const create = (body: Record<string, unknown>) => postJson(sn.url, body, { authorization: `Basic ${Buffer.from('pe.integration:integration').toString('base64')}` });
const brief = (events: IDataObject[]) => events.map((e) => [e.event, e.experience_id, e.state, e.end_reason]);

describe('the trigger', () => {
	beforeEach(() => sn.reset());

	it('reports an issue created, each state it reaches, and the fallback incident: each once, ready for Chain', async () => {
		const t = poller({ events: ['created', 'stateChanged', 'fallbackIncident'], states: ['in_progress', 'action_wait', 'closed'] });
		expect(await t.poll()).toEqual([]); // the first poll only starts the cursor
		advance(1);
		await create({ endpoint: { user_id: ABEL.sys_id }, issue_code: '102', provider: 'sn', experience_id: 'TR-1' });
		advance(1);
		expect(brief(await t.poll())).toEqual([['created', 'TR-1', 'open', '']]);
		expect(await t.poll()).toEqual([]);
		advance(5);
		expect(brief(await t.poll())).toEqual([['stateChanged', 'TR-1', 'in_progress', '']]);
		advance(20);
		const [waiting] = await t.poll();
		expect(waiting).toMatchObject({ event: 'stateChanged', experience_id: 'TR-1', issue_code: '102', user: ABEL.sys_id, state: 'action_wait', previous_state: 'in_progress', issue_code_history: ['102'] });

		// Chained onto (as the Chain operation would), the issue plays 103 and closes.
		await create({ endpoint: { user_id: ABEL.sys_id }, issue_code: '103', provider: 'sn', experience_id: 'TR-1' });
		advance(25);
		expect(brief(await t.poll())).toEqual([['stateChanged', 'TR-1', 'closed', 'resolved']]);

		// A failed resolution: closed, then its fallback incident.
		await create({ endpoint: { user_id: BETH.sys_id }, issue_code: '101', provider: 'sn', experience_id: 'TR-2' });
		advance(30);
		const failed = await t.poll();
		expect(brief(failed)).toEqual([
			['created', 'TR-2', 'closed', 'resolution_failed'],
			['stateChanged', 'TR-2', 'closed', 'resolution_failed'],
			['fallbackIncident', 'TR-2', 'closed', 'resolution_failed'],
		]);
		expect(failed[2]).toMatchObject({ fallback_result: 'incident_created', incident: { number: 'INC0010001', caller_id: BETH.sys_id, state: '1' } });
		advance(5);
		expect(await t.poll()).toEqual([]);
	});

	it('never loses a change made later in the second it polled, and repeats nothing after a restart', async () => {
		const t = poller({ events: ['created'], states: [] });
		await t.poll();
		advance(1);
		await create({ endpoint: { user_id: ABEL.sys_id }, issue_code: '100', provider: 'sn', experience_id: 'S-1' });
		// Polled in the very second of the change: it waits for the next poll.
		expect(await t.poll()).toEqual([]);
		await create({ endpoint: { user_id: BETH.sys_id }, issue_code: '100', provider: 'sn', experience_id: 'S-2' });
		advance(1);
		// Changes of one second come in sys_id order.
		expect(brief(await t.poll()).sort()).toEqual([
			['created', 'S-1', 'open', ''],
			['created', 'S-2', 'open', ''],
		]);
		// A new poller with the stored static data: what n8n does after a restart.
		const restarted = poller({ events: ['created'], states: [] });
		Object.assign(restarted.staticData, JSON.parse(JSON.stringify(t.staticData)));
		advance(1);
		expect(await restarted.poll()).toEqual([]);
	});

	it('fetches the latest match as the test event, leaving the cursor alone', async () => {
		const t = poller({ events: ['stateChanged'], states: ['action_wait'] });
		await t.poll();
		const cursor = JSON.stringify(t.staticData);
		await create({ endpoint: { user_id: ABEL.sys_id }, issue_code: '102', provider: 'sn', experience_id: 'M-1' });
		expect(await t.poll('manual')).toEqual([]);
		advance(30);
		expect(brief(await t.poll('manual'))).toEqual([['stateChanged', 'M-1', 'action_wait', '']]);
		expect(JSON.stringify(t.staticData)).toBe(cursor);
	});

	it('filters by issue code and user', async () => {
		const t = poller({ events: ['created'], states: [], filters: { issueCode: { __rl: true, mode: 'list', value: '103' }, user: { __rl: true, mode: 'id', value: BETH.sys_id } } });
		await t.poll();
		advance(1);
		await create({ endpoint: { user_id: ABEL.sys_id }, issue_code: '103', provider: 'sn' });
		await create({ endpoint: { user_id: BETH.sys_id }, issue_code: '100', provider: 'sn' });
		await create({ endpoint: { user_id: BETH.sys_id }, issue_code: '103', provider: 'sn', experience_id: 'F-1' });
		advance(1);
		expect(brief(await t.poll())).toEqual([['created', 'F-1', 'open', '']]);
	});

	it('says what is wrong when the issue table cannot be read, and starts again from the same place', async () => {
		const t = poller({ events: ['created'], states: [] });
		await t.poll();
		sn.injectFault({ status: 403, count: 0, match: { route: 'table' } });
		await expect(t.poll()).rejects.toThrow('Reading sn_pren_experience_issue failed (HTTP 403).');
		sn.emulator.clearFaults();
		advance(1);
		await create({ endpoint: { user_id: ABEL.sys_id }, issue_code: '100', provider: 'sn', experience_id: 'E-1' });
		advance(1);
		expect(brief(await t.poll())).toEqual([['created', 'E-1', 'open', '']]);
	});
});

describe('the trigger under many changes', () => {
	it('takes at most Max Events per Poll, the rest on the next polls, none twice, none lost', async () => {
		const many = await startEmulator({ port: 0, auth: 'basic', initialState: 'closed', now: () => clock });
		try {
			const t = poller({ events: ['created'], states: [], maxEvents: 100 }, many.url);
			await t.poll();
			clock += 1000;
			const auth = { authorization: `Basic ${Buffer.from('pe.integration:integration').toString('base64')}` };
			for (let i = 0; i < 250; i++) await postJson(many.url, { endpoint: { user_id: ABEL.sys_id }, issue_code: '100', provider: 'sn', experience_id: `MANY-${String(i).padStart(3, '0')}` }, auth);
			clock += 1000;
			const seen: string[] = [];
			const sizes: number[] = [];
			for (let round = 0; round < 5; round++) {
				const events = await t.poll();
				sizes.push(events.length);
				seen.push(...events.map((e) => String(e.experience_id)));
			}
			expect(sizes).toEqual([100, 100, 50, 0, 0]);
			expect(new Set(seen).size).toBe(250);
		} finally {
			await many.close();
		}
	});
});
