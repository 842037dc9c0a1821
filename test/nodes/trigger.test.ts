/**
 * The polling trigger, run by n8n-core's poll context against the emulator (whose clock the test
 * moves): issue created, state changed, fallback incident — each change once, in order, across
 * restarts (static data as n8n stores it), a page at a time, none lost to a change in the same second.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
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

/** Changes younger than this by the instance's clock wait for the next poll. */
const SETTLE = 5;

describe('the trigger', () => {
	beforeEach(() => sn.reset());

	it('reports an issue created, each state it reaches, and the fallback incident: each once, ready for Chain', async () => {
		const t = poller({ events: ['created', 'stateChanged', 'fallbackIncident'], states: ['in_progress', 'action_wait', 'closed'] });
		expect(await t.poll()).toEqual([]); // the first poll only starts the cursor
		advance(1);
		// 102: engaged 5 s after it is made, waits in action_wait 20 s later.
		await create({ endpoint: { user_id: ABEL.sys_id }, issue_code: '102', provider: 'sn', experience_id: 'TR-1' });
		advance(2);
		expect(await t.poll()).toEqual([]); // not settled yet
		advance(9);
		expect(brief(await t.poll())).toEqual([
			['created', 'TR-1', 'in_progress', ''],
			['stateChanged', 'TR-1', 'in_progress', ''],
		]);
		expect(await t.poll()).toEqual([]);
		advance(20);
		const [waiting] = await t.poll();
		expect(waiting).toMatchObject({ event: 'stateChanged', experience_id: 'TR-1', issue_code: '102', user: ABEL.sys_id, state: 'action_wait', previous_state: 'in_progress', issue_code_history: ['102'] });

		// Chained onto (as the Chain operation would), the issue plays 103 and closes 20 s later.
		await create({ endpoint: { user_id: ABEL.sys_id }, issue_code: '103', provider: 'sn', experience_id: 'TR-1' });
		advance(30);
		expect(brief(await t.poll())).toEqual([['stateChanged', 'TR-1', 'closed', 'resolved']]);

		// A failed resolution: closed 25 s after it is made, with its fallback incident.
		await create({ endpoint: { user_id: BETH.sys_id }, issue_code: '101', provider: 'sn', experience_id: 'TR-2' });
		advance(35);
		const failed = await t.poll();
		expect(brief(failed)).toEqual([
			['created', 'TR-2', 'closed', 'resolution_failed'],
			['stateChanged', 'TR-2', 'closed', 'resolution_failed'],
			['fallbackIncident', 'TR-2', 'closed', 'resolution_failed'],
		]);
		expect(failed[2]).toMatchObject({ fallback_result: 'incident_created', incident: { number: 'INC0010001', caller_id: BETH.sys_id, state: '1' } });
		advance(10);
		expect(await t.poll()).toEqual([]);
	});

	it('takes no change until it has settled, loses none saved meanwhile, and repeats nothing after a restart', async () => {
		const t = poller({ events: ['created'], states: [] });
		await t.poll();
		advance(1);
		await create({ endpoint: { user_id: ABEL.sys_id }, issue_code: '100', provider: 'sn', experience_id: 'S-1' });
		// Polled in the second of the change: it waits.
		expect(await t.poll()).toEqual([]);
		await create({ endpoint: { user_id: BETH.sys_id }, issue_code: '100', provider: 'sn', experience_id: 'S-2' });
		advance(SETTLE + 1);
		expect(brief(await t.poll()).sort()).toEqual([
			['created', 'S-1', 'open', ''],
			['created', 'S-2', 'open', ''],
		]);
		// A new poller with the stored static data: what n8n does after a restart.
		const restarted = poller({ events: ['created'], states: [] });
		Object.assign(restarted.staticData, JSON.parse(JSON.stringify(t.staticData)));
		advance(SETTLE + 1);
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
		advance(SETTLE + 6); // 103 is engaged 5 s after it is made
		expect(brief(await t.poll())).toEqual([['created', 'F-1', 'in_progress', '']]);
	});

	it('says what is wrong when the issue table cannot be read, and starts again from the same place', async () => {
		const t = poller({ events: ['created'], states: [] });
		await t.poll();
		sn.injectFault({ status: 403, count: 0, match: { route: 'table' } });
		await expect(t.poll()).rejects.toThrow('Reading sn_pren_experience_issue failed (HTTP 403).');
		sn.emulator.clearFaults();
		advance(1);
		await create({ endpoint: { user_id: ABEL.sys_id }, issue_code: '100', provider: 'sn', experience_id: 'E-1' });
		advance(SETTLE + 1);
		expect(brief(await t.poll())).toEqual([['created', 'E-1', 'open', '']]);
	});
});

describe('what an independent check found', () => {
	beforeEach(() => sn.reset());

	/** As n8n's regular mode runs a poll trigger: one Workflow, its static data kept in memory between polls. */
	function livePoller(parameters: Record<string, unknown>) {
		const node: INode = { id: 't', name: 'PE Trigger', type: TYPE, typeVersion: 1, position: [0, 0], parameters: parameters as INode['parameters'], credentials: { serviceNowPeApi: { id: '1', name: 'x' } } };
		const credentials = new CredentialStore(BASIC(sn.url) as never, CREDENTIAL_TYPES);
		const workflow = buildWorkflow({ nodes: [node], connections: {}, staticData: {} }, nodeTypes);
		const ctx = pollContext(workflow, 'PE Trigger', credentials, 'trigger');
		return async (): Promise<IDataObject[]> => ((await trigger.poll.call(ctx))?.[0] ?? []).map((item: INodeExecutionData) => item.json);
	}
	const codes = (events: IDataObject[]) => events.map((e) => [e.event, e.experience_id, e.state, e.issue_code]);

	it('loses nothing when the incident read fails after the issues were read (static data kept in memory)', async () => {
		const poll = livePoller({ events: ['stateChanged', 'fallbackIncident'], states: ['action_wait', 'closed'] });
		await poll();
		advance(1);
		await create({ endpoint: { user_id: ABEL.sys_id }, issue_code: '102', provider: 'sn', experience_id: 'LOST-1' });
		advance(31);
		sn.injectFault({ status: 500, count: 0, match: { route: 'table', path: '/api/now/table/incident' } });
		await expect(poll()).rejects.toThrow('Reading incident failed (HTTP 500)');
		sn.emulator.clearFaults();
		advance(1);
		expect(codes(await poll())).toEqual([['stateChanged', 'LOST-1', 'action_wait', '102']]);
	});

	it('reports an issue that reaches action_wait again between two polls (chained, and the next code waits too)', async () => {
		const t = poller({ events: ['stateChanged'], states: ['action_wait'] });
		await t.poll();
		advance(1);
		await create({ endpoint: { user_id: ABEL.sys_id }, issue_code: '102', provider: 'sn', experience_id: 'RW-1' });
		advance(31);
		expect(codes(await t.poll())).toEqual([['stateChanged', 'RW-1', 'action_wait', '102']]);
		await create({ endpoint: { user_id: ABEL.sys_id }, issue_code: '102', provider: 'sn', experience_id: 'RW-1' });
		advance(31);
		const again = await t.poll();
		expect(codes(again)).toEqual([['stateChanged', 'RW-1', 'action_wait', '102']]);
		expect(again[0].issue_code_history).toEqual(['102', '102']);
	});

	it('reports a fallback incident once, however often it is updated later', async () => {
		const t = poller({ events: ['fallbackIncident'], states: [] });
		await t.poll();
		advance(1);
		await create({ endpoint: { user_id: BETH.sys_id }, issue_code: '101', provider: 'sn', experience_id: 'INC-DUP' });
		advance(31);
		expect((await t.poll()).map((e) => e.event)).toEqual(['fallbackIncident']);
		// On an instance incidents are worked on: assigned, commented, New → In Progress.
		advance(60);
		// The emulator's own record (listIncidents gives copies), changed as an instance would.
		const incident = (sn.emulator as unknown as { state: { incidents: { all(): Array<Record<string, string>> } } }).state.incidents.all()[0];
		incident.state = '2';
		incident.sys_updated_on = new Date(clock - 10_000).toISOString().replace('T', ' ').slice(0, 19);
		advance(1);
		expect(await t.poll()).toEqual([]);
	});

	it.each([
		['issue code', { issueCode: { __rl: true, mode: 'id', value: '100' } }],
		['provider', { provider: { __rl: true, mode: 'id', value: 'tanium' } }],
	])('applies the %s filter to fallback incidents, polled and fetched as test event', async (_name, filters) => {
		const t = poller({ events: ['fallbackIncident'], states: [], filters });
		await t.poll();
		advance(1);
		await create({ endpoint: { user_id: BETH.sys_id }, issue_code: '101', provider: 'sn', experience_id: 'FILTERED' });
		advance(31);
		expect(await t.poll()).toEqual([]);
		expect(await t.poll('manual')).toEqual([]);
	});

	it("fails the poll when an incident's issue cannot be read, and reports the incident on the next", async () => {
		const t = poller({ events: ['fallbackIncident'], states: [], filters: { issueCode: { __rl: true, mode: 'id', value: '101' } } });
		await t.poll();
		advance(1);
		await create({ endpoint: { user_id: BETH.sys_id }, issue_code: '101', provider: 'sn', experience_id: 'LOOKUP-1' });
		advance(31);
		sn.injectFault({ status: 500, count: 3, match: { route: 'table', path: '/api/now/table/sn_pren_experience_issue' } });
		await expect(t.poll()).rejects.toThrow('Reading sn_pren_experience_issue failed (HTTP 500)');
		sn.emulator.clearFaults();
		advance(1);
		expect(codes(await t.poll())).toEqual([['fallbackIncident', 'LOOKUP-1', 'closed', '101']]);
	});

	it('says the instance redirected, not that the user lacks access, when the read is redirected', async () => {
		const redirecting = createServer((_req, res) => res.writeHead(301, { location: 'https://127.0.0.1:1/' }).end());
		await new Promise<void>((resolve) => redirecting.listen(0, '127.0.0.1', resolve));
		try {
			const t = poller({ events: ['created'], states: [] }, `http://127.0.0.1:${(redirecting.address() as AddressInfo).port}`);
			await expect(t.poll()).rejects.toMatchObject({ message: 'Reading sn_pren_experience_issue failed (HTTP 301).', description: expect.stringMatching(/redirected the read to https:\/\/127\.0\.0\.1:1\/.*Instance URL/) });
		} finally {
			redirecting.close();
		}
	});

	it('loses no change saved while a page was being answered (its time earlier than the answer)', async () => {
		const fresh = await startEmulator({ port: 0, auth: 'basic', initialState: 'closed', now: () => clock });
		try {
			const t = poller({ events: ['created'], states: [] }, fresh.url);
			const auth = { authorization: `Basic ${Buffer.from('pe.integration:integration').toString('base64')}` };
			await t.poll();
			const S = Math.ceil(clock / 1000) * 1000 + 10_000;
			clock = S + 100;
			await postJson(fresh.url, { endpoint: { user_id: ABEL.sys_id }, issue_code: '100', provider: 'sn', experience_id: 'A' }, auth);
			clock = S + 500;
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
						clock = S + 700;
						for (let i = 0; i < 12; i++) {
							await postJson(fresh.url, { endpoint: { user_id: ABEL.sys_id }, issue_code: '100', provider: 'sn', experience_id: `B${i}` }, auth);
							late.push(`B${i}`);
						}
						clock = S + 1050;
						result.headers.date = new Date(clock).toUTCString();
					}, 50);
				}
				return result;
			};
			const reported = (await t.poll()).map((e) => String(e.experience_id));
			fresh.emulator.handle = handle;
			clock = S + (SETTLE + 2) * 1000;
			reported.push(...(await t.poll()).map((e) => String(e.experience_id)), ...(await t.poll()).map((e) => String(e.experience_id)));
			expect(late).toHaveLength(12);
			expect(reported.sort()).toEqual(['A', ...late].sort());
		} finally {
			await fresh.close();
		}
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
			clock += (SETTLE + 1) * 1000;
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
