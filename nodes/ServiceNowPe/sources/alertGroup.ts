/**
 * The alert group both Prometheus Alertmanager (webhook version "4") and Grafana unified alerting
 * send: `alerts[]`, each with status, labels, annotations and a fingerprint.
 */
import { isPlainObject, text, textMap } from '../../../contract/values';
import { SourceFormatError, stripPort, type NormalisedAlert } from './types';

const HOST_LABELS = ['instance', 'host', 'hostname', 'nodename', 'node', 'device'];

export function looksLikeAlertGroup(payload: Record<string, unknown>): boolean {
	return 'alerts' in payload;
}

export function fromAlertGroup(payload: Record<string, unknown>, source: string, what: string): NormalisedAlert[] {
	const alerts = payload.alerts;
	if (!Array.isArray(alerts)) {
		throw new SourceFormatError(`The item is not ${what}: it has no "alerts" array (looked in the item and in its "body").`);
	}
	const common = textMap(payload.commonLabels);
	const commonAnnotations = textMap(payload.commonAnnotations);
	return alerts.map((alert, i) => {
		if (!isPlainObject(alert)) throw new SourceFormatError(`alerts[${i}] of ${what} is not an object.`);
		const labels = { ...common, ...textMap(alert.labels) };
		const annotations = { ...commonAnnotations, ...textMap(alert.annotations) };
		const metrics = textMap(alert.values); // Grafana: {"B": 78.5, "C": 1}
		const hostLabel = HOST_LABELS.find((l) => labels[l]);
		const status = text(alert.status ?? payload.status).toLowerCase() === 'resolved' ? 'resolved' : 'firing';
		return {
			source,
			name: labels.alertname ?? labels.__alert_rule_title__ ?? text(payload.title),
			status,
			host: hostLabel ? stripPort(labels[hostLabel]) : '',
			labels,
			annotations,
			metrics,
			fingerprint: text(alert.fingerprint),
		};
	});
}
