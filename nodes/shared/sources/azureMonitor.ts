/** Azure Monitor common alert schema (schemaId "azureMonitorCommonAlertSchema"). */
import { SourceFormatError, str, stringMap, type NormalisedAlert } from './types';

export function fromAzureMonitor(payload: Record<string, unknown>): NormalisedAlert[] {
	const data = payload.data as Record<string, unknown> | undefined;
	const essentials = data?.essentials as Record<string, unknown> | undefined;
	if (payload.schemaId !== 'azureMonitorCommonAlertSchema' || !essentials) {
		throw new SourceFormatError(
			'The item is not an Azure Monitor alert in the common alert schema: expected schemaId "azureMonitorCommonAlertSchema" and data.essentials (enable the common alert schema on the action group).',
		);
	}
	const context = (data?.alertContext ?? {}) as Record<string, unknown>;
	const condition = (context.condition ?? {}) as Record<string, unknown>;
	const criteria = Array.isArray(condition.allOf) ? (condition.allOf as Array<Record<string, unknown>>) : [];
	const labels: Record<string, string> = { ...stringMap(data?.customProperties) };
	const metrics: Record<string, string> = {};
	for (const c of criteria) {
		if (c.metricName !== undefined && c.metricValue !== undefined) metrics[str(c.metricName)] = str(c.metricValue);
		for (const d of Array.isArray(c.dimensions) ? (c.dimensions as Array<Record<string, unknown>>) : []) {
			if (d.name) labels[str(d.name)] = str(d.value);
		}
	}
	const items = Array.isArray(essentials.configurationItems) ? essentials.configurationItems.map(str) : [];
	const targets = Array.isArray(essentials.alertTargetIDs) ? essentials.alertTargetIDs.map(str) : [];
	const host = items[0] || (targets[0] ?? '').split('/').pop() || '';
	labels.severity = str(essentials.severity);
	labels.signalType = str(essentials.signalType);
	return [
		{
			source: 'azureMonitor',
			name: str(essentials.alertRule),
			status: str(essentials.monitorCondition).toLowerCase() === 'resolved' ? 'resolved' : 'firing',
			host,
			labels,
			annotations: { description: str(essentials.description) },
			metrics,
			fingerprint: str(essentials.alertId),
		},
	];
}
