/**
 * The alert group both Prometheus Alertmanager (webhook version "4") and Grafana unified alerting
 * send: `alerts[]`, each with its own status, labels, annotations, fingerprint and links. The
 * group's status says "firing" while any alert fires, so each alert's own status decides.
 */
import { isPlainObject, text, textMap } from '../../../contract/values';
import {
	SourceFormatError,
	hostName,
	type AlertMetric,
	type NormalisedAlert,
	type UnreadableAlert,
} from './types';

/** Labels that name the monitored machine, in order of preference (`instance` by convention). */
export const HOST_LABELS = ['instance', 'host', 'hostname', 'nodename', 'node'];

/** Alertmanager's webhook: `version` "4" (Grafana sends "1") with a `groupKey` and `alerts[]`. */
export function isAlertmanagerGroup(payload: Record<string, unknown>): boolean {
	return (
		Array.isArray(payload.alerts) && payload.version === '4' && typeof payload.groupKey === 'string'
	);
}

/** Fields of an alert that only Grafana sends (Alertmanager's alerts have none of them). */
const GRAFANA_ALERT_FIELDS = [
	'silenceURL',
	'dashboardURL',
	'panelURL',
	'imageURL',
	'values',
	'valueString',
];

/**
 * Grafana's webhook: the Alertmanager group shape with Grafana's own `orgId` or `version` "1", or
 * alerts carrying Grafana's fields; never `version` "4" (a Grafana routed through an Alertmanager
 * arrives as that Alertmanager's webhook).
 */
export function isGrafanaGroup(payload: Record<string, unknown>): boolean {
	const alerts = payload.alerts;
	if (!Array.isArray(alerts) || payload.version === '4') return false;
	return (
		'orgId' in payload ||
		payload.version === '1' ||
		alerts.some((a) => isPlainObject(a) && GRAFANA_ALERT_FIELDS.some((f) => f in a))
	);
}

export interface AlertGroupExtras {
	/** Values the alert carries (Grafana's queries). */
	metrics(
		alert: Record<string, unknown>,
		name: string,
		annotations: Record<string, string>,
	): AlertMetric[];
	/** A host when no host label has one (Grafana: the series labels of its values). */
	host(alert: Record<string, unknown>): string;
	/** Links beyond the rule's own (Grafana: dashboard, panel, image). */
	links(alert: Record<string, unknown>): Record<string, string>;
}

const NONE: AlertGroupExtras = { metrics: () => [], host: () => '', links: () => ({}) };

export function fromAlertGroup(
	payload: Record<string, unknown>,
	source: string,
	what: string,
	extras: AlertGroupExtras = NONE,
): Array<NormalisedAlert | UnreadableAlert> {
	const alerts = payload.alerts;
	if (!Array.isArray(alerts)) {
		throw new SourceFormatError(
			`The item is not ${what}: it has no "alerts" array (looked in the item and in its "body").`,
		);
	}
	const common = textMap(payload.commonLabels);
	const commonAnnotations = textMap(payload.commonAnnotations);
	return alerts.map((alert, i) => {
		if (!isPlainObject(alert))
			return {
				unreadable: `alerts[${i}] of ${what} is not an object: the other alerts are sent, this one cannot be.`,
				entry: i,
			};
		const labels = { ...common, ...textMap(alert.labels) };
		const annotations = { ...commonAnnotations, ...textMap(alert.annotations) };
		const hostLabel = HOST_LABELS.find((l) => labels[l]);
		const name = labels.alertname ?? labels.__alert_rule_title__ ?? text(payload.title);
		const links: Record<string, string> = {
			source: text(alert.generatorURL),
			runbook: annotations.runbook_url || annotations.runbook || '',
			...extras.links(alert),
		};
		return {
			source,
			name,
			status:
				text(alert.status ?? payload.status).toLowerCase() === 'resolved' ? 'resolved' : 'firing',
			host: hostLabel ? hostName(labels[hostLabel]) : extras.host(alert),
			labels,
			annotations,
			metrics: extras.metrics(alert, name, annotations),
			fingerprint: text(alert.fingerprint),
			entry: i,
			context: {
				summary: annotations.summary || annotations.title || '',
				description: annotations.description || annotations.message || annotations.info || '',
				severity: labels.severity ?? '',
				startedAt: text(alert.startsAt),
				links,
			},
		};
	});
}
