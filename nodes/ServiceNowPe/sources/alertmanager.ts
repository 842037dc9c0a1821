/** Prometheus Alertmanager webhook (version "4"): one issue per firing alert of the group. */
import { fromAlertGroup, isAlertmanagerGroup } from './alertGroup';
import type { MonitoringSource } from './types';

export const alertmanager = {
	name: 'alertmanager',
	label: 'Prometheus Alertmanager',
	description: 'Alertmanager webhook (version 4): one issue per firing alert',
	what: 'an Alertmanager webhook',
	expects:
		'"version": "4", "groupKey" and an "alerts" array, as Alertmanager\'s webhook_configs send them',
	looksLike: isAlertmanagerGroup,
	extract: (payload) => fromAlertGroup(payload, 'alertmanager', 'an Alertmanager webhook'),
} as const satisfies MonitoringSource;
