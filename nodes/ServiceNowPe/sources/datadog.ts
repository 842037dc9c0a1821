/**
 * Datadog webhook: the default payload (body, title, event_type, date, id, org…) plus the
 * variables builders usually add ($HOSTNAME as host_name or hostname, $TAGS as tags,
 * $ALERT_TRANSITION as alert_transition, $ALERT_METRIC, $ALERT_ID, $ALERT_TITLE).
 */
import { setOwn, text } from '../../../contract/values';
import { SourceFormatError, stripPort, type MonitoringSource, type NormalisedAlert } from './types';

/** "env:prod, user:abel.tuter, host:web-01" → {env: "prod", user: "abel.tuter", host: "web-01"} */
export function parseTags(tags: unknown): Record<string, string> {
	const list = Array.isArray(tags) ? tags.map(text) : text(tags).split(',');
	const out: Record<string, string> = {};
	for (const tag of list.map((t) => t.trim()).filter(Boolean)) {
		const at = tag.indexOf(':');
		setOwn(out, at < 0 ? tag : tag.slice(0, at), at < 0 ? 'true' : tag.slice(at + 1));
	}
	return out;
}

function extract(payload: Record<string, unknown>): NormalisedAlert[] {
	if (payload.title === undefined && payload.alert_title === undefined && payload.event_type === undefined) {
		throw new SourceFormatError('The item is not a Datadog webhook payload: expected at least "title" or "event_type" (the default payload has both).');
	}
	const labels = parseTags(payload.tags);
	const scope = parseTags(payload.alert_scope);
	for (const [k, v] of Object.entries(scope)) if (!(k in labels)) setOwn(labels, k, v);
	const transition = text(payload.alert_transition).toLowerCase();
	const host = text(payload.host_name ?? payload.hostname ?? payload.host) || labels.host || '';
	const metrics: Record<string, string> = {};
	if (payload.alert_metric !== undefined && payload.alert_value !== undefined) {
		setOwn(metrics, text(payload.alert_metric), text(payload.alert_value));
	}
	return [
		{
			source: 'datadog',
			name: text(payload.alert_title ?? payload.title),
			status: transition === 'recovered' || transition === 'resolved' ? 'resolved' : 'firing',
			host: stripPort(host),
			labels,
			annotations: { body: text(payload.body), event_type: text(payload.event_type), priority: text(payload.alert_priority ?? payload.priority) },
			metrics,
			fingerprint: text(payload.alert_id ?? payload.id),
		},
	];
}

export const datadog = {
	name: 'datadog',
	label: 'Datadog',
	description: 'Datadog webhook payload (default, plus $HOSTNAME and $TAGS)',
	looksLike: (payload) => 'title' in payload || 'event_type' in payload,
	extract,
} as const satisfies MonitoringSource;
