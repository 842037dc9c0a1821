/**
 * Build From "AWS CloudWatch (SNS)" with what AWS really sends (test/fixtures/vendors/cloudwatch,
 * provenance in its README): the SNS HTTP/S message as sent, as n8n's Webhook node hands it on
 * (text), and the parsed alarm; the exact request bodies and branches, in both Send Modes.
 */
import { routed } from '../../../helpers/action';
import {
	SEND_MODES,
	buildFromSuite,
	hostBody,
	rule,
	snsWebhookItem,
	vendor,
	withOptions,
} from '../../../helpers/alerts';
import { ABEL, BETH } from '../../../helpers/http';

const { sn, run, sentBodies } = buildFromSuite();
const sample = (file: string) => vendor(`cloudwatch/${file}`) as Record<string, unknown>;
const ALARM_SNS = sample('03-sns-alarm-ec2-cpu-instance-cloudforet.json');
const ALARM_MESSAGE = sample('13-message-alarm-ec2-cpu-instance-cloudforet.json');
const OK_SNS = sample('04-sns-ok-ec2-cpu-autoscaling-group-cloudforet.json');
const OK_MESSAGE = sample('12-message-ok-ec2-cpu-autoscaling-group-cloudforet.json');
const codes = {
	issueCodeRules: { rules: [rule('EC2-CPU', '100'), rule('/cpu/', '100', 'MetricName')] },
	defaultIssueCode: '103',
};
const EC2_CPU = hostBody('i-0f672ea50a80cda4b', '100', {
	cpu_usage: '17.2564528039004',
	threshold: '> 15',
});

describe.each(SEND_MODES)('AWS CloudWatch (SNS), %s', (_, mode) => {
	const cloudwatch = (items: unknown[], parameters: Record<string, unknown> = codes) =>
		run('cloudwatch', items, withOptions(parameters, mode));
	const batches = () => sn.journal().filter((e) => e.route === 'batch').length;

	it('an ALARM as SNS sends it, as the Webhook node hands it on (text) and parsed: the instance as CI, the datapoint and threshold as details', async () => {
		const { outputs, error } = await cloudwatch([
			ALARM_SNS,
			snsWebhookItem(ALARM_SNS),
			{ headers: {}, body: ALARM_MESSAGE },
		]);
		expect(error).toBeUndefined();
		// One issue: the two later creates are for the same user and issue code while it is in progress.
		expect(routed(outputs)).toEqual({ Created: [0], 'Already Being Resolved': [1, 2] });
		expect(sentBodies()).toEqual([EC2_CPU, EC2_CPU, EC2_CPU]);
		expect(sn.issues().map((i) => i.user)).toEqual([ABEL.sys_id]);
		expect(outputs.Created[0].json.alert).toMatchObject({
			source: 'cloudwatch',
			name: 'EC2-CPU',
			status: 'firing',
			host: 'i-0f672ea50a80cda4b',
			fingerprint:
				'arn:aws:cloudwatch:ap-northeast-2:257706363616:alarm:EC2-CPU|i-0f672ea50a80cda4b',
			issueCodeFrom: 'rule 1',
		});
		expect(batches() > 0).toBe(mode.sendMode === 'batch');
	});

	it('OK and INSUFFICIENT_DATA are Skipped, never sent; Include Resolved Alerts sends an OK, never INSUFFICIENT_DATA', async () => {
		const items = [
			OK_SNS,
			snsWebhookItem(OK_MESSAGE as never),
			OK_MESSAGE,
			sample('05-sns-ok-anomaly-band-metric-math-cloudforet.json'),
			sample('07-sns-insufficient-data-alerta.json'),
		];
		const { outputs } = await cloudwatch(items);
		expect(routed(outputs)).toEqual({ Skipped: [0, 1, 2, 3, 4] });
		expect(outputs.Skipped.map((o) => o.json.reason)).toEqual([
			...Array(4).fill('The alert is resolved (turn on Include Resolved Alerts to send it).'),
			'The alarm went to INSUFFICIENT_DATA (Insufficient Data: 10 datapoints were unknown.): no data is no problem on a device.',
		]);
		expect(sentBodies()).toEqual([]);
		const eager = await cloudwatch(items, {
			...codes,
			includeResolved: true,
			overrides: { endpointUserName: 'beth.anglin' },
		});
		// Four OKs of CPU alarms for one user are one issue of code 100 (the anomaly band's by its MetricName).
		expect(routed(eager.outputs)).toEqual({
			Created: [0],
			'Already Being Resolved': [1, 2, 3],
			Skipped: [4],
		});
		expect(sentBodies()[0]).toEqual({
			endpoint: { user_name: 'beth.anglin' },
			issue_code: '100',
			provider: 'sn',
			investigative_details: { cpu_usage: '5.477211732525876', threshold: '> 5.5' },
		});
	});

	it("a metric-math alarm: the host of the metric it watches, the value by the alarm's rules", async () => {
		const { outputs } = await cloudwatch([
			sample('11-message-alarm-metric-math-aws-lambda-go.json'),
			sample('10-message-alarm-single-metric-aws-lambda-go.json'),
		]);
		expect(routed(outputs)).toEqual({ Created: [0], 'Already Being Resolved': [1] });
		const body = hostBody('TestInstance', '103', { value: '1234.0', threshold: '> 0' });
		expect(sentBodies()).toEqual([body, body]);
		expect(sn.issues().map((i) => i.user)).toEqual([BETH.sys_id]);
	});

	it('an alarm on no machine (an S3 bucket) names the bucket and how to give it a user; with a user it is sent', async () => {
		const s3 = sample('06-sns-alarm-s3-bucket-two-dimensions-alerta.json');
		const { outputs } = await cloudwatch([s3]);
		expect(routed(outputs)).toEqual({ 'Missing Endpoint': [0] });
		expect(outputs['Missing Endpoint'][0].json.message).toBe(
			'Alert "bucketbytesAlarm" names no user or device (no "user", "email", "user_id" or "ci_sys_id" label): it is about "try.alerta.io", an AWS/S3 resource (dimension BucketName), not a computer, so it is not looked up in cmdb_ci_computer: set one of those labels (Azure: a custom property of the action group or rule; rename them under Label Names), an Endpoint override, or a Host Name override naming the user\'s computer.',
		);
		expect(sentBodies()).toEqual([]);
		const eks = sample('05-sns-ok-anomaly-band-metric-math-cloudforet.json');
		const band = await cloudwatch([eks], { ...codes, includeResolved: true });
		expect(band.outputs['Missing Endpoint'][0].json.alert).toMatchObject({
			resource: {
				name: 'cloudone-dev-v1-eks-cluster',
				kind: 'a ContainerInsights resource (dimension ClusterName)',
			},
		});
		await cloudwatch([s3], { ...codes, overrides: { endpointUserId: ABEL.sys_id } });
		expect(sentBodies()).toEqual([
			{
				endpoint: { user_id: ABEL.sys_id },
				issue_code: '103',
				provider: 'sn',
				investigative_details: { value: '1062305.0', threshold: '>= 0' },
			},
		]);
	});

	it('the alert context: the alarm name, the state reason, the time and a console link in the region the ARN names', async () => {
		await cloudwatch([ALARM_SNS], {
			...codes,
			alertContext: ['name', 'summary', 'startedAt', 'links'],
		});
		expect(sentBodies()[0].investigative_details).toEqual({
			cpu_usage: '17.2564528039004',
			threshold: '> 15',
			alert_name: 'EC2-CPU',
			summary:
				'Threshold Crossed: 1 out of the last 1 datapoints [17.2564528039004 (23/06/21 08:31:00)] was greater than the threshold (15.0) (minimum 1 datapoint for OK -> ALARM transition).',
			started_at: '2021-06-23T08:41:06.622+00:00',
			source_link:
				'https://console.aws.amazon.com/cloudwatch/home?region=ap-northeast-2#alarmsV2:alarm/EC2-CPU',
		});
	});
});
