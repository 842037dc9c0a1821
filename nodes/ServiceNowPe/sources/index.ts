/**
 * The monitoring sources of Build From, listed once. The option list, the detection of a payload
 * inside an item and the extraction of its alerts all come from this list. Pure: no n8n, no network.
 */
import { isPlainObject } from '../../../contract/values';
import { alertmanager } from './alertmanager';
import { azureMonitor } from './azureMonitor';
import { cloudwatch } from './cloudwatch';
import { datadog } from './datadog';
import { dynatrace } from './dynatrace';
import { grafana } from './grafana';
import { newrelic } from './newrelic';
import { zabbix } from './zabbix';
import {
	SourceFormatError,
	jsonObjectIn,
	type ExtractOptions,
	type MonitoringSource,
	type NormalisedAlert,
	type UnreadableAlert,
} from './types';

export const SOURCES = [
	alertmanager,
	grafana,
	azureMonitor,
	datadog,
	cloudwatch,
	newrelic,
	dynatrace,
	zabbix,
] as const;

export type SourceName = (typeof SOURCES)[number]['name'];

export const SOURCE_NAMES: SourceName[] = SOURCES.map((s) => s.name);

export function sourceNamed(name: string): MonitoringSource | undefined {
	return SOURCES.find((s) => s.name === name);
}

/** What a payload that the chosen preset does not read is, in words: the preset it is for, if any. */
function otherKind(source: MonitoringSource, candidates: Array<Record<string, unknown>>): string {
	const preset = SOURCES.find((s) => s !== source && candidates.some((c) => s.looksLike(c)));
	if (!preset) return '';
	const article = /^[AEIOU]/i.test(preset.label) ? 'an' : 'a';
	return ` It is ${article} ${preset.label} payload: choose Build From "${preset.label}".`;
}

/**
 * The alerts in an item: the payload itself, or in `body` when the item comes from n8n's Webhook
 * node (which puts the request body there, as text when it was sent as text). Only the chosen source's own payload is read: any
 * other ends on Other (UNRECOGNISED_PAYLOAD), saying what was expected and what the item is.
 */
export function extractAlerts(
	source: MonitoringSource,
	item: unknown,
	options: ExtractOptions = {},
): Array<NormalisedAlert | UnreadableAlert> {
	if (!isPlainObject(item)) throw new SourceFormatError('The item is not a JSON object.');
	// n8n's Webhook node keeps a body sent as text (Amazon SNS posts text/plain) as a string.
	const body = isPlainObject(item.body) ? item.body : jsonObjectIn(item.body);
	const payload = source.looksLike(item) ? item : body && source.looksLike(body) ? body : undefined;
	if (!payload) {
		throw new SourceFormatError(
			`The item is not ${source.what}: expected ${source.expects} (looked in the item and in its "body").${otherKind(source, body ? [item, body] : [item])}`,
		);
	}
	return source.extract(payload, options);
}
