import { DOCUMENTED_ERRORS } from '../../../../contract/errors';
import { startEmulator, type RunningEmulator } from '../../../../emulator/server';
import { ABEL, BETH } from '../../../helpers/http';
import { BASIC, routed, runAction } from '../../../helpers/action';
import { vendor } from '../../../helpers/alerts';

let sn: RunningEmulator;
beforeAll(async () => {
	sn = await startEmulator({ port: 0, auth: 'basic' });
});
afterAll(() => sn.close());
beforeEach(() => sn.reset());

const sentBodies = () =>
	sn
		.journal()
		.filter((e) => e.route === 'create')
		.map((e) => JSON.parse(e.body));
const rule = (value: string, issueCode: string, label?: string) =>
	label ? { match: 'label', label, value, issueCode } : { match: 'alertName', value, issueCode };

/** The vendor's own payload, with the labels a rule author adds to name the user (see vendors.test.ts for payloads as sent). */
const alertmanagerWithUsers = () => {
	const group = vendor('alertmanager/04-blackbox-url-instance-firing.json');
	group.alerts[0].labels.user = 'abel.tuter';
	group.alerts[0].labels.pid = '10644';
	group.alerts[1].labels.email = 'beth.anglin@example.com';
	group.alerts[1].labels.cpu_usage = '78%';
	return group;
};

describe('Build From, whatever the source', () => {
	it('reads users from labels, renamed under Label Names; overrides replace what the alert says for every alert', async () => {
		const payload = alertmanagerWithUsers();
		const { outputs } = await runAction({
			items: [payload],
			credentials: BASIC(sn.url),
			parameters: {
				source: 'alertmanager',
				defaultIssueCode: '103',
				alertContext: [],
				labelNames: { emailLabel: 'mail' },
			},
		});
		expect(routed(outputs)).toEqual({ Created: [0], 'Missing Endpoint': [0, 0] });
		expect(sentBodies()).toEqual([
			{
				endpoint: { user_name: 'abel.tuter' },
				issue_code: '103',
				provider: 'sn',
				input_parameters: { process_id: '10644' },
			},
		]);
		sn.reset();
		const overridden = await runAction({
			items: [payload],
			credentials: BASIC(sn.url),
			parameters: {
				source: 'alertmanager',
				defaultIssueCode: '103',
				alertContext: [],
				overrides: {
					endpointUserName:
						'={{ $json.receiver === "n8n-servicenow-webhook" ? "david.miller" : "" }}',
					cpuUsage: '99%',
				},
			},
		});
		// All three now name david.miller (the user name decides over the email, as on the instance): one request.
		expect(routed(overridden.outputs)).toEqual({ Created: [0], 'Already Being Resolved': [0, 0] });
		expect(overridden.outputs['Already Being Resolved'].map((o) => o.json.sent)).toEqual([
			false,
			false,
		]);
		expect(sentBodies()).toEqual([
			{
				endpoint: { user_name: 'david.miller' },
				issue_code: '103',
				provider: 'sn',
				input_parameters: { process_id: '10644' },
				investigative_details: { cpu_usage: '99%' },
			},
		]);
	});

	it('sends resolved alerts too when asked, and reads the payload from a Webhook node item (body)', async () => {
		const { outputs } = await runAction({
			items: [{ headers: {}, body: vendor('alertmanager/05-blackbox-url-instance-resolved.json') }],
			credentials: BASIC(sn.url),
			parameters: {
				source: 'alertmanager',
				includeResolved: true,
				defaultIssueCode: '102',
				alertContext: [],
				overrides: { endpointUserName: 'abel.tuter' },
			},
		});
		expect(routed(outputs)).toEqual({ Created: [0], 'Already Being Resolved': [0, 0] });
	});

	it('routes a payload of another source as unrecognised, never dropping it', async () => {
		const { outputs } = await runAction({
			items: [vendor('datadog/12-rendered-by-us-custom-triggered.json')],
			credentials: BASIC(sn.url),
			parameters: { source: 'alertmanager' },
		});
		expect(routed(outputs)).toEqual({ Other: [0] });
		expect(outputs.Other[0].json).toMatchObject({ errorCode: 'UNRECOGNISED_PAYLOAD', sent: false });
		expect(outputs.Other[0].json.message).toBe(
			'The item is not an Alertmanager webhook: expected "version": "4", "groupKey" and an "alerts" array, as Alertmanager\'s webhook_configs send them (looked in the item and in its "body"). It is a Datadog payload: choose Build From "Datadog".',
		);
	});
});

describe('issue code mapping', () => {
	it('uses rules in order, then the alert label, then the default; with none, the alert goes to Invalid Issue Code, named', async () => {
		const payload = alertmanagerWithUsers();
		payload.alerts[1].labels.issue_code = '103';
		const withLabel = await runAction({
			items: [payload],
			credentials: BASIC(sn.url),
			parameters: {
				source: 'alertmanager',
				resolveCiFromHost: true,
				issueCodeRules: { rules: [rule('page', '100', 'severity'), rule('InstanceDown', '999')] },
				options: { dryRun: true },
			},
		});
		expect(
			withLabel.outputs.Created.map((o) => [
				(o.json.request as any).issue_code,
				(o.json.alert as any).issueCodeFrom,
			]),
		).toEqual([
			['100', 'rule 1'],
			['100', 'rule 1'],
		]);
		const labelOnly = await runAction({
			items: [payload],
			credentials: BASIC(sn.url),
			parameters: { source: 'alertmanager', defaultIssueCode: '102', options: { dryRun: true } },
		});
		expect(labelOnly.outputs.Created.map((o) => (o.json.request as any).issue_code)).toEqual([
			'102',
			'103',
		]);

		const none = await runAction({
			items: [alertmanagerWithUsers()],
			credentials: BASIC(sn.url),
			parameters: { source: 'alertmanager' },
		});
		expect(none.error).toBeUndefined();
		expect(routed(none.outputs)).toEqual({ 'Invalid Issue Code': [0, 0], 'Missing Endpoint': [0] });
		expect(none.outputs['Invalid Issue Code'][0].json).toMatchObject({
			sent: false,
			field: 'issue_code',
			message:
				'Alert "InstanceDown" matched no issue code rule, has no "issue_code" label, and no Default Issue Code is set: add a rule or a default.',
		});
		expect(sentBodies()).toEqual([]);
	});

	it('fails the node before anything is sent when Error Routing is Single Output', async () => {
		const single = await runAction({
			items: [alertmanagerWithUsers()],
			credentials: BASIC(sn.url),
			routing: 'single',
			parameters: { source: 'alertmanager', issueCodeRules: { rules: [rule('nothing', '100')] } },
		});
		expect(single.error).toMatch(/^Alert "InstanceDown" matched no issue code rule/);
		expect(sentBodies()).toEqual([]);
	});
});

describe('dry run', () => {
	it('outputs the exact request each alert would send and creates nothing (CI lookups, being reads, still run)', async () => {
		const { outputs, error } = await runAction({
			items: [alertmanagerWithUsers()],
			credentials: BASIC(sn.url),
			parameters: {
				source: 'alertmanager',
				defaultIssueCode: '100',
				alertContext: ['severity'],
				resolveCiFromHost: true,
				options: { dryRun: true, requestFormat: 'xml' },
			},
		});
		expect(error).toBeUndefined();
		expect(routed(outputs)).toEqual({ Created: [0, 0], 'Missing Endpoint': [0] });
		expect(outputs.Created[0].json).toMatchObject({
			outcome: 'dryRun',
			method: 'POST',
			path: '/api/sn_pren/self_remediation/experience_issue/create',
			format: 'xml',
		});
		expect(outputs.Created[0].json.serialisedBody).toBe(
			'<?xml version="1.0" encoding="UTF-8"?><request><endpoint><user_name>abel.tuter</user_name></endpoint><issue_code>100</issue_code><provider>sn</provider><input_parameters><process_id>10644</process_id></input_parameters><investigative_details><severity>page</severity></investigative_details></request>',
		);
		expect(outputs.Created[1].json.serialisedBody).toContain(
			'<endpoint><email>beth.anglin@example.com</email></endpoint>',
		);
		expect(outputs.Created[1].json.serialisedBody).toContain('<cpu_usage>78%</cpu_usage>');
		// One CMDB lookup per host (example.com, prometheus.io), nothing else.
		expect(sn.journal().map((e) => `${e.method} ${e.route}`)).toEqual(['GET table', 'GET table']);
		expect(sn.issues()).toEqual([]);
	});
});

describe('Chain', () => {
	const chain = (items: Array<Record<string, unknown>>, parameters: Record<string, unknown> = {}) =>
		runAction({
			items,
			credentials: BASIC(sn.url),
			parameters: {
				operation: 'chain',
				experienceId: '={{ $json.experience_id }}',
				issueCode: '={{ $json.code }}',
				endpointUserId: '={{ $json.user_id }}',
				...parameters,
			},
		});

	it("refuses unsent while the issue is not in action_wait, chains once it is, using the issue's user", async () => {
		await runAction({
			items: [{ user_id: ABEL.sys_id, code: '100', experience_id: 'CHAIN-1' }],
			credentials: BASIC(sn.url),
		});
		const early = await chain([{ experience_id: 'CHAIN-1', code: '101' }]);
		expect(routed(early.outputs)).toEqual({ 'Chain Conflict': [0] });
		expect(early.outputs['Chain Conflict'][0].json).toMatchObject({
			sent: false,
			issueState: 'open',
			message: DOCUMENTED_ERRORS.CHAIN_CONFLICT.message,
		});
		expect(String(early.outputs['Chain Conflict'][0].json.detail)).toContain('in state "open"');
		expect(sn.journal().filter((e) => e.route === 'create')).toHaveLength(1);

		sn.emulator.setIssueState('CHAIN-1', 'action_wait');
		const done = await chain([{ experience_id: 'CHAIN-1', code: '101' }]);
		expect(routed(done.outputs)).toEqual({ Chained: [0] });
		expect(done.outputs.Chained[0].json).toMatchObject({
			outcome: 'chained',
			experience_id: 'CHAIN-1',
			issueState: 'action_wait',
			request: { endpoint: { user_id: ABEL.sys_id }, issue_code: '101', experience_id: 'CHAIN-1' },
		});
		expect(sn.issues()[0]).toMatchObject({
			experience_id: 'CHAIN-1',
			issue_code: '101',
			issue_code_history: ['100', '101'],
		});
	});

	it('lets the instance judge when the state check is off', async () => {
		await runAction({
			items: [{ user_id: BETH.sys_id, code: '100', experience_id: 'CHAIN-2' }],
			credentials: BASIC(sn.url),
		});
		const res = await chain([{ experience_id: 'CHAIN-2', code: '101', user_id: BETH.sys_id }], {
			checkState: false,
		});
		expect(routed(res.outputs)).toEqual({ 'Chain Conflict': [0] });
		expect(res.outputs['Chain Conflict'][0].json).toMatchObject({ sent: true, httpStatus: 400 });
	});

	it('says there is nothing to chain onto for an unknown experience_id', async () => {
		const res = await chain([{ experience_id: 'NOPE', code: '101' }]);
		expect(res.error).toBeUndefined();
		expect(routed(res.outputs)).toEqual({ Other: [0] });
		expect(res.outputs.Other[0].json).toMatchObject({ errorCode: 'ISSUE_NOT_FOUND', sent: false });
	});
});

describe('Get', () => {
	it('returns the state the emulator holds, with JSON fields parsed', async () => {
		await runAction({
			items: [{ user_id: ABEL.sys_id, code: '100', experience_id: 'GET-1', cpu: '78%' }],
			credentials: BASIC(sn.url),
		});
		sn.emulator.setIssueState('GET-1', 'in_progress');
		const sysId = sn.issues()[0].sys_id;
		for (const [findBy, id] of [
			['experience_id', 'GET-1'],
			['sys_id', sysId],
		]) {
			const { outputs } = await runAction({
				items: [{}],
				credentials: BASIC(sn.url),
				parameters: { operation: 'get', findBy, issueId: id },
			});
			expect(outputs.Issue[0].json).toMatchObject({
				experience_id: 'GET-1',
				sys_id: sysId,
				state: 'in_progress',
				issue_code: '100',
				user: ABEL.sys_id,
				investigative_details: { cpu_usage: '78%' },
				issue_code_history: ['100'],
			});
		}
		const missing = await runAction({
			items: [{}],
			credentials: BASIC(sn.url),
			parameters: { operation: 'get', issueId: 'NOPE' },
		});
		expect(missing.error).toBe(
			'No experience issue with this ID: no issue has experience_id "NOPE".',
		);
	});
});

describe('Table API reads carry values as data', () => {
	it('says why an ID holding a lone surrogate finds no issue (Get and Chain)', async () => {
		const broken = 'REAL\ud800';
		const get = await runAction({
			items: [{}],
			credentials: BASIC(sn.url),
			parameters: { operation: 'get', issueId: broken },
		});
		const description = (get.run.data.resultData.error as { description?: string } | undefined)
			?.description;
		expect(description).toBe(
			'Check the ID and Find By. It holds a broken character (a lone UTF-16 surrogate), which no stored value has: check the expression that gives it.',
		);
		const chained = await runAction({
			items: [{ experience_id: broken, code: '101' }],
			credentials: BASIC(sn.url),
			parameters: {
				operation: 'chain',
				experienceId: '={{ $json.experience_id }}',
				issueCode: '={{ $json.code }}',
			},
		});
		expect(chained.outputs.Other[0].json).toMatchObject({
			errorCode: 'ISSUE_NOT_FOUND',
			sent: false,
			detail: expect.stringContaining('It holds a broken character (a lone UTF-16 surrogate)'),
		});
	});

	it('escapes ^ in an ID and a host name, so neither can add query conditions of its own', async () => {
		await runAction({
			items: [{ user_id: ABEL.sys_id, code: '100', experience_id: 'REAL-1' }],
			credentials: BASIC(sn.url),
		});
		const injected = 'NOPE^ORstate=open';
		const get = await runAction({
			items: [{}],
			credentials: BASIC(sn.url),
			parameters: { operation: 'get', issueId: injected },
		});
		expect(get.error).toBe(
			`No experience issue with this ID: no issue has experience_id "${injected}".`,
		);
		const chained = await runAction({
			items: [{ experience_id: injected, code: '101' }],
			credentials: BASIC(sn.url),
			parameters: {
				operation: 'chain',
				experienceId: '={{ $json.experience_id }}',
				issueCode: '={{ $json.code }}',
			},
		});
		expect(chained.outputs.Other[0].json).toMatchObject({
			errorCode: 'ISSUE_NOT_FOUND',
			sent: false,
		});

		const { outputs } = await runAction({
			items: [
				{
					version: '4',
					groupKey: '{}:{}',
					alerts: [
						{
							status: 'firing',
							labels: {
								alertname: 'HighCpuUsage',
								instance: 'nothing^ORname=web-01:9100',
								user: 'abel.tuter',
							},
						},
					],
				},
			],
			credentials: BASIC(sn.url),
			parameters: { source: 'alertmanager', defaultIssueCode: '101', resolveCiFromHost: true },
		});
		expect(outputs.Created[0].json).toMatchObject({ ciNotFoundForHost: 'nothing^ORname=web-01' });
		expect(sentBodies().pop().endpoint).toEqual({ user_name: 'abel.tuter' });
		const lookups = sn
			.journal()
			.filter((e) => e.route === 'table')
			.map((e) => new URL(e.path, sn.url).searchParams.get('sysparm_query'));
		expect(lookups).toEqual([
			'experience_id=NOPE^^ORstate=open',
			'experience_id=NOPE^^ORstate=open',
			'name=nothing^^ORname=web-01',
		]);
	});
});
