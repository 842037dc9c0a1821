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
 * Vendors no preset reads, told apart by fields only they send, so that the refusal can say what
 * the item is. New Relic: a workflow's default payload (`issueUrl`, `alertConditionNames`…) or a
 * legacy notification channel's (`incident_id`, `current_state`, `condition_name`…).
 */
const OTHER_VENDORS: Array<{ label: string; looksLike: (payload: Record<string, unknown>) => boolean }> = [
	{
		label: 'New Relic notification',
		looksLike: (p) =>
			(typeof p.issueUrl === 'string' && ('alertConditionNames' in p || 'alertPolicyNames' in p || 'workflowName' in p)) ||
			('incident_id' in p && 'current_state' in p && ('condition_name' in p || 'policy_name' in p)),
	},
];

/** What a payload that the chosen preset does not read is, in words: the preset it is for, if any. */
function otherKind(source: MonitoringSource, candidates: Array<Record<string, unknown>>): string {
	const preset = SOURCES.find((s) => s !== source && candidates.some((c) => s.looksLike(c)));
	if (preset) return ` It is a ${preset.label} payload: choose Build From "${preset.label}".`;
	const vendor = OTHER_VENDORS.find((v) => candidates.some((c) => v.looksLike(c)));
	if (vendor) return ` It looks like a ${vendor.label}, which no Build From preset reads: map its fields with Build From "Manual Fields".`;
	return '';
}

/**
 * The alerts in an item: the payload itself, or in `body` when the item comes from n8n's Webhook
 * node (which puts the request body there). Only the chosen source's own payload is read: any
 * other ends on Other (UNRECOGNISED_PAYLOAD), saying what was expected and what the item is.
 */
export function extractAlerts(source: MonitoringSource, item: unknown, options: ExtractOptions = {}): Array<NormalisedAlert | UnreadableAlert> {
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
