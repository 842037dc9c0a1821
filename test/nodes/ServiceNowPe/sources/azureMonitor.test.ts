/**
 * Build From "Azure Monitor" with what Azure Monitor really sends in its common alert schema
 * (test/fixtures/vendors, provenance in its README): the exact request bodies and branches, and which
 * resources are computers to look up.
 */
import { routed } from '../../../helpers/action';
import { buildFromSuite, requestBody, hostBody, rule, vendor } from '../../../helpers/alerts';

const { sn, run, sentBodies, ciLookups, samplesOf } = buildFromSuite();
/** Runs these Azure Monitor samples (files of azure-monitor/) through Build From. */
const azure = samplesOf('azureMonitor', 'azure-monitor');
/** The request for abel.tuter, issue code 103, with these investigative details. */
const forAbel = (details: Record<string, string>) =>
	requestBody({ user_name: 'abel.tuter' }, '103', { investigative_details: details });

describe('Azure Monitor (common alert schema)', () => {
	it('metric alerts: the metric keeps its name unless a rule names it; a storage account is no computer and is not looked up', async () => {
		const alone = await azure(['02-metric-static-threshold-fired-test-action.json'], {
			defaultIssueCode: '103',
		});
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
		await azure(['02-metric-static-threshold-fired-test-action.json'], {
			defaultIssueCode: '103',
			overrides: user,
		});
		expect(sentBodies()).toEqual([forAbel({ Transactions: '100' })]);
		sn.reset();
		await azure(['03-metric-dynamic-threshold-fired-test-action.json'], {
			defaultIssueCode: '103',
			overrides: user,
			metricNames: { rules: [{ match: '/transactions/', detail: 'processes_running' }] },
		});
		expect(sentBodies()).toEqual([forAbel({ processes_running: '78.09' })]);
		// A Host Name override names the computer: that one is looked up.
		sn.reset();
		await azure(['14-availability-test-alert-test-action.json'], {
			defaultIssueCode: '103',
			overrides: { host: 'testvm' },
		});
		expect(ciLookups()).toEqual(['name=testvm']);
		expect(sentBodies()).toEqual([hostBody('testvm', '103', { FailedLocation: '5' })]);
	});

	it('a resolved alert is skipped; sent when asked, Percentage CPU as cpu_usage', async () => {
		const doc = vendor('azure-monitor/01-metric-resolved-common-schema-doc.json');
		expect(routed((await run('azureMonitor', [doc], { defaultIssueCode: '100' })).outputs)).toEqual(
			{ Skipped: [0] },
		);
		await run('azureMonitor', [doc], { defaultIssueCode: '100', includeResolved: true });
		expect(sentBodies()).toEqual([hostBody('wcus-r2-gen2', '100', { cpu_usage: '7.727' })]);
	});

	it('log search alerts (V2): the value without metricName, the host from the ResourceId dimension, the rule properties as labels', async () => {
		const { outputs } = await azure(['04-log-alerts-v2-fired-alerts-log-webhook-doc.json'], {
			issueCodeRules: { rules: [rule('value1', '103', 'name1')] },
		});
		expect(routed(outputs)).toEqual({ Created: [0] });
		expect(outputs.Created[0].json.alert).toMatchObject({
			issueCodeFrom: 'rule 1',
			host: 'testvm',
		});
		expect(sentBodies()).toEqual([hostBody('testvm', '103', { CounterValue: '0' })]);
		sn.reset();
		await azure(['05-log-alerts-v2-fired-test-action.json'], {
			defaultIssueCode: '103',
		});
		expect(sentBodies()).toEqual([hostBody('test-computer', '103', { value: '3' })]);
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
			hostBody('test-computer', '103', {
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
			requestBody({ email: 'test@sample.test' }, '103', {
				investigative_details: {
					alert_name: 'Test_actual_cost_budget',
					description:
						'YourspendforbudgetTest_actual_cost_budgetisnow$11,111.00exceedingyourspecifiedthreshold$25.00.',
				},
			}),
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
		expect(sentBodies()).toEqual([hostBody('test-VM', '103'), hostBody('test-VM', '102')]);
	});
});
