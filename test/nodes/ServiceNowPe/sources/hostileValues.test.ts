/**
 * Hostile values for the AWS CloudWatch (SNS), New Relic, Dynatrace and Zabbix presets, through the
 * node against the emulator: keys named after Object.prototype, deep nesting, lone surrogates, and
 * values of the wrong type. Every item is accounted for exactly once, with a clear message.
 */
import { routed } from '../../../helpers/action';
import { buildFromSuite, CI, hostBody, requestBody } from '../../../helpers/alerts';

const { sn, run, sentBodies, ciLookups } = buildFromSuite();
const code = { defaultIssueCode: '100' };

const alarm = (more: Record<string, unknown> = {}, trigger: Record<string, unknown> = {}) => ({
	AlarmName: 'HighCPU',
	NewStateValue: 'ALARM',
	Trigger: {
		Dimensions: [{ name: 'InstanceId', value: 'i-3b93aafb' }],
		ComparisonOperator: 'GreaterThanThreshold',
		Threshold: 90,
		...trigger,
	},
	...more,
});
const sns = (message: unknown) => ({
	Type: 'Notification',
	MessageId: 'm-1',
	TopicArn: 'arn:aws:sns:eu-west-1:123456789012:alarms',
	Message: message,
});
const workflow = (more: Record<string, unknown> = {}) => ({
	id: 'issue-1',
	issueUrl: 'https://one.newrelic.com/issue-1',
	title: 'High CPU',
	state: 'ACTIVATED',
	alertConditionNames: ['High CPU'],
	impactedEntities: ['example1'],
	...more,
});
const problem = (more: Record<string, unknown> = {}) => ({
	State: 'OPEN',
	PID: '42',
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

afterEach(() => {
	// Nothing a payload said reached Object.prototype.
	expect(({} as Record<string, unknown>).polluted).toBeUndefined();
	expect(Object.prototype.toString.call({})).toBe('[object Object]');
});

describe('keys named __proto__, constructor, prototype stay data', () => {
	it('Zabbix parameters and tags, New Relic labels, Dynatrace Tags, CloudWatch Dimensions: sent with the issue code label they carry', async () => {
		const zabbix = JSON.parse(
			JSON.stringify(zabbixEvent()).replace(
				/^\{/,
				`{"__proto__":{"polluted":"yes"},"constructor":"c","prototype":"p","event_tags":${JSON.stringify(
					JSON.stringify([
						{ tag: '__proto__', value: 'x' },
						{ tag: 'constructor', value: 'y' },
						{ tag: 'issue_code', value: '101' },
					]),
				)},`,
			),
		);
		const labels = JSON.parse(
			'{"__proto__":{"polluted":"yes"},"constructor":"c","issue_code":"102"}',
		);
		const dimensions = [
			{ name: '__proto__', value: 'x' },
			{ name: 'constructor', value: 'c' },
			{ name: 'prototype', value: 'p' },
			{ name: 'issue_code', value: '100' },
			{ name: 'InstanceId', value: 'i-3b93aafb' },
		];
		const results = [
			await run('zabbix', [zabbix]),
			await run('newrelic', [workflow({ labels })]),
			await run('dynatrace', [
				problem({ Tags: '__proto__:x, constructor, prototype:y, issue_code:103' }),
			]),
			await run('cloudwatch', [alarm({}, { Dimensions: dimensions, Threshold: undefined })]),
		];
		for (const { outputs, error } of results) {
			expect(error).toBeUndefined();
			expect(routed(outputs)).toEqual({ Created: [0] });
		}
		expect(sentBodies().map((b) => [b.issue_code, b.endpoint.CI])).toEqual([
			['101', CI('example1')],
			['102', CI('example1')],
			['103', CI('example1')],
			['100', CI('i-3b93aafb')],
		]);
	});
});

describe('lone surrogates', () => {
	it('a host with a lone surrogate is looked up well-formed (U+FFFD) and not found; an alert name with one reaches the instance as its JSON escape', async () => {
		const { outputs, error } = await run(
			'dynatrace',
			[
				problem({ ImpactedEntity: 'exa\ud800mple1' }),
				problem({ ProblemTitle: 'CPU \udc00 saturation', Tags: 'user:abel.tuter' }),
			],
			{ ...code, alertContext: ['name'] },
		);
		expect(error).toBeUndefined();
		expect(routed(outputs)).toEqual({ Created: [1], 'Missing Endpoint': [0] });
		expect(ciLookups()).toEqual(['name=exa\ufffdmple1', 'name=example1']);
		const paths = sn
			.journal()
			.filter((e) => e.route === 'table')
			.map((e) => e.path);
		expect(paths[0]).toContain('exa%EF%BF%BDmple1');
		const create = sn.journal().find((e) => e.route === 'create');
		expect(create?.body).toContain('"alert_name":"CPU \\udc00 saturation"');
		expect(sentBodies()).toEqual([
			requestBody({ user_name: 'abel.tuter', CI: CI('example1') }, '100', {
				investigative_details: { alert_name: 'CPU \udc00 saturation' },
			}),
		]);
	});
});

describe('values of the wrong type', () => {
	it('CloudWatch: NewStateValue null, a Message object, a Message that is JSON but no object, a body that is no JSON: each on Other, saying what was expected', async () => {
		const { outputs, error } = await run(
			'cloudwatch',
			[
				alarm({ NewStateValue: null }),
				sns(alarm()),
				sns('[1, 2]'),
				{ body: '{"Type": "Notification", not json' },
				{ body: JSON.stringify(sns(JSON.stringify(alarm()))) },
			],
			code,
		);
		expect(error).toBeUndefined();
		expect(routed(outputs)).toEqual({ Created: [4], Other: [0, 1, 2, 3] });
		for (const item of outputs.Other) {
			expect(item.json).toMatchObject({ errorCode: 'UNRECOGNISED_PAYLOAD', sent: false });
			expect(item.json.message).toContain('expected an SNS message');
		}
	});

	it('New Relic: impactedEntities a string is one host; targets an object names no target', async () => {
		const { outputs, error } = await run(
			'newrelic',
			[
				workflow({ impactedEntities: 'example1' }),
				{
					incident_id: 7,
					current_state: 'open',
					condition_name: 'Disk',
					targets: { name: 'example2', type: 'Host' },
				},
			],
			code,
		);
		expect(error).toBeUndefined();
		expect(routed(outputs)).toEqual({ Created: [0], 'Missing Endpoint': [1] });
		expect(sentBodies()).toEqual([hostBody('example1', '100')]);
		expect(outputs['Missing Endpoint'][0].json.message).toContain(
			'a New Relic incident that names no target',
		);
	});

	it('Zabbix: event_value 0 as a number or as text is a recovery (Skipped); 1 as a number fires', async () => {
		const { outputs, error } = await run(
			'zabbix',
			[
				zabbixEvent({ event_value: 0 }),
				zabbixEvent({ event_value: '0' }),
				zabbixEvent({ event_value: 1, event_id: 2892, trigger_id: 17 }),
			],
			code,
		);
		expect(error).toBeUndefined();
		expect(routed(outputs)).toEqual({ Created: [2], Skipped: [0, 1] });
		expect(sentBodies()).toEqual([hostBody('example1', '100')]);
	});

	it('Dynatrace: State as a number is no problem notification (Other)', async () => {
		const { outputs, error } = await run('dynatrace', [problem({ State: 1 })], code);
		expect(error).toBeUndefined();
		expect(routed(outputs)).toEqual({ Other: [0] });
		expect(outputs.Other[0].json.errorCode).toBe('UNRECOGNISED_PAYLOAD');
		expect(sentBodies()).toEqual([]);
	});
});
