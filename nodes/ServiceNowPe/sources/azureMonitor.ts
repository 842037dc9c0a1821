/** Azure Monitor common alert schema (schemaId "azureMonitorCommonAlertSchema"). */
import { isPlainObject, setOwn, text, textMap } from '../../../contract/values';
import { SourceFormatError, type MonitoringSource, type NormalisedAlert } from './types';

function extract(payload: Record<string, unknown>): NormalisedAlert[] {
	const data = isPlainObject(payload.data) ? payload.data : undefined;
	const essentials = isPlainObject(data?.essentials) ? data.essentials : undefined;
	if (payload.schemaId !== 'azureMonitorCommonAlertSchema' || !essentials) {
		throw new SourceFormatError(
			'The item is not an Azure Monitor alert in the common alert schema: expected schemaId "azureMonitorCommonAlertSchema" and data.essentials (enable the common alert schema on the action group).',
		);
	}
	const context = isPlainObject(data?.alertContext) ? data.alertContext : {};
	const condition = isPlainObject(context.condition) ? context.condition : {};
	const criteria = Array.isArray(condition.allOf) ? condition.allOf.filter(isPlainObject) : [];
	const labels = textMap(data?.customProperties);
	const metrics: Record<string, string> = {};
	for (const c of criteria) {
		if (c.metricName !== undefined && c.metricValue !== undefined) setOwn(metrics, text(c.metricName), text(c.metricValue));
		for (const d of Array.isArray(c.dimensions) ? c.dimensions.filter(isPlainObject) : []) {
			if (d.name) setOwn(labels, text(d.name), text(d.value));
		}
	}
	const items = Array.isArray(essentials.configurationItems) ? essentials.configurationItems.map(text) : [];
	const targets = Array.isArray(essentials.alertTargetIDs) ? essentials.alertTargetIDs.map(text) : [];
	const host = items[0] || (targets[0] ?? '').split('/').pop() || '';
	labels.severity = text(essentials.severity);
	labels.signalType = text(essentials.signalType);
	return [
		{
			source: 'azureMonitor',
			name: text(essentials.alertRule),
			status: text(essentials.monitorCondition).toLowerCase() === 'resolved' ? 'resolved' : 'firing',
			host,
			labels,
			annotations: { description: text(essentials.description) },
			metrics,
			fingerprint: text(essentials.alertId),
		},
	];
}

export const azureMonitor = {
	name: 'azureMonitor',
	label: 'Azure Monitor',
	description: 'Azure Monitor alert in the common alert schema',
	looksLike: (payload) => 'schemaId' in payload,
	extract,
} as const satisfies MonitoringSource;
