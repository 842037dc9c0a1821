/**
 * Hostile payloads the AWS CloudWatch (SNS), New Relic, Dynatrace and Zabbix presets do not yet
 * stand: each test says how the node should behave.
 */
import { routed } from '../../../helpers/action';
import { buildFromSuite, CI } from '../../../helpers/alerts';
import { ABEL } from '../../../helpers/http';

const { run, sentBodies } = buildFromSuite();
const code = { defaultIssueCode: '100' };

const alarm = (trigger: Record<string, unknown>) => ({
	AlarmName: 'HighCPU',
	NewStateValue: 'ALARM',
	Trigger: {
		Dimensions: [{ name: 'InstanceId', value: 'i-3b93aafb' }],
		Threshold: 90,
		...trigger,
	},
});
const zabbixEvent = (more: Record<string, unknown> = {}) => ({
	event_id: '2891',
	trigger_id: '17',
	event_value: '1',
	host_name: 'example1',
	trigger_name: 'High CPU utilization',
	...more,
});

it('Zabbix: 100 KB of "http://" in a parameter is read in well under a second (event link regex)', async () => {
	const start = Date.now();
	const { outputs, error } = await run('zabbix', [zabbixEvent({ x: 'http://'.repeat(15_000) })], {
		...code,
		options: { dryRun: true },
	});
	const ms = Date.now() - start;
	expect(error).toBeUndefined();
	expect(routed(outputs)).toEqual({ Created: [0] });
	expect(ms).toBeLessThan(500);
});

it('Zabbix: a parameter nested 20,000 deep fails neither the node nor its sibling', async () => {
	let deep: Record<string, unknown> = {};
	const root = deep;
	for (let k = 0; k < 20_000; k++) deep = deep.a = {};
	const { outputs, error } = await run(
		'zabbix',
		[zabbixEvent({ extra: root }), zabbixEvent({ host_name: 'example2' })],
		code,
	);
	expect(error).toBeUndefined();
	expect(routed(outputs)).toEqual({ Created: [0, 1] });
});

it('CloudWatch: a ComparisonOperator named after an Object.prototype member is written as it is', async () => {
	const { outputs } = await run(
		'cloudwatch',
		[alarm({ ComparisonOperator: 'constructor' }), alarm({ ComparisonOperator: '__proto__' })],
		code,
	);
	expect(routed(outputs)).toEqual({ Created: [0], 'Already Being Resolved': [1] });
	expect(sentBodies()[0]).toEqual({
		endpoint: { CI: CI('i-3b93aafb') },
		issue_code: '100',
		provider: 'sn',
		investigative_details: { threshold: 'constructor 90' },
	});
});

it("New Relic: 1,000 impacted hosts give 1,000 outputs, each carrying its own entity, not the item's 1,000", async () => {
	const entities = Array.from({ length: 1_000 }, (_, k) => `host-${k}`);
	const { outputs, error } = await run(
		'newrelic',
		[
			{
				id: 'issue-1',
				issueUrl: 'https://one.newrelic.com/issue-1',
				title: 'High CPU',
				alertConditionNames: ['High CPU'],
				impactedEntities: entities,
				labels: { user: ABEL.user_name },
			},
		],
		{ ...code, resolveCiFromHost: false, options: { dryRun: true } },
	);
	expect(error).toBeUndefined();
	// One issue per user and issue code: the first is the dry run's, the other 999 are covered by it.
	const out = [...outputs.Created, ...outputs['Already Being Resolved']];
	expect(out).toHaveLength(1_000);
	// As Alertmanager's group: N alerts give N outputs of one alert each, not N copies of N.
	const carried = out.map((o) => (o.json.input as { impactedEntities: string[] }).impactedEntities);
	expect(Math.max(...carried.map((c) => c.length))).toBe(1);
});

it('Dynatrace: a host with a lone surrogate is said to be broken, not to be added to the CMDB', async () => {
	const { outputs } = await run(
		'dynatrace',
		[{ State: 'OPEN', PID: '42', ProblemTitle: 'CPU', ImpactedEntity: 'exa\ud800mple1' }],
		code,
	);
	expect(routed(outputs)).toEqual({ 'Missing Endpoint': [0] });
	const { message } = outputs['Missing Endpoint'][0].json as { message: string };
	expect(message).toContain('lone UTF-16 surrogate');
	expect(message).not.toContain('add the device to the CMDB');
});
