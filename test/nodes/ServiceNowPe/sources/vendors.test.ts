/**
 * Build From with what the vendors really send (test/fixtures/vendors, provenance in its README):
 * each payload through the action node in a real n8n workflow against the emulator, with the exact
 * request bodies and branches. Real alerts name hosts, not users: the CMDB (cmdb_ci_computer,
 * seeded here with the samples' host names) gives the CI, and its assigned user.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { defaultSeed } from '../../../../emulator/core';
import { startEmulator, type RunningEmulator } from '../../../../emulator/server';
import { BASIC, routed, runAction } from '../../../helpers/action';
import { VENDOR_SAMPLES, snsWebhookItem, vendor } from '../../../helpers/alerts';
import { ABEL, BETH } from '../../../helpers/http';

const DAVID = '46d44a23a9fe19810012d100cca80667';
const HOSTS: Array<[string, string]> = [
	['example1', ABEL.sys_id],
	['example2', BETH.sys_id],
	['example3', DAVID],
	['prometheus.io', ABEL.sys_id],
	['example.com', BETH.sys_id],
	['localhost', DAVID],
	['sadhost.example.com', BETH.sys_id],
	['wcus-r2-gen2', ABEL.sys_id],
	['test-storageAccount', BETH.sys_id],
	['testvm', DAVID],
	['test-computer', ABEL.sys_id],
	['test-VM', BETH.sys_id],
	['i-3b93aafb', ABEL.sys_id],
	['ip-012345', BETH.sys_id],
	['my-host', DAVID],
];
/** A made-up sys_id per seeded host: 32 hex characters derived from the name. */
const CI = (host: string) => Buffer.from(host).toString('hex').padEnd(32, '0').slice(0, 32);

let sn: RunningEmulator;
beforeAll(async () => {
	const seed = defaultSeed();
	for (const [name, user] of HOSTS) seed.cis.push({ sys_id: CI(name), name, assigned_to: user });
	sn = await startEmulator({ port: 0, auth: 'basic', seed });
});
afterAll(() => sn.close());
beforeEach(() => sn.reset());

const sentBodies = () =>
	sn
		.journal()
		.filter((e) => e.route === 'create')
		.map((e) => JSON.parse(e.body));
const ciLookups = () =>
	sn
		.journal()
		.filter((e) => e.path.includes('cmdb_ci_computer'))
		.map((e) => new URL(e.path, sn.url).searchParams.get('sysparm_query'));
const rule = (value: string, issueCode: string, label?: string) =>
	label ? { match: 'label', label, value, issueCode } : { match: 'alertName', value, issueCode };
const body = (host: string, issueCode: string, details?: Record<string, string>) => ({
	endpoint: { CI: CI(host) },
	issue_code: issueCode,
	provider: 'sn',
	...(details ? { investigative_details: details } : {}),
});

/** Runs payloads through the node; alert context is left out unless a test asks for it. */
const run = (source: string, payloads: unknown[], parameters: Record<string, unknown> = {}) =>
	runAction({
		items: payloads as Array<Record<string, unknown>>,
		credentials: BASIC(sn.url),
		parameters: {
			source,
			resolveCiFromHost: true,
			alertContext: [],
			options: { concurrency: 1 },
			...parameters,
		},
	});

describe('Prometheus Alertmanager, as Alertmanager 0.25 sends it', () => {
	const disk = { issueCodeRules: { rules: [rule('DiskRunningFull', '102')] } };

	it('one issue per host and issue code of a group; repeats on Already Being Resolved, also on the next notification; fresh issues after they close', async () => {
		const first = await run(
			'alertmanager',
			[vendor('alertmanager/01-firing-group-6-alerts.json')],
			disk,
		);
		expect(first.error).toBeUndefined();
		expect(routed(first.outputs)).toEqual({
			Created: [0, 0, 0],
			'Already Being Resolved': [0, 0, 0],
		});
		expect(sentBodies()).toEqual([
			body('example1', '102'),
			body('example2', '102'),
			body('example3', '102'),
		]);
		expect(ciLookups()).toEqual(['name=example1', 'name=example2', 'name=example3']);
		const repeat = first.outputs['Already Being Resolved'][0].json;
		expect(repeat).toMatchObject({
			sent: false,
			errorCode: 'BEING_RESOLVED',
			experience_id: first.outputs.Created[0].json.experience_id,
			alert: { index: 1, host: 'example1' },
			sameIssueAs: { index: 0, host: 'example1' },
		});
		expect(repeat.message).toBe(
			'Alert "DiskRunningFull" is for the same user and issue code as alert "DiskRunningFull" of this notification: one issue covers both.',
		);

		// Alertmanager repeats the notification while the alerts fire: nothing new is created.
		sn.emulator.clearJournal();
		const again = await run(
			'alertmanager',
			[vendor('alertmanager/01-firing-group-6-alerts.json')],
			disk,
		);
		expect(routed(again.outputs)).toEqual({ 'Already Being Resolved': [0, 0, 0, 0, 0, 0] });
		expect(again.outputs['Already Being Resolved'].map((o) => o.json.sent)).toEqual([
			true,
			false,
			true,
			false,
			true,
			false,
		]);
		expect(sn.issues()).toHaveLength(3);

		// Once ServiceNow closes the issues, the same alerts open new ones.
		for (const issue of sn.issues()) sn.emulator.setIssueState(issue.sys_id, 'closed');
		const later = await run(
			'alertmanager',
			[vendor('alertmanager/01-firing-group-6-alerts.json')],
			disk,
		);
		expect(routed(later.outputs)).toEqual({
			Created: [0, 0, 0],
			'Already Being Resolved': [0, 0, 0],
		});
		expect(sn.issues()).toHaveLength(6);
		expect(sn.issues().every((i) => i.experience_id === i.sys_id)).toBe(true);
	});

	it('reads each alert status, not the group status: resolved alerts of a firing group are skipped', async () => {
		const { outputs } = await run(
			'alertmanager',
			[vendor('alertmanager/02-mixed-2-resolved-4-firing.json')],
			disk,
		);
		expect(routed(outputs)).toEqual({
			Created: [0, 0],
			'Already Being Resolved': [0, 0],
			Skipped: [0, 0],
		});
		expect(outputs.Skipped.map((o) => (o.json.alert as { host: string }).host)).toEqual([
			'example1',
			'example1',
		]);
		expect(sentBodies()).toEqual([body('example2', '102'), body('example3', '102')]);
		const resolved = await run(
			'alertmanager',
			[vendor('alertmanager/03-resolved-group.json')],
			disk,
		);
		expect(routed(resolved.outputs)).toEqual({ Skipped: [0, 0, 0, 0] });
	});

	it('looks up the host of a blackbox probe whose instance is a URL, not the URL', async () => {
		const { outputs } = await run(
			'alertmanager',
			[vendor('alertmanager/04-blackbox-url-instance-firing.json')],
			{ defaultIssueCode: '103' },
		);
		expect(ciLookups()).toEqual(['name=example.com', 'name=prometheus.io']);
		expect(sentBodies()).toEqual([body('example.com', '103'), body('prometheus.io', '103')]);
		// http:// and https:// probes of one site are one device and one issue.
		expect(routed(outputs)).toEqual({ Created: [0, 0], 'Already Being Resolved': [0] });
		const resolved = await run(
			'alertmanager',
			[vendor('alertmanager/05-blackbox-url-instance-resolved.json')],
			{ defaultIssueCode: '103' },
		);
		expect(routed(resolved.outputs)).toEqual({ Skipped: [0, 0, 0] });
	});

	it("reads Grafana OnCall's example payloads: host:port instances are one host", async () => {
		const { outputs } = await run(
			'alertmanager',
			[vendor('alertmanager/06-grafana-oncall-alertmanager-integration-example-payload.json')],
			{ defaultIssueCode: '103' },
		);
		expect(routed(outputs)).toEqual({ Created: [0], 'Already Being Resolved': [0] });
		expect(sentBodies()).toEqual([body('localhost', '103')]);
		expect(sn.issues()[0].user).toBe(DAVID);
	});
});

describe('Grafana Alerting', () => {
	const codes = { issueCodeRules: { rules: [rule('/memory/', '101'), rule('/cpu/', '100')] } };

	it('routes alerts that name no host and no user to Missing Endpoint, naming the alert and the fix, and sends the rest', async () => {
		const { outputs, error } = await run(
			'grafana',
			[vendor('grafana/01-docs-firing-2-alerts-values.json')],
			codes,
		);
		expect(error).toBeUndefined();
		expect(routed(outputs)).toEqual({ 'Missing Endpoint': [0, 0] });
		expect(outputs['Missing Endpoint'][0].json).toMatchObject({ sent: false, field: 'endpoint' });
		expect(outputs['Missing Endpoint'][0].json.message).toBe(
			'Alert "High memory usage" names no user or device (no "user", "email", "user_id" or "ci_sys_id" label): and it has no host to look up in the CMDB: set one of those labels, an Endpoint override, or a Host Name override.',
		);
		expect(sentBodies()).toEqual([]);
	});

	it('takes the reduced value, not the threshold flag, and maps memory usage to memory_usage (not available memory)', async () => {
		const { outputs } = await run(
			'grafana',
			[vendor('grafana/01-docs-firing-2-alerts-values.json')],
			{ ...codes, overrides: { endpointUserName: 'abel.tuter' } },
		);
		expect(routed(outputs)).toEqual({ Created: [0, 0] });
		expect(sentBodies()).toEqual([
			{
				endpoint: { user_name: 'abel.tuter' },
				issue_code: '101',
				provider: 'sn',
				investigative_details: { memory_usage: '44.23943737541908' },
			},
			{
				endpoint: { user_name: 'abel.tuter' },
				issue_code: '100',
				provider: 'sn',
				investigative_details: { cpu_usage: '44.23943737541908' },
			},
		]);
	});

	it("reads Grafana 8's valueString, and values a rule names by its own metric rule", async () => {
		await run('grafana', [vendor('grafana/02-docs-legacy-firing-2-alerts-valueString.json')], {
			...codes,
			overrides: { endpointUserName: 'abel.tuter' },
		});
		expect(sentBodies().map((b) => b.investigative_details)).toEqual([
			{ memory_usage: '14151.331895396988' },
			{ cpu_usage: '47043.702386305304' },
		]);
		sn.reset();
		await run('grafana', [vendor('grafana/03-integration-test-expected-firing-values.json')], {
			defaultIssueCode: '103',
			overrides: { endpointUserName: 'beth.anglin' },
			metricNames: { rules: [{ match: 'WebhookAlert', detail: 'processes_running' }] },
		});
		expect(sentBodies()).toEqual([
			{
				endpoint: { user_name: 'beth.anglin' },
				issue_code: '103',
				provider: 'sn',
				investigative_details: { processes_running: '1' },
			},
		]);
	});

	it('finds the host in the series labels, and takes the query the builder names', async () => {
		const v11 = vendor('grafana/04-thirdparty-zulip-fixture-v11-firing-values-imageURL.json');
		const unknownHost = await run('grafana', [v11], codes);
		expect(ciLookups()).toEqual(['name=node_exporter']);
		expect(routed(unknownHost.outputs)).toEqual({ 'Missing Endpoint': [0] });
		expect(unknownHost.outputs['Missing Endpoint'][0].json.message).toContain(
			'no cmdb_ci_computer record is named "node_exporter": add the device to the CMDB under that name',
		);
		sn.reset();
		await run('grafana', [v11], { ...codes, overrides: { endpointUserName: 'david.miller' } });
		expect(sentBodies()[0].investigative_details).toEqual({ memory_usage: '2473545728' });
		sn.reset();
		await run('grafana', [v11], {
			...codes,
			overrides: { endpointUserName: 'david.miller' },
			grafanaValueRefId: 'minute',
		});
		expect(sentBodies()[0].investigative_details).toEqual({ memory_usage: '9' });
	});

	it('skips resolved alerts of a resolved or mixed group and sends the firing one', async () => {
		const resolved = await run(
			'grafana',
			[vendor('grafana/05-thirdparty-zulip-fixture-v9-resolved.json')],
			{ defaultIssueCode: '103' },
		);
		expect(routed(resolved.outputs)).toEqual({ Skipped: [0] });
		const mixed = await run(
			'grafana',
			[vendor('grafana/06-thirdparty-zulip-fixture-v9-mixed-1-firing-2-resolved.json')],
			{ defaultIssueCode: '103' },
		);
		expect(routed(mixed.outputs)).toEqual({ Created: [0], Skipped: [0, 0] });
		expect(sentBodies()).toEqual([body('sadhost.example.com', '103', { value: '1' })]);
	});
});

describe('Azure Monitor (common alert schema)', () => {
	it('metric alerts: the metric keeps its name unless a rule names it; a storage account is no computer and is not looked up', async () => {
		const alone = await run(
			'azureMonitor',
			[vendor('azure-monitor/02-metric-static-threshold-fired-test-action.json')],
			{ defaultIssueCode: '103' },
		);
		expect(routed(alone.outputs)).toEqual({ 'Missing Endpoint': [0] });
		expect(alone.outputs['Missing Endpoint'][0].json.message).toBe(
			'Alert "test-metricAlertRule" names no user or device (no "user", "email", "user_id" or "ci_sys_id" label): it is about "test-storageAccount", a microsoft.storage/storageaccounts resource, not a computer, so it is not looked up in cmdb_ci_computer: set one of those labels (Azure: a custom property of the action group or rule; rename them under Label Names), an Endpoint override, or a Host Name override naming the user\'s computer.',
		);
		expect(alone.outputs['Missing Endpoint'][0].json.alert).toMatchObject({
			host: '',
			resource: {
				name: 'test-storageAccount',
				kind: 'a microsoft.storage/storageaccounts resource',
			},
		});
		// A computer of that name is in the CMDB: it is still not looked up.
		expect(ciLookups()).toEqual([]);
		sn.reset();
		const user = { endpointUserName: 'abel.tuter' };
		await run(
			'azureMonitor',
			[vendor('azure-monitor/02-metric-static-threshold-fired-test-action.json')],
			{ defaultIssueCode: '103', overrides: user },
		);
		expect(sentBodies()).toEqual([
			{
				endpoint: { user_name: 'abel.tuter' },
				issue_code: '103',
				provider: 'sn',
				investigative_details: { Transactions: '100' },
			},
		]);
		sn.reset();
		await run(
			'azureMonitor',
			[vendor('azure-monitor/03-metric-dynamic-threshold-fired-test-action.json')],
			{
				defaultIssueCode: '103',
				overrides: user,
				metricNames: { rules: [{ match: '/transactions/', detail: 'processes_running' }] },
			},
		);
		expect(sentBodies()).toEqual([
			{
				endpoint: { user_name: 'abel.tuter' },
				issue_code: '103',
				provider: 'sn',
				investigative_details: { processes_running: '78.09' },
			},
		]);
		// A Host Name override names the computer: that one is looked up.
		sn.reset();
		await run(
			'azureMonitor',
			[vendor('azure-monitor/14-availability-test-alert-test-action.json')],
			{ defaultIssueCode: '103', overrides: { host: 'testvm' } },
		);
		expect(ciLookups()).toEqual(['name=testvm']);
		expect(sentBodies()).toEqual([body('testvm', '103', { FailedLocation: '5' })]);
	});

	it('a resolved alert is skipped; sent when asked, Percentage CPU as cpu_usage', async () => {
		const doc = vendor('azure-monitor/01-metric-resolved-common-schema-doc.json');
		expect(routed((await run('azureMonitor', [doc], { defaultIssueCode: '100' })).outputs)).toEqual(
			{ Skipped: [0] },
		);
		await run('azureMonitor', [doc], { defaultIssueCode: '100', includeResolved: true });
		expect(sentBodies()).toEqual([body('wcus-r2-gen2', '100', { cpu_usage: '7.727' })]);
	});

	it('log search alerts (V2): the value without metricName, the host from the ResourceId dimension, the rule properties as labels', async () => {
		const { outputs } = await run(
			'azureMonitor',
			[vendor('azure-monitor/04-log-alerts-v2-fired-alerts-log-webhook-doc.json')],
			{
				issueCodeRules: { rules: [rule('value1', '103', 'name1')] },
			},
		);
		expect(routed(outputs)).toEqual({ Created: [0] });
		expect(outputs.Created[0].json.alert).toMatchObject({
			issueCodeFrom: 'rule 1',
			host: 'testvm',
		});
		expect(sentBodies()).toEqual([body('testvm', '103', { CounterValue: '0' })]);
		sn.reset();
		await run('azureMonitor', [vendor('azure-monitor/05-log-alerts-v2-fired-test-action.json')], {
			defaultIssueCode: '103',
		});
		expect(sentBodies()).toEqual([body('test-computer', '103', { value: '3' })]);
	});

	it('log search alerts (V1): the log search link, the query and the result count in investigative_details; the machine that sent the data, not the workspace', async () => {
		const v1 = [
			'09-log-alert-v1-metric-measurement-test-action.json',
			'10-log-alert-v1-number-of-results-test-action.json',
		].map((f) => vendor(`azure-monitor/${f}`));
		const { outputs } = await run('azureMonitor', v1, {
			defaultIssueCode: '103',
			alertContext: undefined,
		});
		expect(routed(outputs)).toEqual({ 'Missing Endpoint': [0], Created: [1] });
		// Metric measurement: no configuration item; the only target is the Log Analytics workspace.
		expect(outputs['Missing Endpoint'][0].json.message).toContain(
			'Alert "test-logAlertRule-v1-metricMeasurement" names no user or device (no "user", "email", "user_id" or "ci_sys_id" label): it is about "test-logAnalyticsWorkspace", a microsoft.operationalinsights/workspaces resource, not a computer, so it is not looked up in cmdb_ci_computer',
		);
		// Number of results: the configuration item is the computer that sent the heartbeat.
		expect(ciLookups()).toEqual(['name=test-computer']);
		const context = v1[1].data.alertContext;
		expect(sentBodies()).toEqual([
			body('test-computer', '103', {
				result_count: '1',
				alert_name: 'test-logAlertRule-v1-numResults',
				description: 'Alert rule description',
				search_query: 'Heartbeat',
				severity: 'Sev4',
				started_at: '2025-04-15T18:04:40.852Z',
				source_link: context.LinkToFilteredSearchResultsUI,
			}),
		]);
		// Without the filtered link, the plain one; the V2 query too.
		sn.reset();
		delete context.LinkToFilteredSearchResultsUI;
		await run(
			'azureMonitor',
			[v1[1], vendor('azure-monitor/05-log-alerts-v2-fired-test-action.json')],
			{ defaultIssueCode: '103', alertContext: ['links', 'description'] },
		);
		expect(sentBodies().map((b) => b.investigative_details)).toEqual([
			{
				result_count: '1',
				description: 'Alert rule description',
				search_query: 'Heartbeat',
				source_link: context.LinkToSearchResults,
			},
			{
				value: '3',
				description: 'Alert rule description',
				search_query: 'Heartbeat',
				source_link: vendor('azure-monitor/05-log-alerts-v2-fired-test-action.json').data
					.alertContext.condition.allOf[0].linkToFilteredSearchResultsUI,
			},
		]);
	});

	it('budget alerts ("alertRule": null) are named by their budget; "budgets" is no computer; the budget creator can be the endpoint', async () => {
		const budgets = [
			'11-budget-alert-test-action.json',
			'12-cost-budget-alert-actual-test-action.json',
			'13-forecasted-budget-alert-test-action.json',
		].map((f) => vendor(`azure-monitor/${f}`));
		const none = await run('azureMonitor', budgets, {
			overrides: { endpointUserName: 'abel.tuter' },
		});
		expect(routed(none.outputs)).toEqual({ 'Invalid Issue Code': [0, 1, 2] });
		expect(none.outputs['Invalid Issue Code'].map((o) => o.json.message)).toEqual(
			['Test_forcasted_budget', 'Test_actual_cost_budget', 'Test_forcasted_budget'].map(
				(name) =>
					`Alert "${name}" matched no issue code rule, has no "issue_code" label, and no Default Issue Code is set: add a rule or a default.`,
			),
		);
		sn.reset();
		const coded = await run('azureMonitor', budgets, {
			issueCodeRules: { rules: [rule('budgets', '103', 'AlertCategory')] },
		});
		expect(routed(coded.outputs)).toEqual({ 'Missing Endpoint': [0, 1, 2] });
		expect(coded.outputs['Missing Endpoint'][1].json.message).toBe(
			'Alert "Test_actual_cost_budget" names no user or device (no "user", "email", "user_id" or "ci_sys_id" label): it is about "Test_actual_cost_budget", a cost budget, not a computer, so it is not looked up in cmdb_ci_computer: set one of those labels (Azure: a custom property of the action group or rule; rename them under Label Names), an Endpoint override, or a Host Name override naming the user\'s computer.',
		);
		expect(ciLookups()).toEqual([]);
		sn.reset();
		const sent = await run('azureMonitor', [budgets[1]], {
			issueCodeRules: { rules: [rule('budgets', '103', 'AlertCategory')] },
			labelNames: { emailLabel: 'BudgetCreator' },
			alertContext: ['name', 'description'],
		});
		// Sent with the creator's email; the instance decides whether that is one of its users.
		expect(sentBodies()).toEqual([
			{
				endpoint: { email: 'test@sample.test' },
				issue_code: '103',
				provider: 'sn',
				investigative_details: {
					alert_name: 'Test_actual_cost_budget',
					description:
						'YourspendforbudgetTest_actual_cost_budgetisnow$11,111.00exceedingyourspecifiedthreshold$25.00.',
				},
			},
		]);
		expect(routed(sent.outputs)).toEqual({ 'Unknown User': [0] });
	});

	it('activity log and resource health alerts name their resource; a service health alert has none', async () => {
		const { outputs } = await run(
			'azureMonitor',
			[
				'06-activity-log-administrative-fired-test-action.json',
				'07-service-health-test-action.json',
				'08-resource-health-fired-test-action.json',
			].map((f) => vendor(`azure-monitor/${f}`)),
			{
				issueCodeRules: {
					rules: [
						rule('test-activityLogAlertRule', '103'),
						rule('test-ResourceHealthAlertRule', '102'),
					],
				},
				defaultIssueCode: '101',
			},
		);
		expect(routed(outputs)).toEqual({ Created: [0, 2], 'Missing Endpoint': [1] });
		expect(sentBodies()).toEqual([body('test-VM', '103'), body('test-VM', '102')]);
	});
});

describe('Datadog', () => {
	const down = {
		issueCodeRules: { rules: [rule('Host is Down', '103'), rule('/out of memory/', '101')] },
	};

	it('the default payload: the monitor name without its [P1] [Triggered on {…}] decoration, the host from the title', async () => {
		const { outputs } = await run(
			'datadog',
			[vendor('datadog/10-rendered-by-us-default-triggered.json')],
			down,
		);
		expect(routed(outputs)).toEqual({ Created: [0] });
		expect(outputs.Created[0].json.alert).toMatchObject({
			name: 'Host is Down',
			host: 'ip-012345',
			issueCodeFrom: 'rule 1',
		});
		expect(sentBodies()).toEqual([body('ip-012345', '103')]);
	});

	it('a recovery in the default payload (only the title says so) is skipped, not created', async () => {
		const { outputs } = await run(
			'datadog',
			[vendor('datadog/11-rendered-by-us-default-recovered.json')],
			down,
		);
		expect(routed(outputs)).toEqual({ Skipped: [0] });
		expect(sentBodies()).toEqual([]);
	});

	it('custom templates: $ALERT_TRANSITION or the alert type decides; real captures triggered, recovered and re-triggered', async () => {
		const payloads = [
			'12-rendered-by-us-custom-triggered.json',
			'13-rendered-by-us-custom-recovered.json',
			'02-custom-template-triggered-host-scope-codenow-fluffy.json',
			'03-custom-template-recovered-by-user-codenow-fluffy.json',
		];
		const { outputs } = await run(
			'datadog',
			payloads.map((f) => vendor(`datadog/${f}`)),
			down,
		);
		expect(routed(outputs)).toEqual({ Created: [0, 2], Skipped: [1, 3] });
		expect(sentBodies()).toEqual([body('ip-012345', '103'), body('i-3b93aafb', '101')]);
		sn.reset();
		const log = [
			'04-custom-template-P2-triggered-log-monitor-pokt.json',
			'05-custom-template-P2-recovered-by-user-log-monitor-pokt.json',
			'06-custom-template-P2-re-triggered-log-monitor-pokt.json',
		];
		const pokt = await run(
			'datadog',
			log.map((f) => vendor(`datadog/${f}`)),
			{ defaultIssueCode: '103', overrides: { endpointUserName: 'abel.tuter' } },
		);
		expect(routed(pokt.outputs)).toEqual({
			Created: [0],
			'Already Being Resolved': [2],
			Skipped: [1],
		});
		// Without $ALERT_ID in the template, the monitor name and the title's scope make the identity.
		expect(pokt.outputs.Created[0].json.alert).toMatchObject({
			name: 'xDai UE2-A',
			fingerprint: 'xDai UE2-A|@conditions:NOT_SYNCHRONIZED',
		});
	});

	it('one monitor on two hosts is two alerts, two issues', async () => {
		const hosts = [
			'14-rendered-by-us-custom-multi-host-same-monitor-host1.json',
			'15-rendered-by-us-custom-multi-host-same-monitor-host2.json',
		];
		const { outputs } = await run(
			'datadog',
			hosts.map((f) => vendor(`datadog/${f}`)),
			down,
		);
		expect(routed(outputs)).toEqual({ Created: [0, 1] });
		expect(
			outputs.Created.map((o) => (o.json.alert as { fingerprint: string }).fingerprint),
		).toEqual(['1234|host:ip-012345', '1234|host:my-host']);
		expect(sentBodies()).toEqual([body('ip-012345', '103'), body('my-host', '103')]);
		expect(sn.issues().map((i) => i.user)).toEqual([BETH.sys_id, DAVID]);
	});

	it('a custom payload of documented variables without $EVENT_TITLE or $ALERT_TRANSITION ($ALERT_TITLE undecorated) is read, as sent and in a Webhook node body', async () => {
		const custom = (alertType: string) => ({
			alert_title: 'High CPU on host:my-host',
			hostname: 'my-host',
			tags: 'env:prod,host:my-host',
			alert_id: '1234',
			alert_type: alertType,
			alert_status: 'system.load.1 over host:my-host was > 0 at least once during the last 1m',
			link: 'https://app.datadoghq.com/event/event?id=1',
		});
		const { outputs } = await run(
			'datadog',
			[
				custom('error'),
				{ headers: {}, body: custom('error') },
				{ headers: {}, body: custom('success') },
			],
			{ defaultIssueCode: '101' },
		);
		expect(routed(outputs)).toEqual({ Created: [0], 'Already Being Resolved': [1], Skipped: [2] });
		expect(outputs.Created[0].json.alert).toMatchObject({
			name: 'High CPU on host:my-host',
			host: 'my-host',
			fingerprint: '1234|my-host',
		});
		expect(sentBodies()).toEqual([body('my-host', '101'), body('my-host', '101')]);
		expect(sn.issues().map((i) => i.user)).toEqual([DAVID]);
	});

	it('a payload without a host goes to Missing Endpoint with the alert named', async () => {
		const { outputs } = await run(
			'datadog',
			[vendor('datadog/01-default-payload-plus-3-custom-fields-triggered-inres.json')],
			{ defaultIssueCode: '103' },
		);
		expect(routed(outputs)).toEqual({ 'Missing Endpoint': [0] });
		expect(String(outputs['Missing Endpoint'][0].json.message)).toMatch(
			/^Alert "High tracking" names no user or device/,
		);
	});
});

describe('alert context in investigative_details', () => {
	it('carries summary, description, severity, start time and links of each vendor, for the fallback incident', async () => {
		const cases: Array<[string, string, Record<string, string>]> = [
			[
				'alertmanager',
				'alertmanager/04-blackbox-url-instance-firing.json',
				{
					alert_name: 'InstanceDown',
					summary: 'Instance http://example.com:8080 down',
					description:
						'http://example.com:8080 of job blackbox has been down for more than 5 minutes.',
					severity: 'page',
					started_at: '2026-11-28T13:03:29.163Z',
					source_link: 'http://prometheus.example.org:9090/graph?g0.expr=up+%3D%3D+0&g0.tab=1',
				},
			],
			[
				'grafana',
				'grafana/04-thirdparty-zulip-fixture-v11-firing-values-imageURL.json',
				{
					memory_usage: '2473545728',
					alert_name: 'Memory (copy)',
					summary: 'High memory usage',
					started_at: '2024-03-01T02:09:00Z',
					source_link:
						'https://play.grafana.org/alerting/grafana/dd2f0260-3cfc-4c65-a4c4-f3f632c551f4/view?orgId=1',
					dashboard_link: 'https://play.grafana.org/d/ece9fb32-7f71-4be9-bd94-2f23608ae5b9?orgId=1',
					panel_link:
						'https://play.grafana.org/d/ece9fb32-7f71-4be9-bd94-2f23608ae5b9?orgId=1&viewPanel=2',
					image_link: 'https://grafana.com/assets/img/blog/mixed_styles.png',
				},
			],
			[
				'azureMonitor',
				'azure-monitor/02-metric-static-threshold-fired-test-action.json',
				{
					Transactions: '100',
					alert_name: 'test-metricAlertRule',
					description: 'Alertruledescription',
					severity: 'Sev4',
					started_at: '2025-04-15T18:17:12.851Z',
				},
			],
			[
				'datadog',
				'datadog/12-rendered-by-us-custom-triggered.json',
				{
					alert_name: 'Host is Down',
					summary: 'system.load.1 over host:ip-012345 was > 0 at least once during the last 1m',
					description: '@webhook-url Sending to the webhook',
					severity: 'P1',
					started_at: '2014-07-29T19:37:52.000Z',
					source_link: 'https://app.datadoghq.com/event/jump_to?event_id=123456',
					image_link: 'https://p.datadoghq.com/path-to-snapshot',
				},
			],
		];
		for (const [source, file, details] of cases) {
			sn.reset();
			const { outputs } = await run(source, [vendor(file)], {
				defaultIssueCode: '103',
				overrides: { endpointUserName: 'abel.tuter' },
				alertContext: undefined,
			});
			expect([file, outputs.Created.length]).toEqual([file, 1]);
			expect([file, sentBodies()[0].investigative_details]).toEqual([file, details]);
		}
	});

	it('bounds each value and the whole, and takes only the parts chosen', async () => {
		const payload = vendor('alertmanager/04-blackbox-url-instance-firing.json');
		payload.alerts = payload.alerts.slice(0, 1);
		payload.alerts[0].annotations.description = 'x'.repeat(5000);
		payload.alerts[0].annotations.summary = 'y'.repeat(5000);
		payload.alerts[0].annotations.runbook_url = 'z'.repeat(5000);
		payload.alerts[0].generatorURL = `http://prometheus.example.org/${'g'.repeat(5000)}`;
		await run('alertmanager', [payload], { defaultIssueCode: '103', alertContext: undefined });
		const details = sentBodies()[0].investigative_details;
		expect(details.summary).toBe(`${'y'.repeat(999)}…`);
		expect(details.description).toBe(`${'x'.repeat(999)}…`);
		expect(details.source_link).toHaveLength(1000);
		// The runbook link would pass 4,000 characters in all: it is left out, and that is said.
		expect(details.runbook_link).toBeUndefined();
		expect(details.context_truncated).toMatch(/more from the alert than 4000 characters/);
		expect(
			Object.entries(details)
				.filter(([k]) => k !== 'context_truncated')
				.map(([, v]) => String(v).length)
				.reduce((a, b) => a + b),
		).toBeLessThanOrEqual(4000);
		sn.reset();
		await run('alertmanager', [payload], {
			defaultIssueCode: '103',
			alertContext: ['severity', 'name'],
		});
		expect(sentBodies()[0].investigative_details).toEqual({
			alert_name: 'InstanceDown',
			severity: 'page',
		});
	});
});

describe('an alert never fails its siblings', () => {
	it('alerts without an issue code, without a CI, or with an unreachable endpoint go to their branches; the rest are sent; the node does not fail', async () => {
		const group = vendor('alertmanager/01-firing-group-6-alerts.json');
		group.alerts[2].labels.instance = 'not-in-the-cmdb';
		group.alerts[4].labels.alertname = 'SomethingElse';
		const { outputs, error } = await run('alertmanager', [group], {
			issueCodeRules: { rules: [rule('DiskRunningFull', '102')] },
		});
		expect(error).toBeUndefined();
		expect(routed(outputs)).toEqual({
			Created: [0, 0, 0],
			'Missing Endpoint': [0],
			'Invalid Issue Code': [0],
			'Already Being Resolved': [0],
		});
		expect(outputs['Invalid Issue Code'][0].json.message).toBe(
			'Alert "SomethingElse" matched no issue code rule, has no "issue_code" label, and no Default Issue Code is set: add a rule or a default.',
		);
		expect(outputs['Missing Endpoint'][0].json.message).toContain(
			'no cmdb_ci_computer record is named "not-in-the-cmdb"',
		);
		expect(sentBodies()).toEqual([
			body('example1', '102'),
			body('example2', '102'),
			body('example3', '102'),
		]);
	});

	it('with "Route as Failed", an alert whose host is not in the CMDB goes to Other; its siblings are sent', async () => {
		const group = vendor('alertmanager/04-blackbox-url-instance-firing.json');
		group.alerts[0].labels.instance = 'https://unknown.example.org/health';
		const { outputs } = await run('alertmanager', [group], {
			defaultIssueCode: '103',
			ciNotFound: 'fail',
		});
		expect(routed(outputs)).toEqual({ Created: [0], Other: [0], 'Already Being Resolved': [0] });
		expect(outputs.Other[0].json).toMatchObject({
			errorCode: 'CI_NOT_FOUND',
			message: 'No cmdb_ci_computer record is named "unknown.example.org".',
		});
	});
});

describe('alerts a monitoring system may send, beyond the vendors samples', () => {
	const group = (alerts: unknown[]) => ({
		version: '4',
		groupKey: '{}:{}',
		status: 'firing',
		receiver: 'n8n',
		groupLabels: {},
		commonLabels: {},
		commonAnnotations: {},
		externalURL: '',
		alerts,
	});
	const alert = (labels: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
		status: 'firing',
		labels,
		annotations: {},
		startsAt: '2024-01-01T00:00:00Z',
		fingerprint: 'f',
		...extra,
	});
	const disk = { issueCodeRules: { rules: [rule('DiskRunningFull', '102')] } };
	const details = () => sentBodies().map((b) => b.investigative_details);

	it('Single Output: a repeat within a notification is covered by the created issue and fails nothing', async () => {
		const { outputs, error } = await runAction({
			items: [vendor('alertmanager/01-firing-group-6-alerts.json')],
			credentials: BASIC(sn.url),
			routing: 'single',
			parameters: { source: 'alertmanager', resolveCiFromHost: true, alertContext: [], ...disk },
		});
		expect(error).toBeUndefined();
		expect(sentBodies()).toHaveLength(3);
		expect(outputs.Created.map((o) => [o.json.outcome, o.json.sent])).toEqual([
			['created', true],
			['created', false],
			['created', true],
			['created', false],
			['created', true],
			['created', false],
		]);
		expect(outputs.Created[1].json.experience_id).toBe(outputs.Created[0].json.experience_id);
	});

	it('an entry of alerts[] that is no object goes to Other; its siblings are sent', async () => {
		const { outputs } = await run(
			'alertmanager',
			[group([alert({ alertname: 'DiskRunningFull', instance: 'example1' }), null])],
			disk,
		);
		expect(routed(outputs)).toEqual({ Created: [0], Other: [0] });
		expect(outputs.Other[0].json).toMatchObject({
			errorCode: 'UNRECOGNISED_PAYLOAD',
			sent: false,
			message:
				'alerts[1] of an Alertmanager webhook is not an object: the other alerts are sent, this one cannot be.',
		});
	});

	it('a notification without alerts comes out on Skipped, saying so', async () => {
		const { outputs } = await run(
			'alertmanager',
			[group([]), group([alert({ alertname: 'DiskRunningFull', instance: 'example1' })])],
			disk,
		);
		expect(routed(outputs)).toEqual({ Created: [1], Skipped: [0] });
		expect(outputs.Skipped[0].json.reason).toBe('The notification holds no alerts.');
	});

	it('a CMDB lookup that fails (503) ends that host on Other; an alert that names its user is sent', async () => {
		sn.injectFault({ match: { route: 'table' }, count: 3, status: 503, retryAfter: 0 });
		const { outputs, error } = await run(
			'alertmanager',
			[
				group([
					alert({ alertname: 'X', instance: 'example1:9100' }),
					alert({ alertname: 'X', user: 'beth.anglin' }),
				]),
			],
			{
				defaultIssueCode: '103',
				options: { concurrency: 1, retryBaseDelayMs: 1, maxRetryWaitSeconds: 0 },
			},
		);
		expect(error).toBeUndefined();
		expect(routed(outputs)).toEqual({ Created: [0], Other: [0] });
		expect(outputs.Other[0].json).toMatchObject({ errorCode: 'CI_LOOKUP_FAILED', sent: false });
		expect(sentBodies()).toEqual([
			{ endpoint: { user_name: 'beth.anglin' }, issue_code: '103', provider: 'sn' },
		]);
	});

	it('a CMDB lookup refused (403) is a configuration error: the node fails before sending anything', async () => {
		sn.injectFault({ match: { route: 'table' }, count: 0, status: 403 });
		const { error } = await run(
			'alertmanager',
			[
				group([
					alert({ alertname: 'X', user: 'beth.anglin' }),
					alert({ alertname: 'X', instance: 'example1:9100' }),
				]),
			],
			{ defaultIssueCode: '103' },
		);
		sn.emulator.clearFaults();
		expect(error).toBe(
			'Looking up the CI of host "example1" was refused (HTTP 403); nothing was sent.',
		);
		expect(sentBodies()).toEqual([]);
	});

	it('one request per user and issue code, whatever device each alert names', async () => {
		const { outputs } = await run(
			'alertmanager',
			[
				group([
					alert({ alertname: 'X', user: 'abel.tuter', instance: 'example1:9100' }),
					alert({ alertname: 'X', user: 'abel.tuter', instance: 'laptop-x:9100' }),
				]),
			],
			{ defaultIssueCode: '103' },
		);
		expect(routed(outputs)).toEqual({ Created: [0], 'Already Being Resolved': [0] });
		expect(sentBodies()).toEqual([
			{
				endpoint: { user_name: 'abel.tuter', CI: CI('example1') },
				issue_code: '103',
				provider: 'sn',
			},
		]);
	});

	it('"Route as Failed" holds back only an alert that names nobody: one with a user label is sent without a CI', async () => {
		const { outputs } = await run(
			'alertmanager',
			[
				group([
					alert({ alertname: 'X', user: 'abel.tuter', instance: 'laptop-not-in-cmdb:9100' }),
					alert({ alertname: 'Y', instance: 'other-not-in-cmdb' }),
				]),
			],
			{
				defaultIssueCode: '103',
				ciNotFound: 'fail',
			},
		);
		expect(routed(outputs)).toEqual({ Created: [0], Other: [0] });
		expect(outputs.Created[0].json).toMatchObject({ ciNotFoundForHost: 'laptop-not-in-cmdb' });
	});

	it('a probe target written without a scheme is looked up by its host name', async () => {
		await run(
			'alertmanager',
			[
				group([
					alert({ alertname: 'ProbeFailed', instance: 'example.com/health', job: 'blackbox' }),
				]),
			],
			{ defaultIssueCode: '103' },
		);
		expect(ciLookups()).toEqual(['name=example.com']);
	});

	it('a host that would run as a script on the instance is not looked up', async () => {
		const { outputs } = await run(
			'alertmanager',
			[group([alert({ alertname: 'X', instance: 'javascript:gs.getUserID()' })])],
			{ defaultIssueCode: '103' },
		);
		expect(ciLookups()).toEqual([]);
		expect(routed(outputs)).toEqual({ 'Missing Endpoint': [0] });
	});

	it('Grafana: the alert name decides before the summary; a null value is no value; a value rule picks a query', async () => {
		const grafana = (
			values: Record<string, unknown>,
			summary = 'Memory usage above 90%, less than 10% free',
		) => ({
			receiver: 'n8n',
			status: 'firing',
			alerts: [
				{
					status: 'firing',
					labels: { alertname: 'High memory usage' },
					annotations: { summary },
					values,
				},
			],
		});
		const user = { defaultIssueCode: '101', overrides: { endpointUserName: 'abel.tuter' } };
		await run('grafana', [grafana({ B: 93.2, C: 1 })], user);
		expect(details()).toEqual([{ memory_usage: '93.2' }]);
		sn.reset();
		await run('grafana', [grafana({ B: null, C: 1 })], user);
		expect(details()).toEqual([undefined]);
		sn.reset();
		// Of the values that are not a threshold's 0 or 1, B first, else the first of them.
		await run('grafana', [grafana({ A: 0.5, B: 1, C: 1 })], user);
		expect(details()).toEqual([{ memory_usage: '0.5' }]);
		sn.reset();
		await run('grafana', [grafana({ A: 7, B: 8, C: 0 })], user);
		expect(details()).toEqual([{ memory_usage: '8' }]);
	});

	it('bounds values from labels too, and never cuts a character in two', async () => {
		await run(
			'alertmanager',
			[
				group([
					alert(
						{
							alertname: 'X',
							instance: 'example1',
							cpu_usage: '9'.repeat(5000),
							process_id: 'p'.repeat(5000),
						},
						{ annotations: { description: '😀'.repeat(1200) } },
					),
				]),
			],
			{
				defaultIssueCode: '103',
				alertContext: ['description'],
			},
		);
		const [sent] = sentBodies();
		expect(sent.investigative_details.cpu_usage).toHaveLength(1000);
		expect(sent.input_parameters.process_id).toHaveLength(1000);
		expect(sent.investigative_details.description.endsWith('😀…')).toBe(true);
		expect(sent.investigative_details.description).not.toMatch(
			/[\ud800-\udbff](?![\udc00-\udfff])/,
		);
	});

	it('XML bodies are XML 1.0: a control character of log text becomes U+FFFD', async () => {
		await run(
			'alertmanager',
			[
				group([
					alert(
						{ alertname: 'X', instance: 'example1' },
						{ annotations: { description: 'log \u001b[31mERROR\u001b[0m' } },
					),
				]),
			],
			{
				defaultIssueCode: '103',
				alertContext: ['description'],
				options: { concurrency: 1, requestFormat: 'xml' },
			},
		);
		const [entry] = sn.journal().filter((e) => e.route === 'create');
		expect(entry.status).toBe(200);
		expect(entry.body).toContain('<description>log \ufffd[31mERROR\ufffd[0m</description>');
	});

	it('each output of a large notification carries its own alert, not the whole notification', async () => {
		const alerts = Array.from({ length: 300 }, (_, i) =>
			alert(
				{ alertname: 'KubePodCrashLooping', pod: `pod-${i}` },
				{ annotations: { description: `Pod prod/pod-${i} is waiting (CrashLoopBackOff).` } },
			),
		);
		const payload = group(alerts);
		const { outputs } = await run('alertmanager', [payload], {
			defaultIssueCode: '103',
			overrides: { endpointUserName: 'abel.tuter' },
			resolveCiFromHost: false,
		});
		const all = Object.values(outputs).flat();
		expect(all).toHaveLength(300);
		expect(all[5].json.input).toMatchObject({ alerts: [alerts[5]], receiver: 'n8n' });
		const size = all.reduce((sum, o) => sum + JSON.stringify(o.json).length, 0);
		expect(size).toBeLessThan(10 * JSON.stringify(payload).length);
	});
});

describe('every vendor sample under every preset', () => {
	/** Folder of test/fixtures/vendors → its preset (New Relic, AWS CloudWatch, Dynatrace and Zabbix have none). */
	const FOLDERS: Array<[string, string | undefined]> = [
		['alertmanager', 'alertmanager'],
		['grafana', 'grafana'],
		['azure-monitor', 'azureMonitor'],
		['datadog', 'datadog'],
		['newrelic', undefined],
		['cloudwatch', undefined],
		['dynatrace', undefined],
		['zabbix', undefined],
	];
	const samples = FOLDERS.flatMap(([folder, preset]) =>
		readdirSync(join(VENDOR_SAMPLES, folder))
			.filter((f) => f.endsWith('.json'))
			.map((f) => ({
				file: `${folder}/${f}`,
				preset,
				payload: vendor(`${folder}/${f}`) as Record<string, unknown>,
			})),
	);
	/** Everything that would make a recognised alert a created issue: a code, a user, resolved alerts too. */
	const eager = {
		defaultIssueCode: '103',
		includeResolved: true,
		overrides: { endpointUserName: 'abel.tuter' },
	};
	const PRESETS = ['alertmanager', 'grafana', 'azureMonitor', 'datadog'];

	it('has samples of every vendor', () => {
		for (const [folder] of FOLDERS)
			expect([folder, samples.filter((s) => s.file.startsWith(`${folder}/`)).length >= 4]).toEqual([
				folder,
				true,
			]);
	});

	/** The SNS HTTP/S messages among them (CloudWatch's), which n8n's Webhook node hands on as text. */
	const snsMessages = samples.filter(
		(s) => s.file.startsWith('cloudwatch/') && typeof s.payload.TopicArn === 'string',
	);

	it.each(PRESETS)(
		"%s: every other vendor's sample ends on Other (UNRECOGNISED_PAYLOAD), as sent and in a Webhook node's body; nothing is looked up or sent",
		async (preset) => {
			const foreign = samples.filter((s) => s.preset !== preset);
			const items = [
				...foreign.map((s) => s.payload),
				...foreign.map((s) => ({ headers: {}, body: s.payload })),
				...snsMessages.map((s) => snsWebhookItem(s.payload)),
			];
			const { outputs, error } = await run(preset, items, eager);
			expect(error).toBeUndefined();
			const files = [...foreign, ...foreign, ...snsMessages].map((s) => s.file);
			const outcomes = Object.entries(outputs).flatMap(([name, out]) =>
				out.map((o) => [files[(o.pairedItem as { item: number }).item], name, o.json.errorCode]),
			);
			expect(
				outcomes.filter(([, name, code]) => name !== 'Other' || code !== 'UNRECOGNISED_PAYLOAD'),
			).toEqual([]);
			expect(routed(outputs)).toEqual({ Other: items.map((_, i) => i) });
			expect(outputs.Other.every((o) => o.json.sent === false)).toBe(true);
			expect(sn.journal()).toEqual([]);
			expect(sn.issues()).toHaveLength(0);
		},
	);

	it.each(PRESETS)('%s: its own samples are all read', async (preset) => {
		const own = samples.filter((s) => s.preset === preset);
		const { outputs, error } = await run(
			preset,
			own.map((s) => s.payload),
			eager,
		);
		expect(error).toBeUndefined();
		const unread = Object.values(outputs)
			.flat()
			.filter((o) => o.json.errorCode === 'UNRECOGNISED_PAYLOAD')
			.map((o) => own[(o.pairedItem as { item: number }).item].file);
		expect(unread).toEqual([]);
		expect(outputs.Created?.length ?? 0).toBeGreaterThan(0);
	});

	it('says which vendor a foreign payload is from, and what the preset expects', async () => {
		const { outputs } = await run(
			'datadog',
			[
				vendor('newrelic/02-workflow-default-payload-closed-zulip.json'),
				vendor('grafana/06-thirdparty-zulip-fixture-v9-mixed-1-firing-2-resolved.json'),
			],
			eager,
		);
		expect(outputs.Other.map((o) => o.json.message)).toEqual([
			expect.stringMatching(
				/^The item is not a Datadog webhook payload: expected .*"\$EVENT_TITLE".* It looks like a New Relic notification, which no Build From preset reads: map its fields with Build From "Manual Fields"\.$/,
			),
			expect.stringMatching(
				/^The item is not a Datadog webhook payload: .* It is a Grafana Alerting payload: choose Build From "Grafana Alerting"\.$/,
			),
		]);
		const am = await run(
			'alertmanager',
			[vendor('grafana/01-docs-firing-2-alerts-values.json')],
			eager,
		);
		expect(am.outputs.Other[0].json.message).toMatch(
			/^The item is not an Alertmanager webhook: expected "version": "4", "groupKey" and an "alerts" array, .* It is a Grafana Alerting payload: choose Build From "Grafana Alerting"\.$/,
		);
	});

	it.each(PRESETS)(
		"%s: names an AWS CloudWatch alarm (through SNS, also as the Webhook node's text body, or parsed), a Dynatrace problem and a Zabbix notification, which no preset reads",
		async (preset) => {
			const named = (label: string) =>
				new RegExp(
					`\\(looked in the item and in its "body"\\)\\. It looks like ${label.replace(/[()]/g, '\\$&')}, which no Build From preset reads: map its fields with Build From "Manual Fields"\\.$`,
				);
			const cases: Array<[string, unknown, RegExp | undefined]> = [
				[
					'cloudwatch/03 as sent',
					vendor('cloudwatch/03-sns-alarm-ec2-cpu-instance-cloudforet.json'),
					named('an AWS CloudWatch alarm (through SNS)'),
				],
				[
					'cloudwatch/04 from a Webhook node',
					snsWebhookItem(vendor('cloudwatch/04-sns-ok-ec2-cpu-autoscaling-group-cloudforet.json')),
					named('an AWS CloudWatch alarm (through SNS)'),
				],
				[
					'cloudwatch/07 in body',
					{ headers: {}, body: vendor('cloudwatch/07-sns-insufficient-data-alerta.json') },
					named('an AWS CloudWatch alarm (through SNS)'),
				],
				[
					'cloudwatch/11 the parsed Message',
					vendor('cloudwatch/11-message-alarm-metric-math-aws-lambda-go.json'),
					named('an AWS CloudWatch alarm (through SNS)'),
				],
				// What SNS sends first, and a message of a topic that is no alarm: SNS, but no CloudWatch alarm.
				[
					'cloudwatch/01 subscription confirmation',
					snsWebhookItem(vendor('cloudwatch/01-sns-subscription-confirmation-doc.json')),
					undefined,
				],
				[
					"cloudwatch/02 another topic's message",
					vendor('cloudwatch/02-sns-notification-envelope-doc.json'),
					undefined,
				],
				[
					'dynatrace/01',
					vendor('dynatrace/01-docs-example-payload-open-test-notification.json'),
					named('a Dynatrace problem notification'),
				],
				[
					'dynatrace/02 in body',
					{
						headers: {},
						body: vendor('dynatrace/02-rendered-by-us-docs-example-payload-resolved.json'),
					},
					named('a Dynatrace problem notification'),
				],
				[
					'dynatrace/03 a CloudEvent',
					vendor(
						'dynatrace/03-thirdparty-keptn-received-cloudevent-resolved-synthetic-outage.json',
					),
					named('a Dynatrace problem notification'),
				],
				[
					'zabbix/02',
					vendor('zabbix/02-thirdparty-zulip-media-type-ok.json'),
					named('a Zabbix notification'),
				],
				[
					'zabbix/11',
					vendor('zabbix/11-rendered-by-us-default-parameters-resolved.json'),
					named('a Zabbix notification'),
				],
				[
					'zabbix/12 in body',
					{ headers: {}, body: vendor('zabbix/12-rendered-by-us-macro-parameters-problem.json') },
					named('a Zabbix notification'),
				],
				[
					'zabbix/14',
					vendor('zabbix/14-rendered-by-us-event-driven-ansible-media-type-problem.json'),
					named('a Zabbix notification'),
				],
			];
			const { outputs } = await run(
				preset,
				cases.map(([, item]) => item),
				eager,
			);
			expect(routed(outputs)).toEqual({ Other: cases.map((_, i) => i) });
			const messages = outputs.Other.map((o) => o.json.message as string);
			cases.forEach(([what, , expected], i) => {
				if (expected) expect([what, messages[i]]).toEqual([what, expect.stringMatching(expected)]);
				else
					expect([what, messages[i]]).toEqual([
						what,
						expect.stringMatching(/\(looked in the item and in its "body"\)\.$/),
					]);
			});
			expect(sn.journal()).toEqual([]);
		},
	);
});
