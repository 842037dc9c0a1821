/**
 * Azure Monitor common alert schema (schemaId "azureMonitorCommonAlertSchema"): metric alerts,
 * log search alerts (V2: a value without `metricName`), activity log and health alerts.
 */
import { isPlainObject, setOwn, text, textMap } from '../../../contract/values';
import { SourceFormatError, resourceName, type AlertMetric, type MonitoringSource, type NormalisedAlert } from './types';

/** Dimensions that name the resource, in the order Azure itself takes them for configurationItems. */
const RESOURCE_DIMENSIONS = ['_ResourceId', 'ResourceId', 'Resource', 'Computer'];

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
	// The rule's custom properties: the action group's (customProperties) and the log rule's own.
	const labels = { ...textMap(data?.customProperties), ...textMap(context.properties) };
	const metrics: AlertMetric[] = [];
	const dimensions: Record<string, string> = {};
	for (const c of criteria) {
		if (c.metricValue !== undefined && c.metricValue !== null) {
			const names = [text(c.metricName), text(c.metricMeasureColumn)].filter(Boolean);
			metrics.push({ names, value: text(c.metricValue), key: names[0] || 'value' });
		}
		for (const d of Array.isArray(c.dimensions) ? c.dimensions.filter(isPlainObject) : []) {
			if (d.name) setOwn(dimensions, text(d.name), text(d.value));
		}
	}
	for (const [name, value] of Object.entries(dimensions)) setOwn(labels, name, value);
	const items = Array.isArray(essentials.configurationItems) ? essentials.configurationItems.map(text).filter(Boolean) : [];
	// A target that is a resource (a service health alert's target is the subscription).
	const targets = Array.isArray(essentials.alertTargetIDs) ? essentials.alertTargetIDs.map(text).filter((id) => id.includes('/providers/')) : [];
	const dimension = RESOURCE_DIMENSIONS.map((d) => dimensions[d]).find(Boolean);
	const host = items[0] || (dimension ? resourceName(dimension) : '') || (targets[0] ? resourceName(targets[0]) : '');
	labels.severity = text(essentials.severity);
	labels.signalType = text(essentials.signalType);
	const firstCriterion = criteria[0] ?? {};
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
			context: {
				summary: '',
				description: text(essentials.description),
				severity: text(essentials.severity),
				startedAt: text(essentials.firedDateTime),
				links: {
					source: text(essentials.investigationLink) || text(firstCriterion.linkToFilteredSearchResultsUI) || text(firstCriterion.linkToSearchResultsUI),
				},
			},
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
