/** Grafana unified alerting webhook: the Alertmanager group shape plus `values` per query. */
import { fromAlertGroup, looksLikeAlertGroup } from './alertGroup';
import type { MonitoringSource } from './types';

export const grafana = {
	name: 'grafana',
	label: 'Grafana Alerting',
	description: 'Grafana unified alerting webhook: one issue per firing alert',
	looksLike: looksLikeAlertGroup,
	extract: (payload) => fromAlertGroup(payload, 'grafana', 'a Grafana alerting webhook'),
} as const satisfies MonitoringSource;
