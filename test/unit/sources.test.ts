import { extractAlerts, sourceNamed } from '../../nodes/ServiceNowPe/sources';
import { isComputerType, resourceType } from '../../nodes/ServiceNowPe/sources/azureMonitor';
import { isDatadogPayload, parseTags } from '../../nodes/ServiceNowPe/sources/datadog';
import { issueCodeFor } from '../../nodes/ServiceNowPe/sources/fields';
import { SourceFormatError, hostName, type MonitoringSource, type NormalisedAlert } from '../../nodes/ServiceNowPe/sources/types';

const source = (name: string) => sourceNamed(name) as MonitoringSource;

describe('monitoring payload helpers', () => {
	it('reads a host name from host:port, IPv6 and URL instances (blackbox probes)', () => {
		expect(['ABEL-LAPTOP:9182', '[::1]:9100', 'web-01', 'fe80::1', 'https://prometheus.io', 'http://example.com:8080/health', 'http://[::1]:9115/probe', 'example.com:443/health', 'example.com/health'].map(hostName)).toEqual([
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
		expect(parseTags('env:prod, user:abel.tuter,url:http://x:1,flag')).toEqual({ env: 'prod', user: 'abel.tuter', url: 'http://x:1', flag: 'true' });
		expect(parseTags(['a:1', 'b:2'])).toEqual({ a: '1', b: '2' });
	});

	it('matches issue code rules exactly (any case) or by /regex/, and survives a bad regex', () => {
		const [alert] = extractAlerts(source('alertmanager'), { version: '4', groupKey: '{}:{}', alerts: [{ status: 'firing', labels: { alertname: 'HighCpuUsage', severity: 'critical' } }] }) as NormalisedAlert[];
		const rules = [
			{ field: 'alertName', value: '/(/', issueCode: 'X' },
			{ field: 'severity', value: 'CRITICAL', issueCode: '200' },
		];
		expect(issueCodeFor(alert, rules, { fromLabel: '', defaultCode: '' })).toEqual({ issueCode: '200', how: 'rule 2' });
		expect(issueCodeFor(alert, [{ field: 'alertName', value: '/^high/', issueCode: '100' }], { fromLabel: '', defaultCode: '' }).issueCode).toBe('100');
		expect(issueCodeFor(alert, [], { fromLabel: '', defaultCode: '' })).toEqual({ issueCode: '', how: 'none' });
	});

	it('says which format it expected when a payload is of another kind', () => {
		expect(() => extractAlerts(source('azureMonitor'), { alerts: [] })).toThrow(SourceFormatError);
		expect(() => extractAlerts(source('azureMonitor'), { alerts: [] })).toThrow(/common alert schema/);
		expect(() => extractAlerts(source('grafana'), { schemaId: 'x' })).toThrow(/not a Grafana alerting webhook/);
		expect(extractAlerts(source('alertmanager'), { version: '4', groupKey: '{}:{}', alerts: ['x'] })).toEqual([
			{ entry: 0, unreadable: 'alerts[0] of an Alertmanager webhook is not an object: the other alerts are sent, this one cannot be.' },
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
		expect(isDatadogPayload({ event_type: 'query_alert_monitor', org: { id: '1', name: 'x' }, last_updated: '1', title: 'anything' })).toBe(true);
		expect(isDatadogPayload({ title: 'High CPU', event_type: 'INCIDENT' })).toBe(false);
		expect(isDatadogPayload({ title: '[FIRING:3]  (true)', alerts: [] })).toBe(false);
		expect(isDatadogPayload({ transition: 'open' })).toBe(false);
	});
});
