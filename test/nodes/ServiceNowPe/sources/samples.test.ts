/**
 * Every vendor sample (test/fixtures/vendors) under every Build From preset: its own are all read,
 * every other is named and ends on Other, nothing is sent.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { routed } from '../../../helpers/action';
import { buildFromSuite, vendor, snsWebhookItem, VENDOR_SAMPLES } from '../../../helpers/alerts';

const { sn, run } = buildFromSuite();

describe('every vendor sample under every preset', () => {
	/** Folder of test/fixtures/vendors → its preset (New Relic, AWS CloudWatch, Dynatrace and Zabbix have none). */
	const FOLDERS: Array<[string, string | undefined]> = [
		['alertmanager', 'alertmanager'],
		['grafana', 'grafana'],
		['azure-monitor', 'azureMonitor'],
		['datadog', 'datadog'],
		['newrelic', undefined],
		['cloudwatch', undefined],
		['dynatrace', undefined],
		['zabbix', undefined],
	];
	const samples = FOLDERS.flatMap(([folder, preset]) =>
		readdirSync(join(VENDOR_SAMPLES, folder))
			.filter((f) => f.endsWith('.json'))
			.map((f) => ({
				file: `${folder}/${f}`,
				preset,
				payload: vendor(`${folder}/${f}`) as Record<string, unknown>,
			})),
	);
	/** Everything that would make a recognised alert a created issue: a code, a user, resolved alerts too. */
	const eager = {
		defaultIssueCode: '103',
		includeResolved: true,
		overrides: { endpointUserName: 'abel.tuter' },
	};
	const PRESETS = ['alertmanager', 'grafana', 'azureMonitor', 'datadog'];

	it('has samples of every vendor', () => {
		for (const [folder] of FOLDERS)
			expect([folder, samples.filter((s) => s.file.startsWith(`${folder}/`)).length >= 4]).toEqual([
				folder,
				true,
			]);
	});

	/** The SNS HTTP/S messages among them (CloudWatch's), which n8n's Webhook node hands on as text. */
	const snsMessages = samples.filter(
		(s) => s.file.startsWith('cloudwatch/') && typeof s.payload.TopicArn === 'string',
	);

	it.each(PRESETS)(
		"%s: every other vendor's sample ends on Other (UNRECOGNISED_PAYLOAD), as sent and in a Webhook node's body; nothing is looked up or sent",
		async (preset) => {
			const foreign = samples.filter((s) => s.preset !== preset);
			const items = [
				...foreign.map((s) => s.payload),
				...foreign.map((s) => ({ headers: {}, body: s.payload })),
				...snsMessages.map((s) => snsWebhookItem(s.payload)),
			];
			const { outputs, error } = await run(preset, items, eager);
			expect(error).toBeUndefined();
			const files = [...foreign, ...foreign, ...snsMessages].map((s) => s.file);
			const outcomes = Object.entries(outputs).flatMap(([name, out]) =>
				out.map((o) => [files[(o.pairedItem as { item: number }).item], name, o.json.errorCode]),
			);
			expect(
				outcomes.filter(([, name, code]) => name !== 'Other' || code !== 'UNRECOGNISED_PAYLOAD'),
			).toEqual([]);
			expect(routed(outputs)).toEqual({ Other: items.map((_, i) => i) });
			expect(outputs.Other.every((o) => o.json.sent === false)).toBe(true);
			expect(sn.journal()).toEqual([]);
			expect(sn.issues()).toHaveLength(0);
		},
	);

	it.each(PRESETS)('%s: its own samples are all read', async (preset) => {
		const own = samples.filter((s) => s.preset === preset);
		const { outputs, error } = await run(
			preset,
			own.map((s) => s.payload),
			eager,
		);
		expect(error).toBeUndefined();
		const unread = Object.values(outputs)
			.flat()
			.filter((o) => o.json.errorCode === 'UNRECOGNISED_PAYLOAD')
			.map((o) => own[(o.pairedItem as { item: number }).item].file);
		expect(unread).toEqual([]);
		expect(outputs.Created?.length ?? 0).toBeGreaterThan(0);
	});

	it('says which vendor a foreign payload is from, and what the preset expects', async () => {
		const { outputs } = await run(
			'datadog',
			[
				vendor('newrelic/02-workflow-default-payload-closed-zulip.json'),
				vendor('grafana/06-thirdparty-zulip-fixture-v9-mixed-1-firing-2-resolved.json'),
			],
			eager,
		);
		expect(outputs.Other.map((o) => o.json.message)).toEqual([
			expect.stringMatching(
				/^The item is not a Datadog webhook payload: expected .*"\$EVENT_TITLE".* It looks like a New Relic notification, which no Build From preset reads: map its fields with Build From "Manual Fields"\.$/,
			),
			expect.stringMatching(
				/^The item is not a Datadog webhook payload: .* It is a Grafana Alerting payload: choose Build From "Grafana Alerting"\.$/,
			),
		]);
		const am = await run(
			'alertmanager',
			[vendor('grafana/01-docs-firing-2-alerts-values.json')],
			eager,
		);
		expect(am.outputs.Other[0].json.message).toMatch(
			/^The item is not an Alertmanager webhook: expected "version": "4", "groupKey" and an "alerts" array, .* It is a Grafana Alerting payload: choose Build From "Grafana Alerting"\.$/,
		);
	});

	it.each(PRESETS)(
		"%s: names an AWS CloudWatch alarm (through SNS, also as the Webhook node's text body, or parsed), a Dynatrace problem and a Zabbix notification, which no preset reads",
		async (preset) => {
			const named = (label: string) =>
				new RegExp(
					`\\(looked in the item and in its "body"\\)\\. It looks like ${label.replace(/[()]/g, '\\$&')}, which no Build From preset reads: map its fields with Build From "Manual Fields"\\.$`,
				);
			const cases: Array<[string, unknown, RegExp | undefined]> = [
				[
					'cloudwatch/03 as sent',
					vendor('cloudwatch/03-sns-alarm-ec2-cpu-instance-cloudforet.json'),
					named('an AWS CloudWatch alarm (through SNS)'),
				],
				[
					'cloudwatch/04 from a Webhook node',
					snsWebhookItem(vendor('cloudwatch/04-sns-ok-ec2-cpu-autoscaling-group-cloudforet.json')),
					named('an AWS CloudWatch alarm (through SNS)'),
				],
				[
					'cloudwatch/07 in body',
					{ headers: {}, body: vendor('cloudwatch/07-sns-insufficient-data-alerta.json') },
					named('an AWS CloudWatch alarm (through SNS)'),
				],
				[
					'cloudwatch/11 the parsed Message',
					vendor('cloudwatch/11-message-alarm-metric-math-aws-lambda-go.json'),
					named('an AWS CloudWatch alarm (through SNS)'),
				],
				// What SNS sends first, and a message of a topic that is no alarm: SNS, but no CloudWatch alarm.
				[
					'cloudwatch/01 subscription confirmation',
					snsWebhookItem(vendor('cloudwatch/01-sns-subscription-confirmation-doc.json')),
					undefined,
				],
				[
					"cloudwatch/02 another topic's message",
					vendor('cloudwatch/02-sns-notification-envelope-doc.json'),
					undefined,
				],
				[
					'dynatrace/01',
					vendor('dynatrace/01-docs-example-payload-open-test-notification.json'),
					named('a Dynatrace problem notification'),
				],
				[
					'dynatrace/02 in body',
					{
						headers: {},
						body: vendor('dynatrace/02-rendered-by-us-docs-example-payload-resolved.json'),
					},
					named('a Dynatrace problem notification'),
				],
				[
					'dynatrace/03 a CloudEvent',
					vendor(
						'dynatrace/03-thirdparty-keptn-received-cloudevent-resolved-synthetic-outage.json',
					),
					named('a Dynatrace problem notification'),
				],
				[
					'zabbix/02',
					vendor('zabbix/02-thirdparty-zulip-media-type-ok.json'),
					named('a Zabbix notification'),
				],
				[
					'zabbix/11',
					vendor('zabbix/11-rendered-by-us-default-parameters-resolved.json'),
					named('a Zabbix notification'),
				],
				[
					'zabbix/12 in body',
					{ headers: {}, body: vendor('zabbix/12-rendered-by-us-macro-parameters-problem.json') },
					named('a Zabbix notification'),
				],
				[
					'zabbix/14',
					vendor('zabbix/14-rendered-by-us-event-driven-ansible-media-type-problem.json'),
					named('a Zabbix notification'),
				],
			];
			const { outputs } = await run(
				preset,
				cases.map(([, item]) => item),
				eager,
			);
			expect(routed(outputs)).toEqual({ Other: cases.map((_, i) => i) });
			const messages = outputs.Other.map((o) => o.json.message as string);
			cases.forEach(([what, , expected], i) => {
				if (expected) expect([what, messages[i]]).toEqual([what, expect.stringMatching(expected)]);
				else
					expect([what, messages[i]]).toEqual([
						what,
						expect.stringMatching(/\(looked in the item and in its "body"\)\.$/),
					]);
			});
			expect(sn.journal()).toEqual([]);
		},
	);
});
