/**
 * The monitoring sources of Build From, listed once. The option list, the detection of a payload
 * inside an item and the extraction of its alerts all come from this list. Pure: no n8n, no network.
 */
import { isPlainObject } from '../../../contract/values';
import { alertmanager } from './alertmanager';
import { azureMonitor } from './azureMonitor';
import { datadog } from './datadog';
import { grafana } from './grafana';
import { SourceFormatError, type ExtractOptions, type MonitoringSource, type NormalisedAlert, type UnreadableAlert } from './types';

export const SOURCES = [alertmanager, grafana, azureMonitor, datadog] as const;

export type SourceName = (typeof SOURCES)[number]['name'];

export const SOURCE_NAMES: SourceName[] = SOURCES.map((s) => s.name);

export function sourceNamed(name: string): MonitoringSource | undefined {
	return SOURCES.find((s) => s.name === name);
}

/**
 * The alerts in an item: the payload itself, or in `body` when the item comes from n8n's Webhook
 * node (which puts the request body there).
 */
export function extractAlerts(source: MonitoringSource, item: unknown, options: ExtractOptions = {}): Array<NormalisedAlert | UnreadableAlert> {
	if (!isPlainObject(item)) throw new SourceFormatError('The item is not a JSON object.');
	const payload = !source.looksLike(item) && isPlainObject(item.body) && source.looksLike(item.body) ? item.body : item;
	return source.extract(payload, options);
}
