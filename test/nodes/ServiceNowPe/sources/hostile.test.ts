/**
 * Hostile payloads for the AWS CloudWatch (SNS), New Relic, Dynatrace and Zabbix presets, through
 * the node against the emulator: huge, deep, prototype-named, wrongly typed, broken Unicode, and
 * text made to make a regular expression backtrack. Every item is accounted for exactly once.
 */
import type { INodeExecutionData } from 'n8n-workflow';
import { routed } from '../../../helpers/action';
import { buildFromSuite, CI, hostBody, snsWebhookItem } from '../../../helpers/alerts';

const { run, sentBodies, ciLookups } = buildFromSuite();
const code = { defaultIssueCode: '100' };

/** An SNS notification whose Message is this CloudWatch alarm (as text). */
const sns = (alarm: Record<string, unknown>) => ({
	Type: 'Notification',
	MessageId: 'm-1',
	TopicArn: 'arn:aws:sns:eu-west-1:123456789012:alarms',
	Message: JSON.stringify(alarm),
	Timestamp: '2026-01-01T00:00:00.000Z',
});
const alarm = (more: Record<string, unknown> = {}, trigger: Record<string, unknown> = {}) => ({
	AlarmName: 'HighCPU',
	NewStateValue: 'ALARM',
	NewStateReason: 'Threshold Crossed: 1 datapoint [97.5 (01/01/26 00:00:00)] was greater than 90',
	AlarmArn: 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:HighCPU',
	Trigger: {
		MetricName: 'CPUUtilization',
		Namespace: 'AWS/EC2',
		Dimensions: [{ name: 'InstanceId', value: 'i-3b93aafb' }],
		ComparisonOperator: 'GreaterThanThreshold',
		Threshold: 90,
		...trigger,
	},
	...more,
});
const workflow = (more: Record<string, unknown> = {}) => ({
	id: 'issue-1',
	issueUrl: 'https://one.newrelic.com/issue-1',
	title: 'cpu query result is > 90 for 5 minutes',
	state: 'ACTIVATED',
	alertConditionNames: ['High CPU'],
	impactedEntities: ['example1'],
	...more,
});
const problem = (more: Record<string, unknown> = {}) => ({
	State: 'OPEN',
	PID: '42',
	ProblemID: 'P-42',
	ProblemTitle: 'CPU saturation',
	ImpactedEntity: 'example1',
	...more,
});
const zabbixEvent = (more: Record<string, unknown> = {}) => ({
	event_id: '2891',
	trigger_id: '17',
	event_value: '1',
	host_name: 'example1',
	trigger_name: 'High CPU utilization',
	...more,
});

/** Every input item appears on the outputs, and only these: output name → item indexes. */
const accounted = (outputs: Record<string, INodeExecutionData[]>) =>
	Object.values(routed(outputs))
		.flat()
		.sort((a, b) => a - b);

const timed = async <T>(work: () => Promise<T>) => {
	const start = Date.now();
	const result = await work();
	return { ...result, ms: Date.now() - start };
};

describe('huge input', () => {
	it('a 5 MB SNS text body is read once, sent once, its reason bounded in investigative_details', async () => {
		const reason = `Threshold Crossed: 1 datapoint [97.5 (01/01/26 00:00:00)] ${'x'.repeat(5_000_000)}`;
		const item = snsWebhookItem(sns(alarm({ NewStateReason: reason })));
		expect(item.body.length).toBeGreaterThan(5_000_000);
		const { outputs, error, ms } = await timed(() =>
			run('cloudwatch', [item], { ...code, alertContext: ['summary'] }),
		);
		expect(error).toBeUndefined();
		expect(routed(outputs)).toEqual({ Created: [0] });
		const [body] = sentBodies();
		expect(body.endpoint).toEqual({ CI: CI('i-3b93aafb') });
		expect(body.investigative_details).toMatchObject({ cpu_usage: '97.5', threshold: '> 90' });
		expect(body.investigative_details.summary).toHaveLength(1000);
		expect(body.investigative_details.summary.endsWith('…')).toBe(true);
		expect(ms).toBeLessThan(10_000);
	});

	it('10,000 impactedEntities naming one host: one lookup, one create, 9,999 covered by it, each paired with its item', async () => {
		const entities = Array.from({ length: 10_000 }, () => 'example1');
		const { outputs, error, ms } = await timed(() =>
			run('newrelic', [workflow({ impactedEntities: entities })], code),
		);
		expect(error).toBeUndefined();
		expect(ciLookups()).toEqual(['name=example1']);
		expect(sentBodies()).toEqual([hostBody('example1', '100', { threshold: '> 90' })]);
		expect(outputs.Created).toHaveLength(1);
		expect(outputs['Already Being Resolved']).toHaveLength(9_999);
		expect(new Set(accounted(outputs))).toEqual(new Set([0]));
		expect(ms).toBeLessThan(20_000);
	});
});

describe('regular expressions on 100 KB of crafted text', () => {
	const cases: Array<[string, string, Record<string, unknown>]> = [
		[
			'CloudWatch reason',
			'cloudwatch',
			alarm({ NewStateReason: `datapoints [${'1.'.repeat(50_000)}E` }),
		],
		[
			'CloudWatch alarm ARN',
			'cloudwatch',
			alarm({ AlarmArn: `arn:aws:cloudwatch:${'a-'.repeat(50_000)}` }),
		],
		['New Relic title', 'newrelic', workflow({ title: `is > ${'1.'.repeat(50_000)}x` })],
		['New Relic host', 'newrelic', workflow({ impactedEntities: [`${'a:'.repeat(50_000)}`] })],
		['Dynatrace host', 'dynatrace', problem({ ImpactedEntity: `${'['.repeat(100_000)}` })],
		[
			'Zabbix macro filter',
			'zabbix',
			zabbixEvent({ x: `{${'A'.repeat(100_000)}:${'}'.repeat(10)}` }),
		],
		[
			'Zabbix message lines',
			'zabbix',
			zabbixEvent({ message: `${'A'.repeat(30)} `.repeat(3_300) }),
		],
		['Zabbix update line', 'zabbix', zabbixEvent({ message: `x${' problem a'.repeat(10_000)}` })],
		['Zabbix subject', 'zabbix', zabbixEvent({ subject: `Resolved in${' in '.repeat(25_000)}` })],
	];
	it.each(cases)('%s: answered within a second', async (_, source, payload) => {
		const { outputs, error, ms } = await timed(() =>
			run(source, [payload], { ...code, resolveCiFromHost: false, options: { dryRun: true } }),
		);
		expect(error).toBeUndefined();
		expect(accounted(outputs)).toEqual([0]);
		expect(ms).toBeLessThan(1_000);
	});
});
