/**
 * Prometheus Alertmanager webhook (version "4") and Grafana unified alerting webhook: both send
 * a group with `alerts[]`, each with status, labels, annotations and a fingerprint.
 */
import { SourceFormatError, str, stringMap, stripPort, type NormalisedAlert, type SourceName } from './types';

const HOST_LABELS = ['instance', 'host', 'hostname', 'nodename', 'node', 'device'];

export function fromAlertGroup(payload: Record<string, unknown>, source: SourceName): NormalisedAlert[] {
	const alerts = payload.alerts;
	const what = source === 'grafana' ? 'a Grafana alerting webhook' : 'an Alertmanager webhook';
	if (!Array.isArray(alerts)) {
		throw new SourceFormatError(`The item is not ${what}: it has no "alerts" array (looked in the item and in its "body").`);
	}
	const common = stringMap(payload.commonLabels);
	const commonAnnotations = stringMap(payload.commonAnnotations);
	return alerts.map((alert, i) => {
		if (typeof alert !== 'object' || alert === null) {
			throw new SourceFormatError(`alerts[${i}] of ${what} is not an object.`);
		}
		const a = alert as Record<string, unknown>;
		const labels = { ...common, ...stringMap(a.labels) };
		const annotations = { ...commonAnnotations, ...stringMap(a.annotations) };
		const metrics = stringMap(a.values); // Grafana: {"B": 78.5, "C": 1}
		const hostLabel = HOST_LABELS.find((l) => labels[l]);
		const status = str(a.status ?? payload.status).toLowerCase() === 'resolved' ? 'resolved' : 'firing';
		return {
			source,
			name: labels.alertname ?? labels.__alert_rule_title__ ?? str(payload.title),
			status,
			host: hostLabel ? stripPort(labels[hostLabel]) : '',
			labels,
			annotations,
			metrics,
			fingerprint: str(a.fingerprint),
		};
	});
}
