/**
 * Azure Monitor common alert schema (schemaId "azureMonitorCommonAlertSchema"): metric alerts,
 * log search alerts (V1: SearchQuery, ResultCount and links in the alert context; V2: a criterion
 * without `metricName`), activity log, health and cost budget alerts.
 */
import { isPlainObject, setOwn, text, textMap } from '../../../contract/values';
import {
	SourceFormatError,
	resourceName,
	type AlertMetric,
	type AlertResource,
	type MonitoringSource,
	type NormalisedAlert,
} from './types';

/** Dimensions that name the resource, in the order Azure itself takes them for configurationItems. */
const RESOURCE_DIMENSIONS = ['_ResourceId', 'ResourceId', 'Resource', 'Computer'];

/**
 * The type of an Azure Resource Manager ID, lower case, e.g. "microsoft.compute/virtualmachines"
 * (nested: "microsoft.compute/virtualmachinescalesets/virtualmachines"); "" when it is none.
 */
export function resourceType(id: string): string {
	const parts = id.split('/').filter(Boolean);
	const at = parts.map((p) => p.toLowerCase()).lastIndexOf('providers');
	if (at < 0 || parts.length < at + 4) return '';
	const rest = parts.slice(at + 1);
	const types = [rest[0]];
	for (let i = 1; i < rest.length; i += 2) types.push(rest[i]);
	return types.join('/').toLowerCase();
}

/**
 * Resource types that are a machine someone works on: virtual machines (also of scale sets, lab,
 * VMware and SCVMM), Arc-enabled machines, Azure Local VM instances, virtual desktop session hosts.
 */
export function isComputerType(type: string): boolean {
	return /\/(virtualmachines|machines|virtualmachineinstances|sessionhosts)$/.test(type);
}

/** The host to look up, or the resource the alert is about when it is no computer. */
type Subject = { host: string; resource?: undefined } | { host: ''; resource: AlertResource };

function byType(name: string, type: string): Subject {
	return isComputerType(type)
		? { host: name }
		: { host: '', resource: { name, kind: `a ${type} resource` } };
}

/**
 * What the alert is about. A configuration item is typed by the alert target of that name; a
 * log search alert's item that is no target is a machine that sent the data (Azure: "the actual
 * resources sending the data"), unless a resource dimension names it; any other item (a budget's
 * "budgets") is no computer. Without items: the resource dimensions, then the first target.
 */
function subjectOf(
	essentials: Record<string, unknown>,
	dimensions: Record<string, string>,
	budget: string,
): Subject {
	const items = Array.isArray(essentials.configurationItems)
		? essentials.configurationItems.map(text).filter(Boolean)
		: [];
	// Targets that are resources (a service health alert's target is the subscription).
	const targets = (
		Array.isArray(essentials.alertTargetIDs) ? essentials.alertTargetIDs.map(text) : []
	)
		.filter((id) => resourceType(id))
		.map((id) => ({ name: resourceName(id), type: resourceType(id) }));
	const resourceIds = ['_ResourceId', 'ResourceId']
		.map((d) => dimensions[d])
		.filter((v) => v && resourceType(v));
	if (items[0]) {
		const name = items[0];
		const same = (other: string) => other.toLowerCase() === name.toLowerCase();
		const target = targets.find((t) => same(t.name));
		if (target) return byType(name, target.type);
		if (resourceType(name)) return byType(resourceName(name), resourceType(name));
		const fromId = resourceIds.find((id) => same(resourceName(id)));
		if (fromId) return byType(name, resourceType(fromId));
		if (dimensions.Resource && same(dimensions.Resource))
			return { host: '', resource: { name, kind: 'a resource the "Resource" dimension names' } };
		if (text(essentials.signalType).toLowerCase() === 'log') return { host: name };
		if (budget || text(essentials.monitoringService) === 'CostAlerts')
			return { host: '', resource: { name: budget || name, kind: 'a cost budget' } };
		return {
			host: '',
			resource: {
				name,
				kind: `a configuration item of a ${text(essentials.monitoringService) || 'monitoring service'} alert`,
			},
		};
	}
	for (const d of RESOURCE_DIMENSIONS) {
		const value = dimensions[d];
		if (!value) continue;
		if (d === 'Computer') return { host: value };
		if (d === 'Resource')
			return {
				host: '',
				resource: { name: value, kind: 'a resource the "Resource" dimension names' },
			};
		// A ResourceId that is no resource ID (metric alerts put a GUID there) names nothing.
		if (resourceType(value)) return byType(resourceName(value), resourceType(value));
	}
	if (targets[0]) return byType(targets[0].name, targets[0].type);
	return { host: '' };
}

function extract(payload: Record<string, unknown>): NormalisedAlert[] {
	const data = isPlainObject(payload.data) ? payload.data : undefined;
	const essentials = isPlainObject(data?.essentials) ? data.essentials : undefined;
	if (payload.schemaId !== 'azureMonitorCommonAlertSchema' || !essentials) {
		throw new SourceFormatError(
			`The item is not ${azureMonitor.what}: expected ${azureMonitor.expects}.`,
		);
	}
	const context = isPlainObject(data?.alertContext) ? data.alertContext : {};
	const condition = isPlainObject(context.condition) ? context.condition : {};
	const criteria = Array.isArray(condition.allOf) ? condition.allOf.filter(isPlainObject) : [];
	// The rule's custom properties: the action group's (customProperties) and the log rule's own.
	const labels = { ...textMap(data?.customProperties), ...textMap(context.properties) };
	const metrics: AlertMetric[] = [];
	const dimensions: Record<string, string> = {};
	const addDimensions = (list: unknown) => {
		for (const d of Array.isArray(list) ? list.filter(isPlainObject) : [])
			if (d.name) setOwn(dimensions, text(d.name), text(d.value));
	};
	for (const c of criteria) {
		if (c.metricValue !== undefined && c.metricValue !== null) {
			const names = [text(c.metricName), text(c.metricMeasureColumn)].filter(Boolean);
			metrics.push({ names, value: text(c.metricValue), key: names[0] || 'value' });
		}
		addDimensions(c.dimensions);
	}
	// Log search alerts V1: the query, its result count, links and dimensions in the alert context.
	addDimensions(context.Dimensions);
	if (context.ResultCount !== undefined && context.ResultCount !== null) {
		metrics.push({
			names: ['ResultCount', text(context.AlertType)].filter(Boolean),
			value: text(context.ResultCount),
			key: 'result_count',
		});
	}
	for (const [name, value] of Object.entries(dimensions)) setOwn(labels, name, value);
	// Cost budget alerts: no rule, severity or target; the budget in AlertData.
	const budgetData = isPlainObject(context.AlertData) ? context.AlertData : {};
	if (context.AlertCategory !== undefined)
		setOwn(labels, 'AlertCategory', text(context.AlertCategory));
	for (const [name, value] of Object.entries(budgetData))
		if (value === null || typeof value !== 'object') setOwn(labels, name, text(value));
	const budget = text(budgetData.BudgetName);
	const subject = subjectOf(essentials, dimensions, budget);
	labels.severity = text(essentials.severity);
	labels.signalType = text(essentials.signalType);
	labels.monitoringService = text(essentials.monitoringService);
	const firstCriterion = criteria[0] ?? {};
	const alertId = text(essentials.alertId);
	return [
		{
			source: 'azureMonitor',
			// A budget alert has no rule ("alertRule": null): its budget, else the alert's own ID names it.
			name:
				text(essentials.alertRule) ||
				budget ||
				resourceName(alertId) ||
				text(essentials.monitoringService) ||
				'Azure Monitor alert',
			status:
				text(essentials.monitorCondition).toLowerCase() === 'resolved' ? 'resolved' : 'firing',
			host: subject.host,
			...(subject.resource ? { resource: subject.resource } : {}),
			labels,
			annotations: { description: text(essentials.description) },
			metrics,
			fingerprint: alertId,
			context: {
				summary: '',
				description: text(essentials.description),
				severity: text(essentials.severity),
				startedAt: text(essentials.firedDateTime),
				links: {
					source:
						text(essentials.investigationLink) ||
						text(firstCriterion.linkToFilteredSearchResultsUI) ||
						text(firstCriterion.linkToSearchResultsUI) ||
						text(context.LinkToFilteredSearchResultsUI) ||
						text(context.LinkToSearchResults),
				},
				query: text(firstCriterion.searchQuery) || text(context.SearchQuery),
			},
		},
	];
}

export const azureMonitor = {
	name: 'azureMonitor',
	label: 'Azure Monitor',
	description: 'Azure Monitor alert in the common alert schema',
	what: 'an Azure Monitor alert in the common alert schema',
	expects:
		'"schemaId": "azureMonitorCommonAlertSchema" and data.essentials (enable the common alert schema on the action group)',
	looksLike: (payload) =>
		payload.schemaId === 'azureMonitorCommonAlertSchema' &&
		isPlainObject(payload.data) &&
		isPlainObject(payload.data.essentials),
	extract,
} as const satisfies MonitoringSource;
