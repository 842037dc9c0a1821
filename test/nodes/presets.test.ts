import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DOCUMENTED_ERRORS } from '../../contract/errors';
import { startEmulator, type RunningEmulator } from '../../emulator/server';
import { ABEL, BETH } from '../helpers/http';
import { BASIC, routed, runAction } from '../helpers/action';

const fixture = (name: string) => JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', name), 'utf8'));
const DAVID = '46d44a23a9fe19810012d100cca80667';
const WEB01 = 'b4fd7c8437201000deeabfc8bcbe5dc1';
const BETH_DESKTOP = 'a9c0c8d2c611227601fb4e12e2bde3a0';

let sn: RunningEmulator;
beforeAll(async () => {
	sn = await startEmulator({ port: 0, auth: 'basic' });
});
afterAll(() => sn.close());
beforeEach(() => sn.reset());

const sentBodies = () => sn.journal().filter((e) => e.route === 'create').map((e) => JSON.parse(e.body));
const rule = (value: string, issueCode: string, label?: string) => (label ? { match: 'label', label, value, issueCode } : { match: 'alertName', value, issueCode });

describe('Build From: Prometheus Alertmanager', () => {
	it('gives one issue per firing alert, skips the resolved one, resolves a CI from the host', async () => {
		const { outputs } = await runAction({
			items: [fixture('alertmanager.json')],
			credentials: BASIC(sn.url),
			parameters: {
				source: 'alertmanager',
				issueCodeRules: { rules: [rule('HighCpuUsage', '100'), rule('LowMemory', '101')] },
				resolveCiFromHost: true,
				options: { concurrency: 1 },
			},
		});
		expect(routed(outputs)).toEqual({ Created: [0, 0], Skipped: [0] });
		expect(sentBodies()).toEqual([
			{
				endpoint: { CI: ABEL.ci, user_name: 'abel.tuter' },
				issue_code: '100',
				provider: 'sn',
				input_parameters: { process_id: '10644' },
				investigative_details: { cpu_usage: '78%' },
			},
			{ endpoint: { CI: WEB01 }, issue_code: '101', provider: 'sn', investigative_details: { available_memory: '8%' } },
		]);
		expect(sn.issues().map((i) => i.user)).toEqual([ABEL.sys_id, DAVID]);
		expect(outputs.Created[1].json).toMatchObject({ ciResolvedFromHost: 'web-01', alert: { name: 'LowMemory', host: 'web-01', issueCodeFrom: 'rule 2' } });
		expect(outputs.Skipped[0].json).toMatchObject({ outcome: 'skipped', alert: { status: 'resolved', host: 'BETH-DESKTOP' } });
		// Each host is looked up once per execution.
		expect(sn.journal().filter((e) => e.path.startsWith('/api/now/table/cmdb_ci_computer')).length).toBe(2);
	});

	it('sends resolved alerts too when asked, and reads the payload from a Webhook node item (body)', async () => {
		const { outputs } = await runAction({
			items: [{ headers: {}, body: fixture('alertmanager.json') }],
			credentials: BASIC(sn.url),
			parameters: { source: 'alertmanager', includeResolved: true, defaultIssueCode: '102', resolveCiFromHost: true },
		});
		expect(routed(outputs)).toEqual({ Created: [0, 0, 0] });
		expect(sentBodies().map((b) => b.endpoint.CI)).toEqual([ABEL.ci, WEB01, BETH_DESKTOP]);
	});
});

describe('Build From: Grafana Alerting', () => {
	it('maps values and hosts, and routes a host without a CI as failed when so set', async () => {
		const { outputs, error } = await runAction({
			items: [fixture('grafana.json')],
			credentials: BASIC(sn.url),
			parameters: {
				source: 'grafana',
				issueCodeRules: { rules: [rule('/cpu/', '100'), rule('/disk/', '102')] },
				resolveCiFromHost: true,
				ciNotFound: 'fail',
			},
		});
		expect(error).toBeUndefined();
		expect(routed(outputs)).toEqual({ Created: [0], Other: [0] });
		expect(sentBodies()).toEqual([
			{ endpoint: { CI: BETH_DESKTOP, user_name: 'beth.anglin' }, issue_code: '100', provider: 'sn', investigative_details: { cpu_usage: '91.5' } },
		]);
		expect(outputs.Other[0].json).toMatchObject({
			errorCode: 'CI_NOT_FOUND',
			sent: false,
			message: 'No cmdb_ci_computer record is named "ghost-host".',
			alert: { name: 'Disk Almost Full' },
		});
	});

	it('continues without a CI by default: the alert then lands on Missing Endpoint, naming the alert', async () => {
		const { outputs } = await runAction({
			items: [fixture('grafana.json')],
			credentials: BASIC(sn.url),
			parameters: { source: 'grafana', defaultIssueCode: '102', resolveCiFromHost: true },
			onError: 'continueRegularOutput',
		});
		expect(routed(outputs)).toEqual({ Created: [0], 'Missing Endpoint': [0] });
		expect(String(outputs['Missing Endpoint'][0].json.message)).toContain('Alert "Disk Almost Full" names no user or device');
	});
});

describe('Build From: Azure Monitor', () => {
	it('reads the common alert schema: configuration item, metric value, custom properties', async () => {
		const { outputs } = await runAction({
			items: [fixture('azure-monitor.json')],
			credentials: BASIC(sn.url),
			parameters: { source: 'azureMonitor', resolveCiFromHost: true, fingerprintAsExperienceId: true },
		});
		expect(routed(outputs)).toEqual({ Created: [0] });
		const alertId = fixture('azure-monitor.json').data.essentials.alertId;
		expect(sentBodies()).toEqual([
			{
				endpoint: { CI: WEB01 },
				issue_code: '101',
				provider: 'sn',
				experience_id: alertId,
				input_parameters: { process_id: '4242' },
				investigative_details: { cpu_usage: '92.417' },
			},
		]);
		expect(outputs.Created[0].json.experience_id).toBe(alertId);
	});
});

describe('Build From: Datadog', () => {
	it('reads host and tags of the webhook payload; overrides replace what the alert says', async () => {
		const { outputs } = await runAction({
			items: [fixture('datadog.json')],
			credentials: BASIC(sn.url),
			parameters: { source: 'datadog', overrides: { processId: '={{ $json.alert_id }}' } },
		});
		expect(routed(outputs)).toEqual({ Created: [0] });
		expect(sentBodies()).toEqual([
			{ endpoint: { user_name: 'abel.tuter' }, issue_code: '100', provider: 'sn', input_parameters: { process_id: '98765432' }, investigative_details: { cpu_usage: '93%' } },
		]);
	});

	it('routes a payload of another source as unrecognised, never dropping it', async () => {
		const { outputs } = await runAction({ items: [fixture('datadog.json')], credentials: BASIC(sn.url), parameters: { source: 'alertmanager' } });
		expect(routed(outputs)).toEqual({ Other: [0] });
		expect(outputs.Other[0].json).toMatchObject({ errorCode: 'UNRECOGNISED_PAYLOAD', sent: false });
		expect(String(outputs.Other[0].json.message)).toMatch(/not an Alertmanager webhook: it has no "alerts" array/);
	});
});

describe('issue code mapping', () => {
	it('uses rules in order, then the alert label, then the default; with none, names the alert', async () => {
		const payload = fixture('alertmanager.json');
		payload.alerts[1].labels.issue_code = '103';
		const withLabel = await runAction({
			items: [payload],
			credentials: BASIC(sn.url),
			parameters: { source: 'alertmanager', resolveCiFromHost: true, issueCodeRules: { rules: [rule('warning', '100', 'severity'), rule('HighCpuUsage', '999')] }, options: { dryRun: true } },
		});
		expect(withLabel.outputs.Created.map((o) => [(o.json.request as any).issue_code, (o.json.alert as any).issueCodeFrom])).toEqual([
			['100', 'rule 1'],
			['100', 'rule 1'],
		]);
		const labelOnly = await runAction({ items: [payload], credentials: BASIC(sn.url), parameters: { source: 'alertmanager', resolveCiFromHost: true, defaultIssueCode: '102', options: { dryRun: true } } });
		expect(labelOnly.outputs.Created.map((o) => (o.json.request as any).issue_code)).toEqual(['102', '103']);

		const none = await runAction({ items: [fixture('alertmanager.json')], credentials: BASIC(sn.url), parameters: { source: 'alertmanager', resolveCiFromHost: true }, onError: 'continueRegularOutput' });
		expect(routed(none.outputs)).toEqual({ 'Invalid Issue Code': [0, 0], Skipped: [0] });
		expect(none.outputs['Invalid Issue Code'][0].json.message).toBe(
			'Alert "HighCpuUsage" matched no issue code rule, has no "issue_code" label, and no Default Issue Code is set: add a rule or a default.',
		);
		const failing = await runAction({ items: [fixture('alertmanager.json')], credentials: BASIC(sn.url), parameters: { source: 'alertmanager', resolveCiFromHost: true } });
		expect(failing.error).toMatch(/^Alert "HighCpuUsage" matched no issue code rule/);
		expect(sentBodies()).toEqual([]);
	});
});

describe('dry run', () => {
	it('outputs the exact request each alert would send and creates nothing (CI lookups, being reads, still run)', async () => {
		const { outputs, error } = await runAction({
			items: [fixture('alertmanager.json')],
			credentials: BASIC(sn.url),
			parameters: { source: 'alertmanager', defaultIssueCode: '100', resolveCiFromHost: true, options: { dryRun: true, requestFormat: 'xml' } },
		});
		expect(error).toBeUndefined();
		expect(routed(outputs)).toEqual({ Created: [0, 0], Skipped: [0] });
		expect(outputs.Created[0].json).toMatchObject({ outcome: 'dryRun', method: 'POST', path: '/api/sn_pren/self_remediation/experience_issue/create', format: 'xml' });
		expect(outputs.Created[0].json.serialisedBody).toBe(
			'<?xml version="1.0" encoding="UTF-8"?><request><endpoint><user_name>abel.tuter</user_name><CI>d049b28e936aa1106f98f6db5cba10d5</CI></endpoint><issue_code>100</issue_code><provider>sn</provider><input_parameters><process_id>10644</process_id></input_parameters><investigative_details><cpu_usage>78%</cpu_usage></investigative_details></request>',
		);
		expect(outputs.Created[1].json.serialisedBody).toContain(`<endpoint><CI>${WEB01}</CI></endpoint>`);
		expect(sn.journal().map((e) => `${e.method} ${e.route}`)).toEqual(['GET table', 'GET table']);
	});
});

describe('Chain', () => {
	const chain = (items: Array<Record<string, unknown>>, parameters: Record<string, unknown> = {}) =>
		runAction({
			items,
			credentials: BASIC(sn.url),
			parameters: { operation: 'chain', experienceId: '={{ $json.experience_id }}', issueCode: '={{ $json.code }}', endpointUserId: '={{ $json.user_id }}', ...parameters },
		});

	it('refuses unsent while the issue is not in action_wait, chains once it is, using the issue\'s user', async () => {
		await runAction({ items: [{ user_id: ABEL.sys_id, code: '100', experience_id: 'CHAIN-1' }], credentials: BASIC(sn.url) });
		const early = await chain([{ experience_id: 'CHAIN-1', code: '101' }]);
		expect(routed(early.outputs)).toEqual({ 'Chain Conflict': [0] });
		expect(early.outputs['Chain Conflict'][0].json).toMatchObject({ sent: false, issueState: 'open', message: DOCUMENTED_ERRORS.CHAIN_CONFLICT.message });
		expect(String(early.outputs['Chain Conflict'][0].json.detail)).toContain('in state "open"');
		expect(sn.journal().filter((e) => e.route === 'create')).toHaveLength(1);

		sn.emulator.setIssueState('CHAIN-1', 'action_wait');
		const done = await chain([{ experience_id: 'CHAIN-1', code: '101' }]);
		expect(routed(done.outputs)).toEqual({ Created: [0] });
		expect(done.outputs.Created[0].json).toMatchObject({ experience_id: 'CHAIN-1', issueState: 'action_wait', request: { endpoint: { user_id: ABEL.sys_id }, issue_code: '101', experience_id: 'CHAIN-1' } });
		expect(sn.issues()[0]).toMatchObject({ experience_id: 'CHAIN-1', issue_code: '101', issue_code_history: ['100', '101'] });
	});

	it('lets the instance judge when the state check is off', async () => {
		await runAction({ items: [{ user_id: BETH.sys_id, code: '100', experience_id: 'CHAIN-2' }], credentials: BASIC(sn.url) });
		const res = await chain([{ experience_id: 'CHAIN-2', code: '101', user_id: BETH.sys_id }], { checkState: false });
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
		await runAction({ items: [{ user_id: ABEL.sys_id, code: '100', experience_id: 'GET-1', cpu: '78%' }], credentials: BASIC(sn.url) });
		sn.emulator.setIssueState('GET-1', 'in_progress');
		const sysId = sn.issues()[0].sys_id;
		for (const [findBy, id] of [['experience_id', 'GET-1'], ['sys_id', sysId]]) {
			const { outputs } = await runAction({ items: [{}], credentials: BASIC(sn.url), parameters: { operation: 'get', findBy, issueId: id } });
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
		const missing = await runAction({ items: [{}], credentials: BASIC(sn.url), parameters: { operation: 'get', issueId: 'NOPE' } });
		expect(missing.error).toBe('No experience issue with this ID: no issue has experience_id "NOPE".');
	});
});

describe('Table API reads carry values as data', () => {
	it('escapes ^ in an ID and a host name, so neither can add query conditions of its own', async () => {
		await runAction({ items: [{ user_id: ABEL.sys_id, code: '100', experience_id: 'REAL-1' }], credentials: BASIC(sn.url) });
		const injected = 'NOPE^ORstate=open';
		const get = await runAction({ items: [{}], credentials: BASIC(sn.url), parameters: { operation: 'get', issueId: injected } });
		expect(get.error).toBe(`No experience issue with this ID: no issue has experience_id "${injected}".`);
		const chained = await runAction({
			items: [{ experience_id: injected, code: '101' }],
			credentials: BASIC(sn.url),
			parameters: { operation: 'chain', experienceId: '={{ $json.experience_id }}', issueCode: '={{ $json.code }}' },
		});
		expect(chained.outputs.Other[0].json).toMatchObject({ errorCode: 'ISSUE_NOT_FOUND', sent: false });

		const { outputs } = await runAction({
			items: [{ alerts: [{ status: 'firing', labels: { alertname: 'HighCpuUsage', instance: 'nothing^ORname=web-01:9100', user: 'abel.tuter' } }] }],
			credentials: BASIC(sn.url),
			parameters: { source: 'alertmanager', defaultIssueCode: '101', resolveCiFromHost: true },
		});
		expect(outputs.Created[0].json).toMatchObject({ ciNotFoundForHost: 'nothing^ORname=web-01' });
		expect(sentBodies().pop().endpoint).toEqual({ user_name: 'abel.tuter' });
		const lookups = sn.journal().filter((e) => e.route === 'table').map((e) => new URL(e.path, sn.url).searchParams.get('sysparm_query'));
		expect(lookups).toEqual(['experience_id=NOPE^^ORstate=open', 'experience_id=NOPE^^ORstate=open', 'name=nothing^^ORname=web-01']);
	});
});
