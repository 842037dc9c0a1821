/** What an alert says for each create-issue field: endpoint, issue code, values, context. */
import { setOwn } from '../../../contract/values';
import type { NormalisedAlert } from './types';

export interface LabelNames {
	user: string;
	email: string;
	userId: string;
	ci: string;
	processId: string;
	issueCode: string;
}

export const DEFAULT_LABELS: LabelNames = {
	user: 'user',
	email: 'email',
	userId: 'user_id',
	ci: 'ci_sys_id',
	processId: 'process_id',
	issueCode: 'issue_code',
};

/** Exact value (any case), or a /regular expression/ (case-insensitive). */
export function matches(pattern: string, value: string): boolean {
	const regex = /^\/(.+)\/([a-z]*)$/.exec(pattern.trim());
	if (regex) {
		try {
			return new RegExp(regex[1], regex[2].includes('i') ? regex[2] : `${regex[2]}i`).test(value);
		} catch {
			return false;
		}
	}
	return pattern.trim().toLowerCase() === value.trim().toLowerCase();
}

/** Which investigative detail a measured value is, by what it measures. */
export interface MetricRule {
	/** Matched against the metric's names (exact, any case, or /regex/). */
	match: string;
	/** Investigative detail key, e.g. cpu_usage. */
	detail: string;
}

/**
 * The built-in meanings, after the user's own rules: usage and available memory are opposite
 * quantities, so only a name that says available or free is available_memory.
 */
export const DEFAULT_METRIC_RULES: MetricRule[] = [
	{ match: '/(avail|free).*mem|mem.*(avail|free)/', detail: 'available_memory' },
	{ match: '/mem/', detail: 'memory_usage' },
	{ match: '/cpu/', detail: 'cpu_usage' },
	{ match: '/proc(ess)?(es)?[_ .]?(count|running)|processes/', detail: 'processes_running' },
];

/** Details an alert's labels or annotations may carry by their own name. */
const DETAIL_LABELS = ['cpu_usage', 'memory_usage', 'available_memory', 'processes_running'];

function lookup(alert: NormalisedAlert, ...keys: string[]): string {
	for (const key of keys) {
		const value =
			(Object.hasOwn(alert.labels, key) && alert.labels[key]) ||
			(Object.hasOwn(alert.annotations, key) && alert.annotations[key]);
		if (value) return value;
	}
	return '';
}

/** The alert's measured values as investigative details: labels of those names, then metrics by rule. */
export function alertValues(alert: NormalisedAlert, rules: MetricRule[]): Record<string, string> {
	const out: Record<string, string> = {};
	for (const metric of alert.metrics) {
		// The most telling name first: the alert name decides before its summary does.
		let detail: string | undefined;
		for (const name of metric.names) {
			detail = rules.find((r) => matches(r.match, name))?.detail;
			if (detail) break;
		}
		const key = detail || metric.key;
		if (!Object.hasOwn(out, key)) setOwn(out, key, bounded(metric.value, CONTEXT_LIMITS.value));
	}
	for (const key of DETAIL_LABELS) {
		const value = lookup(alert, key);
		if (value) setOwn(out, key, bounded(value, CONTEXT_LIMITS.value));
	}
	return out;
}

/** What an alert says for the endpoint, issue code and process (before rules and overrides). */
export function alertFields(alert: NormalisedAlert, names: LabelNames = DEFAULT_LABELS) {
	return {
		user_name: lookup(alert, names.user),
		email: lookup(alert, names.email),
		user_id: lookup(alert, names.userId),
		ci: lookup(alert, names.ci),
		host: alert.host,
		issue_code: lookup(alert, names.issueCode),
		process_id: bounded(lookup(alert, names.processId, 'pid'), CONTEXT_LIMITS.value),
	};
}

/** Parts of an alert's context that can go into investigative_details. */
export const CONTEXT_PARTS = [
	'name',
	'summary',
	'description',
	'severity',
	'startedAt',
	'links',
] as const;
export type ContextPart = (typeof CONTEXT_PARTS)[number];

/** Longest value, and most characters in all, that the alert context adds to investigative_details. */
export const CONTEXT_LIMITS = { value: 1000, total: 4000 };

/** At most `max` characters, cut between whole characters (never inside a surrogate pair), ending in "…". */
export function bounded(value: string, max: number): string {
	if (value.length <= max) return value;
	let end = max - 1;
	const last = value.charCodeAt(end - 1);
	if (last >= 0xd800 && last <= 0xdbff) end--;
	return `${value.slice(0, end)}…`;
}

/**
 * The chosen context of an alert as investigative details, each value bounded, and all of them
 * with the `used` characters the alert's own values already take, within CONTEXT_LIMITS.total.
 */
export function alertContextDetails(
	alert: NormalisedAlert,
	parts: readonly ContextPart[],
	used = 0,
): Record<string, string> {
	const { context } = alert;
	const candidates: Array<[string, string]> = [];
	for (const part of parts) {
		if (part === 'name') candidates.push(['alert_name', alert.name]);
		else if (part === 'links')
			for (const [kind, url] of Object.entries(context.links))
				candidates.push([`${kind}_link`, url]);
		else candidates.push([part === 'startedAt' ? 'started_at' : part, context[part]]);
		// What a log search alert searched describes it as much as its description does.
		if (part === 'description' && context.query) candidates.push(['search_query', context.query]);
	}
	const out: Record<string, string> = {};
	let total = used;
	for (const [key, raw] of candidates) {
		const value = bounded(raw.trim(), CONTEXT_LIMITS.value);
		if (!value) continue;
		if (total + value.length > CONTEXT_LIMITS.total) {
			setOwn(
				out,
				'context_truncated',
				`more from the alert than ${CONTEXT_LIMITS.total} characters; see the alert itself`,
			);
			break;
		}
		total += value.length;
		setOwn(out, key, value);
	}
	return out;
}

export interface IssueCodeRule {
	/** "alertName" matches the alert's name; otherwise the value of this label. */
	field: string;
	/** Exact value, or /regex/ (case-insensitive). */
	value: string;
	issueCode: string;
}

/** The issue code for an alert: the first matching rule, else the alert's own label, else the default. */
export function issueCodeFor(
	alert: NormalisedAlert,
	rules: IssueCodeRule[],
	fallback: { fromLabel: string; defaultCode: string },
): { issueCode: string; how: string } {
	for (const [i, rule] of rules.entries()) {
		const value =
			rule.field === 'alertName'
				? alert.name
				: Object.hasOwn(alert.labels, rule.field)
					? alert.labels[rule.field]
					: '';
		if (value && matches(rule.value, value))
			return { issueCode: rule.issueCode, how: `rule ${i + 1}` };
	}
	if (fallback.fromLabel) return { issueCode: fallback.fromLabel, how: 'alert label' };
	return { issueCode: fallback.defaultCode, how: fallback.defaultCode ? 'default' : 'none' };
}
