/**
 * Every vendor sample (test/fixtures/vendors) under every Build From preset: its own are all read,
 * every other is named and ends on Other, nothing is sent.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { routed } from '../../../helpers/action';
import { buildFromSuite, vendor, snsWebhookItem, VENDOR_SAMPLES } from '../../../helpers/alerts';
import { SOURCE_NAMES, sourceNamed } from '../../../../nodes/ServiceNowPe/sources';

const { sn, run } = buildFromSuite();

describe('every vendor sample under every preset', () => {
	/** Folder of test/fixtures/vendors → its preset. */
	const FOLDERS: Array<[string, string]> = [
		['alertmanager', 'alertmanager'],
		['grafana', 'grafana'],
		['azure-monitor', 'azureMonitor'],
		['datadog', 'datadog'],
		['newrelic', 'newrelic'],
		['cloudwatch', 'cloudwatch'],
		['dynatrace', 'dynatrace'],
		['zabbix', 'zabbix'],
	];
	/**
	 * A vendor's samples that hold no alert of its: what SNS sends first (a subscription
	 * confirmation: Skipped, saying how to confirm) and a message of a topic that is no alarm (Other).
	 */
	const NO_ALERT: Record<string, string> = {
		'cloudwatch/01-sns-subscription-confirmation-doc.json': 'Skipped',
		'cloudwatch/02-sns-notification-envelope-doc.json': 'Other',
	};
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
	const PRESETS = FOLDERS.map(([, preset]) => preset);

	it('has a folder of samples for every preset', () => {
		expect([...PRESETS].sort()).toEqual([...SOURCE_NAMES].sort());
	});

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
			const foreign = samples.filter((s) => s.preset !== preset || NO_ALERT[s.file] === 'Other');
			const items = [
				...foreign.map((s) => s.payload),
				...foreign.map((s) => ({ headers: {}, body: s.payload })),
				...snsMessages.filter((s) => foreign.includes(s)).map((s) => snsWebhookItem(s.payload)),
			];
			const { outputs, error } = await run(preset, items, eager);
			expect(error).toBeUndefined();
			const files = [...foreign, ...foreign, ...snsMessages.filter((s) => foreign.includes(s))].map(
				(s) => s.file,
			);
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

	it.each(PRESETS)(
		'%s: its own samples are all read (as sent and, for SNS, as the Webhook node hands them on)',
		async (preset) => {
			const own = samples.filter((s) => s.preset === preset && !NO_ALERT[s.file]);
			const sns = own.filter((s) => snsMessages.includes(s));
			const items = [...own.map((s) => s.payload), ...sns.map((s) => snsWebhookItem(s.payload))];
			const files = [...own, ...sns].map((s) => s.file);
			const { outputs, error } = await run(preset, items, eager);
			expect(error).toBeUndefined();
			const unread = Object.values(outputs)
				.flat()
				.filter((o) => o.json.errorCode === 'UNRECOGNISED_PAYLOAD')
				.map((o) => files[(o.pairedItem as { item: number }).item]);
			expect(unread).toEqual([]);
			expect(outputs.Created?.length ?? 0).toBeGreaterThan(0);
			// Every item comes out: none is lost.
			const paired = new Set(
				Object.values(outputs)
					.flat()
					.map((o) => (o.pairedItem as { item: number }).item),
			);
			expect(paired.size).toBe(items.length);
		},
	);

	it('an SNS subscription confirmation is Skipped with the URL that confirms it; a message of a topic that is no alarm ends on Other', async () => {
		const confirmation = vendor('cloudwatch/01-sns-subscription-confirmation-doc.json');
		const { outputs } = await run(
			'cloudwatch',
			[
				snsWebhookItem(confirmation),
				confirmation,
				snsWebhookItem(vendor('cloudwatch/02-sns-notification-envelope-doc.json')),
			],
			eager,
		);
		expect(routed(outputs)).toEqual({ Skipped: [0, 1], Other: [2] });
		expect(outputs.Skipped[0].json).toMatchObject({
			reason: expect.stringMatching(
				/^An Amazon SNS subscription confirmation, no alarm: open its SubscribeURL once/,
			),
			notification: {
				snsMessageType: 'SubscriptionConfirmation',
				topicArn: confirmation.TopicArn,
				subscribeUrl: confirmation.SubscribeURL,
			},
		});
		expect(outputs.Other[0].json).toMatchObject({ errorCode: 'UNRECOGNISED_PAYLOAD', sent: false });
		expect(sn.journal()).toEqual([]);
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
				/^The item is not a Datadog webhook payload: expected .*"\$EVENT_TITLE".* It is a New Relic payload: choose Build From "New Relic"\.$/,
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
		"%s: names the preset of every other vendor's payload, as sent, in a body, as SNS text or as a CloudEvent",
		async (preset) => {
			const cases: Array<[string, unknown, string]> = [
				[
					'cloudwatch/03 as sent',
					vendor('cloudwatch/03-sns-alarm-ec2-cpu-instance-cloudforet.json'),
					'AWS CloudWatch (SNS)',
				],
				[
					'cloudwatch/04 from a Webhook node',
					snsWebhookItem(vendor('cloudwatch/04-sns-ok-ec2-cpu-autoscaling-group-cloudforet.json')),
					'AWS CloudWatch (SNS)',
				],
				[
					'cloudwatch/11 the parsed Message',
					vendor('cloudwatch/11-message-alarm-metric-math-aws-lambda-go.json'),
					'AWS CloudWatch (SNS)',
				],
				[
					'newrelic/01 in body',
					{
						headers: {},
						body: vendor('newrelic/01-workflow-default-payload-activated-zulip.json'),
					},
					'New Relic',
				],
				[
					'newrelic/03',
					vendor('newrelic/03-legacy-channel-test-notification-open-alerta.json'),
					'New Relic',
				],
				[
					'dynatrace/01',
					vendor('dynatrace/01-docs-example-payload-open-test-notification.json'),
					'Dynatrace',
				],
				[
					'dynatrace/03 a CloudEvent',
					vendor(
						'dynatrace/03-thirdparty-keptn-received-cloudevent-resolved-synthetic-outage.json',
					),
					'Dynatrace',
				],
				[
					'zabbix/11',
					vendor('zabbix/11-rendered-by-us-default-parameters-resolved.json'),
					'Zabbix',
				],
				[
					'zabbix/12 in body',
					{ headers: {}, body: vendor('zabbix/12-rendered-by-us-macro-parameters-problem.json') },
					'Zabbix',
				],
				[
					'zabbix/14',
					vendor('zabbix/14-rendered-by-us-event-driven-ansible-media-type-problem.json'),
					'Zabbix',
				],
				[
					'datadog/02',
					vendor('datadog/02-custom-template-triggered-host-scope-codenow-fluffy.json'),
					'Datadog',
				],
				[
					'azure-monitor/02',
					vendor('azure-monitor/02-metric-static-threshold-fired-test-action.json'),
					'Azure Monitor',
				],
			];
			const label = (name: string) => sourceNamed(name)?.label;
			const foreign = cases.filter(([, , l]) => l !== label(preset));
			const { outputs } = await run(
				preset,
				foreign.map(([, item]) => item),
				eager,
			);
			expect(routed(outputs)).toEqual({ Other: foreign.map((_, i) => i) });
			const messages = outputs.Other.map((o) => o.json.message as string);
			foreign.forEach(([what, , l], i) => {
				const article = /^[AEIOU]/.test(l) ? 'an' : 'a';
				expect([what, messages[i]]).toEqual([
					what,
					expect.stringContaining(
						`(looked in the item and in its "body"). It is ${article} ${l} payload: choose Build From "${l}".`,
					),
				]);
			});
			expect(sn.journal()).toEqual([]);
		},
	);
});
