/**
 * The alert context Build From puts in investigative_details (for the fallback incident): each
 * vendor's parts, bounded and as chosen.
 */
import { buildFromSuite, vendor } from '../../../helpers/alerts';

const { sn, run, sentBodies } = buildFromSuite();

/** The start time Build From sends for a Datadog alert whose `date` is `date`. */
async function datadogStartedAt(date: unknown): Promise<unknown> {
	sn.reset();
	await run('datadog', [{ ...vendor('datadog/12-rendered-by-us-custom-triggered.json'), date }], {
		defaultIssueCode: '103',
		overrides: { endpointUserName: 'abel.tuter' },
		alertContext: undefined,
	});
	return sentBodies()[0].investigative_details.started_at;
}

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

	it('reads an epoch in milliseconds as a date, and leaves one in seconds as given, never a date in 1970 (Datadog as the others)', async () => {
		expect(await datadogStartedAt('1733312345000')).toBe('2024-12-04T11:39:05.000Z');
		expect(await datadogStartedAt('1733312345')).toBe('1733312345');
	});

	it('keeps an odd start time as given: negative, a fraction, beyond the year 9999 (microseconds), never an extended-year date', async () => {
		expect(await datadogStartedAt(1733312345000)).toBe('2024-12-04T11:39:05.000Z');
		expect(await datadogStartedAt('253402300799999')).toBe('9999-12-31T23:59:59.999Z');
		for (const odd of [
			'-1733312345000',
			'1733312345000.5',
			'253402300800000',
			'1733312345000000',
			'8639999999999999',
		])
			expect(await datadogStartedAt(odd)).toBe(odd);
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
