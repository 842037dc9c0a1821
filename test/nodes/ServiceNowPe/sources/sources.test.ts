import { extractAlerts, sourceNamed } from '../../../../nodes/ServiceNowPe/sources';
import { isComputerType, resourceType } from '../../../../nodes/ServiceNowPe/sources/azureMonitor';
import { isDatadogPayload, parseTags } from '../../../../nodes/ServiceNowPe/sources/datadog';
import { issueCodeFor } from '../../../../nodes/ServiceNowPe/sources/fields';
import {
	SourceFormatError,
	hostName,
	type MonitoringSource,
	type NormalisedAlert,
} from '../../../../nodes/ServiceNowPe/sources/types';

const source = (name: string) => sourceNamed(name) as MonitoringSource;

describe('monitoring payload helpers', () => {
	it('reads a host name from host:port, IPv6 and URL instances (blackbox probes)', () => {
		expect(
			[
				'ABEL-LAPTOP:9182',
				'[::1]:9100',
				'web-01',
				'fe80::1',
				'https://prometheus.io',
				'http://example.com:8080/health',
				'http://[::1]:9115/probe',
				'example.com:443/health',
				'example.com/health',
			].map(hostName),
		).toEqual([
			'ABEL-LAPTOP',
			'::1',
			'web-01',
			'fe80::1',
			'prometheus.io',
			'example.com',
			'::1',
			'example.com',
			'example.com',
		]);
	});

	it('reads Datadog tags given as a string or a list, keeping values with colons', () => {
		expect(parseTags('env:prod, user:abel.tuter,url:http://x:1,flag')).toEqual({
			env: 'prod',
			user: 'abel.tuter',
			url: 'http://x:1',
			flag: 'true',
		});
		expect(parseTags(['a:1', 'b:2'])).toEqual({ a: '1', b: '2' });
	});

	it('matches issue code rules exactly (any case) or by /regex/, and survives a bad regex', () => {
		const [alert] = extractAlerts(source('alertmanager'), {
			version: '4',
			groupKey: '{}:{}',
			alerts: [{ status: 'firing', labels: { alertname: 'HighCpuUsage', severity: 'critical' } }],
		}) as NormalisedAlert[];
		const rules = [
			{ field: 'alertName', value: '/(/', issueCode: 'X' },
			{ field: 'severity', value: 'CRITICAL', issueCode: '200' },
		];
		expect(issueCodeFor(alert, rules, { fromLabel: '', defaultCode: '' })).toEqual({
			issueCode: '200',
			how: 'rule 2',
		});
		expect(
			issueCodeFor(alert, [{ field: 'alertName', value: '/^high/', issueCode: '100' }], {
				fromLabel: '',
				defaultCode: '',
			}).issueCode,
		).toBe('100');
		expect(issueCodeFor(alert, [], { fromLabel: '', defaultCode: '' })).toEqual({
			issueCode: '',
			how: 'none',
		});
	});

	it('says which format it expected when a payload is of another kind', () => {
		expect(() => extractAlerts(source('azureMonitor'), { alerts: [] })).toThrow(SourceFormatError);
		expect(() => extractAlerts(source('azureMonitor'), { alerts: [] })).toThrow(
			/common alert schema/,
		);
		expect(() => extractAlerts(source('grafana'), { schemaId: 'x' })).toThrow(
			/not a Grafana alerting webhook/,
		);
		expect(
			extractAlerts(source('alertmanager'), { version: '4', groupKey: '{}:{}', alerts: ['x'] }),
		).toEqual([
			{
				entry: 0,
				unreadable:
					'alerts[0] of an Alertmanager webhook is not an object: the other alerts are sent, this one cannot be.',
			},
		]);
	});

	it('types Azure resource IDs, nested ones too, and tells computers from other resources', () => {
		const sub = '/subscriptions/aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e/resourceGroups/rg/providers';
		expect(
			[
				`${sub}/Microsoft.Compute/virtualMachines/vm1`,
				`${sub}/Microsoft.Compute/virtualMachineScaleSets/ss/virtualMachines/0`,
				`${sub}/Microsoft.HybridCompute/machines/arc1`,
				`${sub}/microsoft.storage/storageaccounts/st1`,
				`${sub}/microsoft.operationalinsights/workspaces/ws`,
				'/subscriptions/aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e',
				'b1b1b1b1-cccc-dddd-eeee-f2f2f2f2f2f2',
			].map((id) => [resourceType(id), isComputerType(resourceType(id))]),
		).toEqual([
			['microsoft.compute/virtualmachines', true],
			['microsoft.compute/virtualmachinescalesets/virtualmachines', true],
			['microsoft.hybridcompute/machines', true],
			['microsoft.storage/storageaccounts', false],
			['microsoft.operationalinsights/workspaces', false],
			['', false],
			['', false],
		]);
	});

	it("recognises Datadog by Datadog's own marks, not by a title or an event_type alone", () => {
		expect(isDatadogPayload({ title: '[P1] [Triggered on {host:web-01}] High CPU' })).toBe(true);
		expect(isDatadogPayload({ alert_transition: 'Recovered', hostname: 'web-01' })).toBe(true);
		expect(
			isDatadogPayload({
				event_type: 'query_alert_monitor',
				org: { id: '1', name: 'x' },
				last_updated: '1',
				title: 'anything',
			}),
		).toBe(true);
		expect(isDatadogPayload({ title: 'High CPU', event_type: 'INCIDENT' })).toBe(false);
		expect(isDatadogPayload({ title: '[FIRING:3]  (true)', alerts: [] })).toBe(false);
		expect(isDatadogPayload({ transition: 'open' })).toBe(false);
	});

	// Datadog's webhook variables (docs.datadoghq.com/integrations/webhooks): $ALERT_TITLE arrives as
	// the user's template puts it, often undecorated, so a custom payload is known by its variables.
	const custom = {
		alert_title: 'High CPU on host:web-01',
		hostname: 'web-01',
		tags: 'env:prod,user:abel.tuter,host:web-01',
		alert_id: '1234',
		alert_type: 'error',
		alert_status: 'CPU 97 > 90',
		link: 'https://app.datadoghq.com/event/event?id=1',
	};
	it.each([
		[
			'$ALERT_TITLE, $HOSTNAME, $TAGS, $ALERT_ID, $ALERT_TYPE, $ALERT_STATUS, $LINK',
			custom,
			'firing',
		],
		[
			'the same inside a Webhook node body',
			{
				headers: {},
				body: {
					alert_title: 'High CPU on host:web-01',
					hostname: 'web-01',
					tags: 'env:prod,user:abel.tuter',
					alert_id: '1234',
					alert_type: 'success',
				},
			},
			'resolved',
		],
		[
			'$AGGREG_KEY, $ALERT_METRIC, $ALERT_SCOPE',
			{
				aggreg_key: '9bd4ac313a4d1e8fae2482df7b77628',
				alert_metric: 'system.load.1',
				alert_scope: 'host:web-01',
			},
			'firing',
		],
		[
			'$ID with $EVENT_MSG and $ORG_NAME',
			{ id: '6136132146668244401', event_msg: 'CPU high', org_name: 'Datadog', hostname: 'web-01' },
			'firing',
		],
	])(
		'reads a custom Datadog payload of documented variables without $EVENT_TITLE or $ALERT_TRANSITION: %s',
		(_n, item, status) => {
			const alerts = extractAlerts(source('datadog'), item) as NormalisedAlert[];
			expect(alerts).toHaveLength(1);
			expect(alerts[0]).toMatchObject({ source: 'datadog', status, host: 'web-01' });
		},
	);

	it('names an undecorated $ALERT_TITLE as it is, and identifies the alert by $ALERT_ID and host', () => {
		const [alert] = extractAlerts(source('datadog'), custom) as NormalisedAlert[];
		expect(alert).toMatchObject({
			name: 'High CPU on host:web-01',
			fingerprint: '1234|web-01',
			labels: { env: 'prod', user: 'abel.tuter', host: 'web-01' },
			context: { summary: 'CPU 97 > 90' },
		});
	});

	it('takes a "Resolved" transition as Datadog, as extraction reads it: a recovery', () => {
		expect(isDatadogPayload({ alert_transition: 'Resolved' })).toBe(true);
		expect(isDatadogPayload({ transition: 'resolved' })).toBe(true);
		expect(
			(
				extractAlerts(source('datadog'), {
					alert_transition: 'Resolved',
					hostname: 'web-01',
				}) as NormalisedAlert[]
			)[0].status,
		).toBe('resolved');
	});

	it("needs an alert identifier and two more of Datadog's variables: generic keys or too few are no Datadog payload", () => {
		// Keys any vendor's template may carry.
		expect(
			isDatadogPayload({
				id: '1',
				title: 'High CPU',
				hostname: 'web-01',
				tags: 'env:prod',
				link: 'https://x',
				date: '1',
				priority: 'P1',
				state: 'open',
			}),
		).toBe(false);
		// An identifier and one variable.
		expect(isDatadogPayload({ alert_id: '1234', alert_type: 'error', hostname: 'web-01' })).toBe(
			false,
		);
		// Variables without an identifier.
		expect(
			isDatadogPayload({ alert_type: 'error', alert_status: 'x', alert_metric: 'system.load.1' }),
		).toBe(false);
		// A New Relic workflow payload with a couple of its own keys in snake_case is still no Datadog payload.
		expect(
			isDatadogPayload({
				id: 'c5faa7e6',
				title: 'zulip_app query result is > 1.0',
				priority: 'CRITICAL',
				state: 'ACTIVATED',
				trigger: 'STATE_CHANGE',
				alert_policy_names: ['Golden Signals'],
			}),
		).toBe(false);
		expect(isDatadogPayload({ alert_id: '1234', alert_type: 'error', alert_status: 'x' })).toBe(
			true,
		);
		expect(
			isDatadogPayload({
				alert_id: '1234',
				hostname: 'web-01',
				tags: 'env:prod',
				alert_title: 'High CPU',
			}),
		).toBe(true);
	});
});
