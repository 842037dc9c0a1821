/** Prometheus Alertmanager webhook (version "4"): one issue per firing alert of the group. */
import { fromAlertGroup, looksLikeAlertGroup } from './alertGroup';
import type { MonitoringSource } from './types';

export const alertmanager = {
	name: 'alertmanager',
	label: 'Prometheus Alertmanager',
	description: 'Alertmanager webhook (version 4): one issue per firing alert',
	looksLike: looksLikeAlertGroup,
	extract: (payload) => fromAlertGroup(payload, 'alertmanager', 'an Alertmanager webhook'),
} as const satisfies MonitoringSource;
