/**
 * Alerts a monitoring system may send beyond the vendors' samples, and alerts that cannot be sent:
 * an alert never fails its siblings.
 */
import { BASIC, routed, runAction } from '../../../helpers/action';
import { buildFromSuite, requestBody, CI, hostBody, rule, vendor } from '../../../helpers/alerts';

const { sn, run, sentBodies, ciLookups } = buildFromSuite();

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
			hostBody('example1', '102'),
			hostBody('example2', '102'),
			hostBody('example3', '102'),
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
			requestBody({ user_name: 'abel.tuter', CI: CI('example1') }, '103'),
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
