/**
 * New Relic: a workflow's webhook with the default payload template (`id`, `issueUrl`, `title`,
 * `priority`, `impactedEntities`, `state`, `trigger`, `createdAt`, `alertPolicyNames`,
 * `alertConditionNames`, `workflowName`…), and the legacy notification channel's webhook
 * (`incident_id`, `current_state`, `condition_name`, `policy_name`, `targets[]`…). One alert per
 * impacted entity (workflow) or target (legacy channel): each may be a different host.
 */
import { isPlainObject, text, textMap } from '../../../contract/values';
import {
	SourceFormatError,
	firstOf,
	hostName,
	isoFromEpochMs,
	type AlertMetric,
	type MonitoringSource,
	type NormalisedAlert,
} from './types';

/** A workflow's default payload: its issue link and the names it accumulates. */
const isWorkflowPayload = (p: Record<string, unknown>) =>
	typeof p.issueUrl === 'string' &&
	('alertConditionNames' in p || 'alertPolicyNames' in p || 'workflowName' in p);

/** A legacy notification channel's payload. */
const isChannelPayload = (p: Record<string, unknown>) =>
	'incident_id' in p && 'current_state' in p && ('condition_name' in p || 'policy_name' in p);

const list = (value: unknown): string[] =>
	(Array.isArray(value) ? value : value === undefined || value === null ? [] : [value])
		.map(text)
		.filter(Boolean);

/** "… query result is > 1.0 for 1 minutes on 'Low Storage'" → "> 1.0". */
export function titleThreshold(title: string): string {
	const m = /\bis (>=|<=|>|<|=|!=|above|below|equal to) (-?[\d.]+)\b/i.exec(title);
	return m ? `${m[1]} ${m[2]}` : '';
}

/**
 * Workflow issue states are CREATED, ACTIVATED and CLOSED: CREATED and ACTIVATED fire, CLOSED
 * resolves. An acknowledgement comes as ACTIVATED with `trigger` USER_ACTION (also ACKNOWLEDGED in
 * custom templates): no news, the activation was the notification to act on.
 */
function workflowState(
	state: string,
	trigger: string,
): Pick<NormalisedAlert, 'status' | 'ignored'> {
	const s = state.toUpperCase();
	if (s === 'CLOSED') return { status: 'resolved' };
	if (s === 'ACKNOWLEDGED' || trigger.toUpperCase() === 'USER_ACTION')
		return {
			status: 'firing',
			ignored:
				'A user acted on the issue in New Relic (an acknowledgement): its activation was the notification to act on.',
		};
	return { status: 'firing' };
}

function fromWorkflow(p: Record<string, unknown>): NormalisedAlert[] {
	const title = text(p.title);
	const conditions = list(p.alertConditionNames);
	const policies = list(p.alertPolicyNames);
	const labels: Record<string, string> = {
		...textMap(p.labels),
		...textMap(p.tags),
		priority: text(p.priority),
		state: text(p.state),
		trigger: text(p.trigger),
		policy_name: policies.join(', '),
		condition_name: conditions.join(', '),
		workflow_name: text(p.workflowName),
	};
	const metrics: AlertMetric[] = [];
	const threshold = titleThreshold(title);
	if (threshold) metrics.push({ names: [], value: threshold, key: 'threshold' });
	// Each entity with its place in the list, for the output to show only its own.
	const entities = (Array.isArray(p.impactedEntities) ? p.impactedEntities : [p.impactedEntities])
		.map((e, entry) => ({ name: e === undefined || e === null ? '' : text(e), entry }))
		.filter((e) => e.name);
	const listed = Array.isArray(p.impactedEntities);
	const base = {
		source: 'newrelic',
		name: conditions[0] || title,
		...workflowState(text(p.state), text(p.trigger)),
		labels,
		annotations: { title },
		metrics,
		context: {
			summary: title,
			description: text(p.description),
			severity: text(p.priority),
			startedAt: isoFromEpochMs(firstOf(p, 'activatedAt', 'createdAt')),
			links: { source: text(p.issueUrl) },
		},
	};
	const id = text(p.id);
	if (entities.length === 0)
		return [
			{
				...base,
				host: '',
				resource: { name: base.name, kind: 'a New Relic issue that names no entity' },
				fingerprint: id,
			},
		];
	return entities.map(({ name, entry }) => ({
		...base,
		host: hostName(name),
		fingerprint: `${id}|${name}`,
		...(listed ? { entry, entryIn: 'impactedEntities' } : {}),
	}));
}

/** Legacy channel states: open fires, closed resolves, acknowledged is no news. */
function channelState(state: string): Pick<NormalisedAlert, 'status' | 'ignored'> {
	const s = state.toLowerCase();
	if (s === 'closed') return { status: 'resolved' };
	if (s === 'acknowledged')
		return {
			status: 'firing',
			ignored:
				'The incident was acknowledged in New Relic: its opening was the notification to act on.',
		};
	return { status: 'firing' };
}

/** Target types that are machines (an infrastructure host, a server), as a word (between letters and digits: INFRA_HOST too); the rest (an application, a monitor, a serverless function…) are resources. */
const MACHINE_TYPES = /(?<![a-z0-9])(?:host|server|computer|infrastructure)(?![a-z0-9])/i;

function fromChannel(p: Record<string, unknown>): NormalisedAlert[] {
	const targets = (Array.isArray(p.targets) ? p.targets : [])
		.map((t: unknown, entry) => ({ t, entry }))
		.filter((x): x is { t: Record<string, unknown>; entry: number } => isPlainObject(x.t));
	const labels: Record<string, string> = {
		severity: text(p.severity),
		current_state: text(p.current_state),
		policy_name: text(p.policy_name),
		condition_name: text(p.condition_name),
		account_name: text(p.account_name),
		event_type: text(p.event_type),
	};
	const base = {
		source: 'newrelic',
		name: text(p.condition_name) || text(p.policy_name),
		...channelState(text(p.current_state)),
		annotations: { details: text(p.details) },
		metrics: [],
		context: {
			summary: text(p.details),
			description: '',
			severity: text(p.severity),
			startedAt: isoFromEpochMs(p.timestamp),
			links: {
				source: text(p.incident_url),
				runbook: text(p.runbook_url),
				chart: text(p.violation_chart_url) || text(p.violation_callback_url),
			},
		},
	};
	const id = text(p.incident_id);
	if (targets.length === 0)
		return [
			{
				...base,
				labels,
				host: '',
				resource: { name: base.name, kind: 'a New Relic incident that names no target' },
				fingerprint: id,
			},
		];
	return targets.map(({ t, entry }) => {
		const name = text(t.name);
		const type = text(t.type);
		const own = { ...labels, ...textMap(t.labels), target_type: type, product: text(t.product) };
		const machine = name && MACHINE_TYPES.test(type);
		return {
			...base,
			labels: own,
			host: machine ? hostName(name) : '',
			...(machine
				? {}
				: { resource: { name: name || base.name, kind: `a New Relic ${type || 'target'}` } }),
			fingerprint: `${id}|${text(t.id) || name}`,
			entry,
			entryIn: 'targets',
			context: { ...base.context, links: { ...base.context.links, target: text(t.link) } },
		};
	});
}

function extract(payload: Record<string, unknown>): NormalisedAlert[] {
	if (isWorkflowPayload(payload)) return fromWorkflow(payload);
	if (isChannelPayload(payload)) return fromChannel(payload);
	throw new SourceFormatError(`The item is not ${newrelic.what}: expected ${newrelic.expects}.`);
}

export const newrelic = {
	name: 'newrelic',
	label: 'New Relic',
	description:
		"New Relic workflow webhook (default payload template) or a legacy notification channel's webhook",
	what: 'a New Relic notification',
	expects:
		'a workflow\'s default payload ("issueUrl" with "alertConditionNames", "alertPolicyNames" or "workflowName") or a legacy channel\'s ("incident_id", "current_state", "condition_name")',
	looksLike: (p) => isWorkflowPayload(p) || isChannelPayload(p),
	extract,
} as const satisfies MonitoringSource;
