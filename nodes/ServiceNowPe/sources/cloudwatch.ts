/**
 * AWS CloudWatch alarms through Amazon SNS. An alarm's topic posts to an HTTP/S subscriber an SNS
 * message (`Type`, `TopicArn`, `Message`…) whose `Message` is the alarm's state change as a JSON
 * string; SNS sends it as `text/plain`, so n8n's Webhook node hands the whole message on as text
 * in `body`. Read: the SNS message (as an object or as that text) or the alarm itself (`AlarmName`,
 * `NewStateValue`, `Trigger`), e.g. parsed by an earlier node or from an SNS → Lambda → n8n relay.
 */
import { isPlainObject, setOwn, text } from '../../../contract/values';
import {
	NoAlertsMessage,
	SourceFormatError,
	firstOf,
	hostName,
	jsonObjectIn,
	type AlertMetric,
	type MonitoringSource,
	type NormalisedAlert,
} from './types';

/** A CloudWatch alarm's state change, as its SNS message carries it. */
export const isCloudWatchAlarm = (m: Record<string, unknown> | undefined) =>
	!!m && typeof m.AlarmName === 'string' && typeof m.NewStateValue === 'string';

/** The SNS message types an HTTP/S subscriber receives. */
const SNS_TYPES = ['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation'];

/** An Amazon SNS HTTP/S message (of any topic). */
export const isSnsMessage = (p: Record<string, unknown> | undefined) =>
	!!p &&
	typeof p.Type === 'string' &&
	SNS_TYPES.includes(p.Type) &&
	typeof p.TopicArn === 'string' &&
	typeof p.MessageId === 'string';

/** An SNS notification whose `Message` (a JSON string) is a CloudWatch alarm. */
export const isSnsAlarm = (p: Record<string, unknown> | undefined) =>
	isSnsMessage(p) && p?.Type === 'Notification' && isCloudWatchAlarm(jsonObjectIn(p.Message));

/** Dimensions that name the machine, in order: the CloudWatch agent's `host`, then an EC2 instance. */
const HOST_DIMENSIONS = ['host', 'hostname', 'Host', 'HostName', 'InstanceId'];

type Dimension = { name: string; value: string };

function dimensionsOf(list: unknown): Dimension[] {
	return (Array.isArray(list) ? list.filter(isPlainObject) : [])
		.map((d) => ({ name: text(d.name ?? d.Name), value: text(d.value ?? d.Value) }))
		.filter((d) => d.name);
}

/** The metrics an alarm watches: the single metric in `Trigger`, or each of a metric-math alarm's. */
function watched(trigger: Record<string, unknown>) {
	const metrics = Array.isArray(trigger.Metrics) ? trigger.Metrics.filter(isPlainObject) : [];
	const fromMath = metrics.flatMap((m) => {
		const stat = isPlainObject(m.MetricStat) ? m.MetricStat : {};
		const metric = isPlainObject(stat.Metric) ? stat.Metric : undefined;
		if (!metric) return [];
		return [
			{
				name: text(metric.MetricName),
				namespace: text(metric.Namespace),
				dimensions: dimensionsOf(metric.Dimensions),
			},
		];
	});
	if (trigger.MetricName !== undefined || fromMath.length === 0) {
		return [
			{
				name: text(trigger.MetricName),
				namespace: text(trigger.Namespace),
				dimensions: dimensionsOf(trigger.Dimensions),
			},
			...fromMath,
		];
	}
	return fromMath;
}

/**
 * The measured value in `NewStateReason`: "Threshold Crossed: 1 datapoint [0.0 (10/02/19 20:30:00)]
 * was not greater than …" (the most recent datapoint first), or "… [42.4 (…), 38.1 (…)] …".
 */
export function reasonValue(reason: string): string {
	const m = /datapoints? \[\s*(-?[\d.]+(?:E[-+]?\d+)?)\s*\(/i.exec(reason);
	return m ? m[1] : '';
}

const COMPARISONS: Record<string, string> = {
	GreaterThanOrEqualToThreshold: '>=',
	GreaterThanThreshold: '>',
	LessThanThreshold: '<',
	LessThanOrEqualToThreshold: '<=',
	LessThanLowerOrGreaterThanUpperThreshold: 'outside the band',
	LessThanLowerThreshold: 'below the band',
	GreaterThanUpperThreshold: 'above the band',
};

/** The alarm of an item: the SNS message's, or the alarm itself. */
function alarmOf(payload: Record<string, unknown>): {
	alarm: Record<string, unknown>;
	sns?: Record<string, unknown>;
} {
	if (isCloudWatchAlarm(payload)) return { alarm: payload };
	if (isSnsMessage(payload) && payload.Type !== 'Notification') {
		const confirm = payload.Type === 'SubscriptionConfirmation';
		throw new NoAlertsMessage(
			confirm
				? `An Amazon SNS subscription confirmation, no alarm: open its SubscribeURL once (from this item, or with an HTTP Request node on this output) to confirm the subscription to topic ${text(payload.TopicArn)}.`
				: `An Amazon SNS unsubscribe confirmation of topic ${text(payload.TopicArn)}, no alarm.`,
			{
				snsMessageType: text(payload.Type),
				topicArn: text(payload.TopicArn),
				...(confirm ? { subscribeUrl: text(payload.SubscribeURL) } : {}),
			},
		);
	}
	const alarm = jsonObjectIn(payload.Message);
	if (isSnsAlarm(payload) && alarm) return { alarm, sns: payload };
	throw new SourceFormatError(
		`The item is not ${cloudwatch.what}: expected ${cloudwatch.expects}.`,
	);
}

function extract(payload: Record<string, unknown>): NormalisedAlert[] {
	const { alarm, sns } = alarmOf(payload);
	const trigger = isPlainObject(alarm.Trigger) ? alarm.Trigger : {};
	const metrics = watched(trigger);
	const state = text(alarm.NewStateValue).toUpperCase();
	const reason = text(alarm.NewStateReason);
	const labels: Record<string, string> = {};
	for (const m of metrics) for (const d of m.dimensions) setOwn(labels, d.name, d.value);
	const region = text(alarm.Region);
	const metricName = metrics.map((m) => m.name).find(Boolean) ?? '';
	const namespace = metrics.map((m) => m.namespace).find(Boolean) ?? '';
	for (const [key, value] of [
		['AlarmName', text(alarm.AlarmName)],
		['AWSAccountId', text(alarm.AWSAccountId)],
		['Region', region],
		['Namespace', namespace],
		['MetricName', metricName],
		['NewStateValue', state],
		['OldStateValue', text(alarm.OldStateValue)],
	])
		if (value && !Object.hasOwn(labels, key)) setOwn(labels, key, value);
	const values: AlertMetric[] = [];
	const value = reasonValue(reason);
	if (value)
		values.push({
			names: [metricName, text(alarm.AlarmName)].filter(Boolean),
			value,
			key: 'value',
		});
	const threshold = firstOf(trigger, 'Threshold');
	if (threshold) {
		const written = text(trigger.ComparisonOperator);
		const op = Object.hasOwn(COMPARISONS, written) ? COMPARISONS[written] : written;
		values.push({ names: [], value: op ? `${op} ${threshold}` : threshold, key: 'threshold' });
	}
	// Each machine the alarm watches (a metric-math alarm may watch several); else what it is about.
	const hosts = [
		...new Set(
			metrics.flatMap((m) => {
				const d = HOST_DIMENSIONS.map((n) => m.dimensions.find((x) => x.name === n)).find(
					(x) => x?.value,
				);
				return d ? [hostName(d.value)] : [];
			}),
		),
	];
	// What a dimension names (a bucket, a group, a cluster) before how it is split (StorageType).
	const all = metrics.flatMap((m) => m.dimensions);
	const firstDimension = all.find((d) => /(Name|Id)$/.test(d.name)) ?? all[0];
	const alarmArn = text(alarm.AlarmArn);
	// "Region" is the region's name ("Asia Pacific (Seoul)"); the console wants its code, from the ARN.
	const regionCode = /^arn:aws[\w-]*:cloudwatch:([a-z0-9-]+):/.exec(alarmArn)?.[1] ?? '';
	const link =
		regionCode && alarm.AlarmName
			? `https://console.aws.amazon.com/cloudwatch/home?region=${regionCode}#alarmsV2:alarm/${encodeURIComponent(text(alarm.AlarmName))}`
			: '';
	const base = {
		source: 'cloudwatch',
		name: text(alarm.AlarmName),
		status: state === 'OK' ? ('resolved' as const) : ('firing' as const),
		...(state === 'INSUFFICIENT_DATA'
			? {
					ignored: `The alarm went to INSUFFICIENT_DATA (${reason || 'no reason given'}): no data is no problem on a device.`,
				}
			: state !== 'ALARM' && state !== 'OK'
				? { ignored: `The alarm's new state "${state}" is neither ALARM nor OK.` }
				: {}),
		labels,
		annotations: { description: text(alarm.AlarmDescription), reason },
		metrics: values,
		context: {
			summary: reason,
			description: text(alarm.AlarmDescription),
			severity: '',
			// AWS writes the zone without its colon (`…08:41:06.622+0000`): ISO 8601 has one.
			startedAt: (text(alarm.StateChangeTime) || text(sns?.Timestamp)).replace(
				/([+-]\d\d)(\d\d)$/,
				'$1:$2',
			),
			links: { source: link },
		},
	};
	if (hosts.length === 0) {
		const resource = firstDimension
			? {
					name: firstDimension.value,
					kind: `${namespace ? `${/^[AEIOU]/i.test(namespace) ? 'an' : 'a'} ${namespace} ` : 'a '}resource (dimension ${firstDimension.name})`,
				}
			: { name: text(alarm.AlarmName), kind: 'an alarm on no dimension' };
		return [
			{ ...base, host: '', resource, fingerprint: `${alarmArn || base.name}|${resource.name}` },
		];
	}
	return hosts.map((host) => ({ ...base, host, fingerprint: `${alarmArn || base.name}|${host}` }));
}

export const cloudwatch = {
	name: 'cloudwatch',
	label: 'AWS CloudWatch (SNS)',
	description:
		'CloudWatch alarm state change through an Amazon SNS HTTP/S subscription, or the alarm message itself',
	what: 'an AWS CloudWatch alarm through Amazon SNS',
	expects:
		'an SNS message ("Type", "TopicArn", "MessageId") whose "Message" is the alarm as JSON text, or the alarm itself ("AlarmName", "NewStateValue", "Trigger")',
	looksLike: (p) =>
		isCloudWatchAlarm(p) || isSnsAlarm(p) || (isSnsMessage(p) && p.Type !== 'Notification'),
	extract,
} as const satisfies MonitoringSource;
