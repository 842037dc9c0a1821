/**
 * Grafana unified alerting webhook: the Alertmanager group shape plus, per alert, the value of
 * each query of the rule (`values`, ref ID → number; Grafana 9 and older only `valueString`) and
 * links to the dashboard and panel.
 */
import { isPlainObject, setOwn, text } from '../../../contract/values';
import { fromAlertGroup, isGrafanaGroup } from './alertGroup';
import { hostName, type MonitoringSource } from './types';

interface QueryValue {
	refId: string;
	value: number;
	labels: Record<string, string>;
}

/**
 * `[ var='B' labels={instance=web-01:9100, job=node} value=44.2 ], [ var='C' … ]`; Grafana 8 wrote
 * `[ metric='' labels={} value=14151.3 ]` without the ref ID.
 */
function parseValueString(valueString: string): QueryValue[] {
	const out: QueryValue[] = [];
	for (const m of valueString.matchAll(
		/\[ (?:var='([^']*)' )?(?:metric='[^']*' )?labels=\{([^}]*)\} value=([^\s\]]+) \]/g,
	)) {
		const labels: Record<string, string> = {};
		for (const pair of m[2].split(', ')) {
			const at = pair.indexOf('=');
			if (at > 0) setOwn(labels, pair.slice(0, at), pair.slice(at + 1));
		}
		out.push({ refId: m[1] ?? '', value: Number(m[3]), labels });
	}
	return out;
}

function queryValues(alert: Record<string, unknown>): QueryValue[] {
	const fromString =
		typeof alert.valueString === 'string' ? parseValueString(alert.valueString) : [];
	if (!isPlainObject(alert.values)) return fromString;
	return Object.entries(alert.values).map(([refId, value]) => ({
		refId,
		// null, '' and other non-numbers are no value (Number(null) would be 0).
		value:
			typeof value === 'number'
				? value
				: typeof value === 'string' && value.trim() !== ''
					? Number(value)
					: Number.NaN,
		labels: fromString.find((q) => q.refId === refId)?.labels ?? {},
	}));
}

/**
 * The query whose value is the alert's: the one named, else the only one, else among those that are
 * not a threshold's 0 or 1 the reduce step "B" (Grafana's default layout A query → B reduce →
 * C threshold), else the first of them; when all are 0 or 1, the same among all but the last (the
 * condition). A value that is no number (null) is no value.
 */
export function pickValue(all: QueryValue[], refId = ''): QueryValue | undefined {
	const values = all.filter((q) => Number.isFinite(q.value));
	if (refId) return values.find((q) => q.refId === refId);
	if (all.length === 1) return values[0];
	const measured = values.filter((q) => q.value !== 0 && q.value !== 1);
	const condition = all[all.length - 1];
	const candidates = measured.length > 0 ? measured : values.filter((q) => q !== condition);
	return candidates.find((q) => q.refId === 'B') ?? candidates[0];
}

export const grafana = {
	name: 'grafana',
	label: 'Grafana Alerting',
	description: 'Grafana unified alerting webhook: one issue per firing alert',
	what: 'a Grafana alerting webhook',
	expects:
		'an "alerts" array with Grafana\'s "orgId" or "version": "1", as a Grafana contact point of type Webhook sends it',
	looksLike: isGrafanaGroup,
	extract: (payload, options) =>
		fromAlertGroup(payload, 'grafana', 'a Grafana alerting webhook', {
			metrics: (alert, name, annotations) => {
				const picked = pickValue(queryValues(alert), options.valueRefId);
				if (!picked) return [];
				return [
					{
						names: [name, annotations.summary ?? ''].filter(Boolean),
						value: String(picked.value),
						key: 'value',
					},
				];
			},
			host: (alert) => {
				const instance = queryValues(alert).find((q) => q.labels.instance)?.labels.instance;
				return instance ? hostName(instance) : '';
			},
			links: (alert) => ({
				dashboard: text(alert.dashboardURL),
				panel: text(alert.panelURL),
				image: text(alert.imageURL),
			}),
		}),
} as const satisfies MonitoringSource;
