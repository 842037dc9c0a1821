/**
 * The polling trigger, run by n8n-core's poll context against the emulator (whose clock the test
 * moves): issue created, state changed, fallback incident — each change once, in order, across
 * restarts (static data as n8n stores it), a page at a time, none lost to a change in the same second.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IDataObject, INode, INodeExecutionData } from 'n8n-workflow';
import { startEmulator, type RunningEmulator } from '../../../../emulator/server';
import { ServiceNowPeTrigger } from '../../../../nodes/ServiceNowPe/ServiceNowPeTrigger.node';
import { BASIC, CREDENTIAL_TYPES } from '../../../helpers/action';
import { ABEL, BETH, postJson, send } from '../../../helpers/http';
import { CredentialStore, buildWorkflow, nodeTypesOf, pollContext } from '../../../helpers/n8n';

const TYPE = 'n8n-nodes-servicenow-proactive-engagement.serviceNowPeTrigger';
const trigger = new ServiceNowPeTrigger();
const nodeTypes = nodeTypesOf({ [TYPE]: trigger });
const DAVID = '46d44a23a9fe19810012d100cca80667';

let clock = Date.parse('2026-11-28T08:00:00Z');
let sn: RunningEmulator;
beforeAll(async () => {
	sn = await startEmulator({ port: 0, auth: 'basic', now: () => clock });
});
afterAll(() => sn.close());

const triggerNode = (parameters: Record<string, unknown>): INode => ({
	id: 't',
	name: 'PE Trigger',
	type: TYPE,
	typeVersion: 1,
	position: [0, 0],
	parameters: parameters as INode['parameters'],
	credentials: { serviceNowPeApi: { id: '1', name: 'x' } },
});
const basicAt = (url: string) => new CredentialStore(BASIC(url) as never, CREDENTIAL_TYPES);

/**
 * A trigger whose static data lives on between polls (a plain copy is what the database holds).
 * `asN8n`: kept only when n8n saves it — after the first poll (activation) and after a poll that
 * started the workflow, and only when marked changed — each poll as after a restart of n8n.
 */
function poller(
	parameters: Record<string, unknown>,
	url = sn.url,
	persist: 'always' | 'asN8n' = 'always',
) {
	let staticData: IDataObject = {};
	let polls = 0;
	let changed = false;
	const node = triggerNode(parameters);
	const credentials = basicAt(url);
	return {
		async poll(mode: 'trigger' | 'manual' = 'trigger'): Promise<IDataObject[]> {
			const workflow = buildWorkflow({ nodes: [node], connections: {}, staticData }, nodeTypes);
			const result = await trigger.poll.call(
				pollContext(workflow, 'PE Trigger', credentials, mode),
			);
			if (mode === 'trigger') {
				changed = (workflow.staticData as IDataObject).__dataChanged === true;
				const saved = persist === 'always' || (changed && (polls === 0 || result !== null));
				if (saved) staticData = JSON.parse(JSON.stringify(workflow.staticData)) as IDataObject;
				polls++;
			}
			return (result?.[0] ?? []).map((item: INodeExecutionData) => item.json);
		},
		get staticData() {
			return staticData;
		},
		/** Whether the last poll marked the static data changed (n8n saves it only then). */
		get changed() {
			return changed;
		},
	};
}

const advance = (seconds: number) => {
	clock += seconds * 1000;
	sn.emulator.advanceClock(0);
};
const create = (body: Record<string, unknown>) =>
	postJson(sn.url, body, {
		authorization: `Basic ${Buffer.from('pe.integration:integration').toString('base64')}`,
	});
/** An issue of this user and code, made on the instance (or chained onto, as the Chain operation would). */
const issue = (user: string, code: string, experienceId: string) =>
	create({
		endpoint: { user_id: user },
		issue_code: code,
		provider: 'sn',
		experience_id: experienceId,
	});
const brief = (events: IDataObject[]) =>
	events.map((e) => [e.event, e.experience_id, e.state, e.end_reason]);

/** Changes younger than this by the instance's clock wait for the next poll. */
const SETTLE = 5;

describe('the trigger', () => {
	beforeEach(() => sn.reset());

	it('reports an issue created, each state it reaches, and the fallback incident: each once, ready for Chain', async () => {
		const t = poller({
			events: ['created', 'stateChanged', 'fallbackIncident'],
			states: ['in_progress', 'action_wait', 'closed'],
		});
		expect(await t.poll()).toEqual([]); // the first poll only starts the cursor
		advance(1);
		// 102: engaged 5 s after it is made, waits in action_wait 20 s later.
		await issue(ABEL.sys_id, '102', 'TR-1');
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
		await issue(ABEL.sys_id, '103', 'TR-1');
		advance(30);
		expect(brief(await t.poll())).toEqual([['stateChanged', 'TR-1', 'closed', 'resolved']]);

		// A failed resolution: closed 25 s after it is made, with its fallback incident.
		await issue(BETH.sys_id, '101', 'TR-2');
		advance(35);
		const failed = await t.poll();
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
		await issue(BETH.sys_id, '100', 'S-2');
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
		await create({ endpoint: { user_id: ABEL.sys_id }, issue_code: '103', provider: 'sn' });
		await create({ endpoint: { user_id: BETH.sys_id }, issue_code: '100', provider: 'sn' });
		await issue(BETH.sys_id, '103', 'F-1');
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
		await issue(ABEL.sys_id, '100', 'E-1');
		advance(SETTLE + 1);
		expect(brief(await t.poll())).toEqual([['created', 'E-1', 'open', '']]);
	});
});

describe('the trigger across failed and redirected reads, repeated states and updated incidents', () => {
	beforeEach(() => sn.reset());

	/** As n8n's regular mode runs a poll trigger: one Workflow, its static data kept in memory between polls. */
	function livePoller(parameters: Record<string, unknown>) {
		const node = triggerNode(parameters);
		const credentials = basicAt(sn.url);
		const workflow = buildWorkflow({ nodes: [node], connections: {}, staticData: {} }, nodeTypes);
		const ctx = pollContext(workflow, 'PE Trigger', credentials, 'trigger');
		return async (): Promise<IDataObject[]> =>
			((await trigger.poll.call(ctx))?.[0] ?? []).map((item: INodeExecutionData) => item.json);
	}
	const codes = (events: IDataObject[]) =>
		events.map((e) => [e.event, e.experience_id, e.state, e.issue_code]);

	it('loses nothing when the incident read fails after the issues were read (static data kept in memory)', async () => {
		const poll = livePoller({
			events: ['stateChanged', 'fallbackIncident'],
			states: ['action_wait', 'closed'],
		});
		await poll();
		advance(1);
		await issue(ABEL.sys_id, '102', 'LOST-1');
		advance(31);
		sn.injectFault({
			status: 500,
			count: 0,
			match: { route: 'table', path: '/api/now/table/incident' },
		});
		await expect(poll()).rejects.toThrow('Reading incident failed (HTTP 500)');
		sn.emulator.clearFaults();
		advance(1);
		expect(codes(await poll())).toEqual([['stateChanged', 'LOST-1', 'action_wait', '102']]);
	});

	it('reports an issue that reaches action_wait again between two polls (chained, and the next code waits too)', async () => {
		const t = poller({ events: ['stateChanged'], states: ['action_wait'] });
		await t.poll();
		advance(1);
		await issue(ABEL.sys_id, '102', 'RW-1');
		advance(31);
		expect(codes(await t.poll())).toEqual([['stateChanged', 'RW-1', 'action_wait', '102']]);
		await issue(ABEL.sys_id, '102', 'RW-1');
		advance(31);
		const again = await t.poll();
		expect(codes(again)).toEqual([['stateChanged', 'RW-1', 'action_wait', '102']]);
		expect(again[0].issue_code_history).toEqual(['102', '102']);
	});

	it('reports a fallback incident once, however often it is updated later', async () => {
		const t = poller({ events: ['fallbackIncident'], states: [] });
		await t.poll();
		advance(1);
		await issue(BETH.sys_id, '101', 'INC-DUP');
		advance(31);
		expect((await t.poll()).map((e) => e.event)).toEqual(['fallbackIncident']);
		// On an instance incidents are worked on: assigned, commented, New → In Progress.
		advance(60);
		// The emulator's own record (listIncidents gives copies), changed as an instance would.
		const incident = (
			sn.emulator as unknown as { state: { incidents: { all(): Array<Record<string, string>> } } }
		).state.incidents.all()[0];
		incident.state = '2';
		incident.sys_updated_on = new Date(clock - 10_000).toISOString().replace('T', ' ').slice(0, 19);
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
			await issue(BETH.sys_id, '101', 'FILTERED');
			advance(31);
			expect(await t.poll()).toEqual([]);
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
		sn.injectFault({
			status: 500,
			count: 3,
			match: { route: 'table', path: '/api/now/table/sn_pren_experience_issue' },
		});
		await expect(t.poll()).rejects.toThrow('Reading sn_pren_experience_issue failed (HTTP 500)');
		sn.emulator.clearFaults();
		advance(1);
		expect(codes(await t.poll())).toEqual([['fallbackIncident', 'LOOKUP-1', 'closed', '101']]);
	});

	it('says the instance redirected, not that the user lacks access, when the read is redirected', async () => {
		const redirecting = createServer((_req, res) =>
			res.writeHead(301, { location: 'https://127.0.0.1:1/' }).end(),
		);
		await new Promise<void>((resolve) => redirecting.listen(0, '127.0.0.1', resolve));
		try {
			const t = poller(
				{ events: ['created'], states: [] },
				`http://127.0.0.1:${(redirecting.address() as AddressInfo).port}`,
			);
			await expect(t.poll()).rejects.toMatchObject({
				message: 'Reading sn_pren_experience_issue failed (HTTP 301).',
				description: expect.stringMatching(
					/redirected the read to https:\/\/127\.0\.0\.1:1\/.*Instance URL/,
				),
			});
		} finally {
			redirecting.close();
		}
	});

	it('loses no change saved while a page was being answered (its time earlier than the answer)', async () => {
		const fresh = await startEmulator({
			port: 0,
			auth: 'basic',
			initialState: 'closed',
			now: () => clock,
		});
		try {
			const t = poller({ events: ['created'], states: [] }, fresh.url);
			const auth = {
				authorization: `Basic ${Buffer.from('pe.integration:integration').toString('base64')}`,
			};
			await t.poll();
			const S = Math.ceil(clock / 1000) * 1000 + 10_000;
			clock = S + 100;
			await postJson(
				fresh.url,
				{
					endpoint: { user_id: ABEL.sys_id },
					issue_code: '100',
					provider: 'sn',
					experience_id: 'A',
				},
				auth,
			);
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
							await postJson(
								fresh.url,
								{
									endpoint: { user_id: ABEL.sys_id },
									issue_code: '100',
									provider: 'sn',
									experience_id: `B${i}`,
								},
								auth,
							);
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
			reported.push(
				...(await t.poll()).map((e) => String(e.experience_id)),
				...(await t.poll()).map((e) => String(e.experience_id)),
			);
			expect(late).toHaveLength(12);
			expect(reported.sort()).toEqual(['A', ...late].sort());
		} finally {
			await fresh.close();
		}
	});
});

describe('the trigger under many changes', () => {
	it('takes at most Max Events per Poll, the rest on the next polls, none twice, none lost', async () => {
		const many = await startEmulator({
			port: 0,
			auth: 'basic',
			initialState: 'closed',
			now: () => clock,
		});
		try {
			const t = poller({ events: ['created'], states: [], maxEvents: 100 }, many.url);
			await t.poll();
			clock += 1000;
			const auth = {
				authorization: `Basic ${Buffer.from('pe.integration:integration').toString('base64')}`,
			};
			for (let i = 0; i < 250; i++)
				await postJson(
					many.url,
					{
						endpoint: { user_id: ABEL.sys_id },
						issue_code: '100',
						provider: 'sn',
						experience_id: `MANY-${String(i).padStart(3, '0')}`,
					},
					auth,
				);
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

describe('each issue created is reported once, whatever order its rows are read in', () => {
	beforeEach(() => sn.reset());
	const auth = {
		authorization: `Basic ${Buffer.from('pe.integration:integration').toString('base64')}`,
	};
	const codes = (events: IDataObject[]) =>
		events.map((e) => [e.event, e.experience_id, e.state, e.issue_code]);
	/** How often each event was reported: `created X`, `stateChanged X in_progress`. */
	const count = (events: IDataObject[]) => {
		const counts: Record<string, number> = {};
		for (const e of events) {
			const key = [e.event, e.experience_id, ...(e.event === 'stateChanged' ? [e.state] : [])].join(
				' ',
			);
			counts[key] = (counts[key] ?? 0) + 1;
		}
		return counts;
	};

	it('reports an issue created before another and changed inside the settle window (each poll after a restart)', async () => {
		const t = poller(
			{ events: ['created', 'stateChanged'], states: ['in_progress'] },
			sn.url,
			'asN8n',
		);
		expect(await t.poll()).toEqual([]);
		advance(1);
		await issue(ABEL.sys_id, '102', 'X'); // in_progress 5 s later
		advance(1);
		await issue(BETH.sys_id, '100', 'Y'); // in_progress 10 s later
		// X moved 1 s ago by the instance's clock: not settled; Y's creation is.
		advance(6);
		const events = await t.poll();
		for (let i = 0; i < 5; i++) {
			advance(SETTLE + 1);
			events.push(...(await t.poll()));
		}
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
		await t.poll();
		advance(1);
		await issue(ABEL.sys_id, '100', 'X');
		advance(1);
		await issue(BETH.sys_id, '100', 'Y');
		advance(4);
		const table = `${sn.url}/api/now/table/sn_pren_experience_issue`;
		const [x] = (await send(`${table}?sysparm_query=experience_id=X`, { headers: auth })).json()
			.result;
		const moved = await send(`${table}/${x.sys_id}`, {
			method: 'PATCH',
			headers: { ...auth, 'content-type': 'application/json' },
			body: '{"state":"action_wait"}',
		});
		expect(moved.status).toBe(200);
		advance(2); // X's change is 2 s old, Y's creation 6 s
		const events = await t.poll();
		for (let i = 0; i < 3; i++) {
			advance(SETTLE + 1);
			events.push(...(await t.poll()));
		}
		expect(count(events)).toEqual({
			'created X': 1,
			'created Y': 1,
			'stateChanged X action_wait': 1,
		});
	});

	it('reports a creation left for the next poll by Max Events per Poll', async () => {
		const t = poller({ events: ['created'], states: [], maxEvents: 1 }, sn.url, 'asN8n');
		await t.poll();
		advance(1);
		await issue(ABEL.sys_id, '102', 'X');
		advance(1);
		await issue(BETH.sys_id, '102', 'Y');
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
		await issue(ABEL.sys_id, '100', 'OLD-STATE');
		advance(SETTLE + 1);
		expect(brief(await t.poll())).toEqual([['created', 'OLD-STATE', 'open', '']]);
		advance(SETTLE + 1);
		expect(await t.poll()).toEqual([]);
	});

	it('reports creations from where the trigger is when Issue Created is chosen again, not from where it was taken off', async () => {
		const events = (chosen: string[]) => ({ events: chosen, states: ['action_wait'] });
		const first = poller(events(['created', 'stateChanged']));
		await first.poll();
		advance(1);
		await issue(ABEL.sys_id, '100', 'A');
		advance(SETTLE + 1);
		expect(codes(await first.poll())).toEqual([['created', 'A', 'open', '100']]);
		// Issue Created taken off the trigger for a while; B is made meanwhile.
		const without = poller(events(['stateChanged']));
		Object.assign(without.staticData, JSON.parse(JSON.stringify(first.staticData)));
		advance(1);
		await issue(BETH.sys_id, '100', 'B');
		advance(SETTLE + 1);
		expect(await without.poll()).toEqual([]);
		const again = poller(events(['created', 'stateChanged']));
		Object.assign(again.staticData, JSON.parse(JSON.stringify(without.staticData)));
		advance(1);
		await issue(ABEL.sys_id, '103', 'C');
		advance(SETTLE + 1);
		expect(codes(await again.poll())).toEqual([['created', 'C', 'in_progress', '103']]);
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
			await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
			noDate = {
				url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
				close: () =>
					new Promise<void>((resolve) => {
						server.closeAllConnections();
						server.close(() => resolve());
					}),
			};
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
			const made = await postJson(
				behind.url,
				{
					endpoint: { user_id: user },
					issue_code: issueCode,
					provider: 'sn',
					experience_id: experienceId,
				},
				auth,
			);
			expect(made.status).toBe(200);
		};
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
				{ headers: auth },
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
				const events: IDataObject[] = [];
				for (const seconds of [SETTLE + 1, 20, SETTLE + 1, SETTLE + 1]) {
					pass(seconds * 1000);
					events.push(...(await t.poll()));
				}
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
			for (const user of [BETH.sys_id, DAVID, ABEL.sys_id]) {
				for (const code of ['101', '102', '103']) {
					await make(`B-${n}`, code, user);
					others[`B-${n}`] = sysId(n % 2 ? 'c' : '3', n);
					n++;
				}
			}
			renumber(others);
			expect(new Set(behind.issues().map((i) => i.sys_created_on)).size).toBe(1);
			const events: IDataObject[] = [...first];
			for (let i = 0; i < 3; i++) {
				pass(10_000);
				events.push(...(await t.poll()));
			}
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
			for (let i = 0; i < 3; i++) {
				pass(60_000);
				events.push(...(await t.poll()));
			}
			expect(count(events)).toEqual({ 'created AHEAD': 1 });
		});
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
