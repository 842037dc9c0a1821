/**
 * The monitoring sources of Build From, listed once. The option list, the detection of a payload
 * inside an item and the extraction of its alerts all come from this list. Pure: no n8n, no network.
 */
import { isPlainObject } from '../../../contract/values';
import { alertmanager } from './alertmanager';
import { azureMonitor } from './azureMonitor';
import { datadog } from './datadog';
import { grafana } from './grafana';
import {
	SourceFormatError,
	type ExtractOptions,
	type MonitoringSource,
	type NormalisedAlert,
	type UnreadableAlert,
} from './types';

export const SOURCES = [alertmanager, grafana, azureMonitor, datadog] as const;

export type SourceName = (typeof SOURCES)[number]['name'];

export const SOURCE_NAMES: SourceName[] = SOURCES.map((s) => s.name);

export function sourceNamed(name: string): MonitoringSource | undefined {
	return SOURCES.find((s) => s.name === name);
}

/** A JSON object written as text, or undefined. */
function jsonObjectIn(value: unknown): Record<string, unknown> | undefined {
	if (typeof value !== 'string' || !value.trimStart().startsWith('{')) return undefined;
	try {
		const parsed: unknown = JSON.parse(value);
		return isPlainObject(parsed) ? parsed : undefined;
	} catch {
		return undefined;
	}
}

/** A CloudWatch alarm's state change, as its SNS message carries it. */
const isCloudWatchAlarm = (m: Record<string, unknown> | undefined) =>
	!!m && typeof m.AlarmName === 'string' && typeof m.NewStateValue === 'string';

/** An Amazon SNS HTTP/S notification whose `Message` (a JSON string) is a CloudWatch alarm. */
const isSnsAlarm = (p: Record<string, unknown> | undefined) =>
	!!p &&
	p.Type === 'Notification' &&
	typeof p.TopicArn === 'string' &&
	isCloudWatchAlarm(jsonObjectIn(p.Message));

/** A Dynatrace problem notification: its placeholders' fields ({State}, {ProblemID} or {PID}, and one more). */
const isDynatraceProblem = (p: Record<string, unknown>) =>
	typeof p.State === 'string' &&
	(typeof p.ProblemID === 'string' || typeof p.PID === 'string') &&
	[
		'ProblemTitle',
		'ImpactedEntities',
		'ImpactedEntity',
		'ProblemDetailsJSON',
		'ProblemDetails',
		'ProblemURL',
		'Problem URL',
	].some((k) => k in p);

/** Zabbix's event page link, and the last line but one of its default message templates. */
const ZABBIX_TEXT = [/\/tr_events\.php\?triggerid=\d+&eventid=\d+/, /\nOriginal problem ID: \d+\n/];

/**
 * Vendors no preset reads, told apart by fields only they send, so that the refusal can say what
 * the item is (the label with its article).
 * - New Relic: a workflow's default payload (`issueUrl`, `alertConditionNames`…) or a legacy
 *   notification channel's (`incident_id`, `current_state`, `condition_name`…).
 * - AWS CloudWatch: the SNS HTTP/S notification whose `Message` string is the alarm, also as the
 *   text n8n's Webhook node leaves in `body` (SNS posts `Content-Type: text/plain`), or the alarm
 *   itself (`AlarmName`, `NewStateValue`). An SNS subscription confirmation is no alarm.
 * - Dynatrace: a custom integration's payload with the default placeholders, also inside `data`
 *   (a CloudEvent, as Keptn's payload wraps it).
 * - Zabbix: a webhook media type's parameters as an admin names them (Zabbix's own `event_id` and
 *   `trigger_id`, or the macro names `EVENT.ID` and `TRIGGER.ID`), or any value holding Zabbix's
 *   event link or its default message.
 */
const OTHER_VENDORS: Array<{
	label: string;
	looksLike: (payload: Record<string, unknown>) => boolean;
}> = [
	{
		label: 'a New Relic notification',
		looksLike: (p) =>
			(typeof p.issueUrl === 'string' &&
				('alertConditionNames' in p || 'alertPolicyNames' in p || 'workflowName' in p)) ||
			('incident_id' in p && 'current_state' in p && ('condition_name' in p || 'policy_name' in p)),
	},
	{
		label: 'an AWS CloudWatch alarm (through SNS)',
		looksLike: (p) => isCloudWatchAlarm(p) || isSnsAlarm(p) || isSnsAlarm(jsonObjectIn(p.body)),
	},
	{
		label: 'a Dynatrace problem notification',
		looksLike: (p) =>
			isDynatraceProblem(p) || (isPlainObject(p.data) && isDynatraceProblem(p.data)),
	},
	{
		label: 'a Zabbix notification',
		looksLike: (p) =>
			('event_id' in p && 'trigger_id' in p) ||
			('EVENT.ID' in p && 'TRIGGER.ID' in p) ||
			Object.values(p).some((v) => typeof v === 'string' && ZABBIX_TEXT.some((re) => re.test(v))),
	},
];

/** What a payload that the chosen preset does not read is, in words: the preset it is for, if any. */
function otherKind(source: MonitoringSource, candidates: Array<Record<string, unknown>>): string {
	const preset = SOURCES.find((s) => s !== source && candidates.some((c) => s.looksLike(c)));
	if (preset) return ` It is a ${preset.label} payload: choose Build From "${preset.label}".`;
	const vendor = OTHER_VENDORS.find((v) => candidates.some((c) => v.looksLike(c)));
	if (vendor)
		return ` It looks like ${vendor.label}, which no Build From preset reads: map its fields with Build From "Manual Fields".`;
	return '';
}

/**
 * The alerts in an item: the payload itself, or in `body` when the item comes from n8n's Webhook
 * node (which puts the request body there). Only the chosen source's own payload is read: any
 * other ends on Other (UNRECOGNISED_PAYLOAD), saying what was expected and what the item is.
 */
export function extractAlerts(
	source: MonitoringSource,
	item: unknown,
	options: ExtractOptions = {},
): Array<NormalisedAlert | UnreadableAlert> {
	if (!isPlainObject(item)) throw new SourceFormatError('The item is not a JSON object.');
	const body = isPlainObject(item.body) ? item.body : undefined;
	const payload = source.looksLike(item) ? item : body && source.looksLike(body) ? body : undefined;
	if (!payload) {
		throw new SourceFormatError(
			`The item is not ${source.what}: expected ${source.expects} (looked in the item and in its "body").${otherKind(source, body ? [item, body] : [item])}`,
		);
	}
	return source.extract(payload, options);
}
