/**
 * Build From "Grafana Alerting" with what Grafana really sends (test/fixtures/vendors, provenance in
 * its README), and with values made to measure: the exact request bodies and branches.
 */
import { routed } from '../../../helpers/action';
import { buildFromSuite, requestBody, hostBody, rule, vendor } from '../../../helpers/alerts';

const { sn, run, sentBodies, ciLookups, details, samplesOf } = buildFromSuite();
/** Runs these Grafana samples (files of grafana/) through Build From. */
const grafana = samplesOf('grafana', 'grafana');

describe('Grafana Alerting', () => {
	const codes = { issueCodeRules: { rules: [rule('/memory/', '101'), rule('/cpu/', '100')] } };

	it('routes alerts that name no host and no user to Missing Endpoint, naming the alert and the fix, and sends the rest', async () => {
		const { outputs, error } = await grafana(['01-docs-firing-2-alerts-values.json'], codes);
		expect(error).toBeUndefined();
		expect(routed(outputs)).toEqual({ 'Missing Endpoint': [0, 0] });
		expect(outputs['Missing Endpoint'][0].json).toMatchObject({ sent: false, field: 'endpoint' });
		expect(outputs['Missing Endpoint'][0].json.message).toBe(
			'Alert "High memory usage" names no user or device (no "user", "email", "user_id" or "ci_sys_id" label): and it has no host to look up in the CMDB: set one of those labels, an Endpoint override, or a Host Name override.',
		);
		expect(sentBodies()).toEqual([]);
	});

	it('takes the reduced value, not the threshold flag, and maps memory usage to memory_usage (not available memory)', async () => {
		const { outputs } = await grafana(['01-docs-firing-2-alerts-values.json'], {
			...codes,
			overrides: { endpointUserName: 'abel.tuter' },
		});
		expect(routed(outputs)).toEqual({ Created: [0, 0] });
		expect(sentBodies()).toEqual([
			requestBody({ user_name: 'abel.tuter' }, '101', {
				investigative_details: { memory_usage: '44.23943737541908' },
			}),
			requestBody({ user_name: 'abel.tuter' }, '100', {
				investigative_details: { cpu_usage: '44.23943737541908' },
			}),
		]);
	});

	it("reads Grafana 8's valueString, and values a rule names by its own metric rule", async () => {
		await grafana(['02-docs-legacy-firing-2-alerts-valueString.json'], {
			...codes,
			overrides: { endpointUserName: 'abel.tuter' },
		});
		expect(sentBodies().map((b) => b.investigative_details)).toEqual([
			{ memory_usage: '14151.331895396988' },
			{ cpu_usage: '47043.702386305304' },
		]);
		sn.reset();
		await grafana(['03-integration-test-expected-firing-values.json'], {
			defaultIssueCode: '103',
			overrides: { endpointUserName: 'beth.anglin' },
			metricNames: { rules: [{ match: 'WebhookAlert', detail: 'processes_running' }] },
		});
		expect(sentBodies()).toEqual([
			requestBody({ user_name: 'beth.anglin' }, '103', {
				investigative_details: { processes_running: '1' },
			}),
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
		const resolved = await grafana(['05-thirdparty-zulip-fixture-v9-resolved.json'], {
			defaultIssueCode: '103',
		});
		expect(routed(resolved.outputs)).toEqual({ Skipped: [0] });
		const mixed = await grafana(['06-thirdparty-zulip-fixture-v9-mixed-1-firing-2-resolved.json'], {
			defaultIssueCode: '103',
		});
		expect(routed(mixed.outputs)).toEqual({ Created: [0], Skipped: [0, 0] });
		expect(sentBodies()).toEqual([hostBody('sadhost.example.com', '103', { value: '1' })]);
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
});
