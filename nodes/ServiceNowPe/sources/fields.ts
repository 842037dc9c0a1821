/** What an alert says for each create-issue field, and which issue code it gets. */
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

const CPU = /cpu/i;
const MEMORY = /mem/i;
const PROCESSES = /proc(ess)?(es)?[_ .]?(count|running)|processes/i;

function lookup(alert: NormalisedAlert, ...keys: string[]): string {
	for (const key of keys) {
		const value = alert.labels[key] || alert.annotations[key];
		if (value) return value;
	}
	return '';
}

function metric(alert: NormalisedAlert, pattern: RegExp): string {
	const key = Object.keys(alert.metrics).find((k) => pattern.test(k));
	if (key) return alert.metrics[key];
	// Grafana: a single query value on an alert named after the metric.
	const values = Object.values(alert.metrics);
	return values.length === 1 && pattern.test(alert.name) ? values[0] : '';
}

/** What an alert says for each create-issue field (before rules and overrides). */
export function alertFields(alert: NormalisedAlert, names: LabelNames = DEFAULT_LABELS) {
	return {
		user_name: lookup(alert, names.user),
		email: lookup(alert, names.email),
		user_id: lookup(alert, names.userId),
		ci: lookup(alert, names.ci),
		host: alert.host,
		issue_code: lookup(alert, names.issueCode),
		process_id: lookup(alert, names.processId, 'pid'),
		cpu_usage: lookup(alert, 'cpu_usage') || metric(alert, CPU),
		available_memory: lookup(alert, 'available_memory') || metric(alert, MEMORY),
		processes_running: lookup(alert, 'processes_running') || metric(alert, PROCESSES),
	};
}

export interface IssueCodeRule {
	/** "alertName" matches the alert's name; otherwise the value of this label. */
	field: string;
	/** Exact value, or /regex/ (case-insensitive). */
	value: string;
	issueCode: string;
}

function matches(pattern: string, value: string): boolean {
	const regex = /^\/(.+)\/([a-z]*)$/.exec(pattern);
	if (regex) {
		try {
			return new RegExp(regex[1], regex[2].includes('i') ? regex[2] : `${regex[2]}i`).test(value);
		} catch {
			return false;
		}
	}
	return pattern.trim().toLowerCase() === value.trim().toLowerCase();
}

/** The issue code for an alert: the first matching rule, else the alert's own label, else the default. */
export function issueCodeFor(
	alert: NormalisedAlert,
	rules: IssueCodeRule[],
	fallback: { fromLabel: string; defaultCode: string },
): { issueCode: string; how: string } {
	for (const [i, rule] of rules.entries()) {
		const value = rule.field === 'alertName' ? alert.name : (alert.labels[rule.field] ?? '');
		if (value && matches(rule.value, value)) return { issueCode: rule.issueCode, how: `rule ${i + 1}` };
	}
	if (fallback.fromLabel) return { issueCode: fallback.fromLabel, how: 'alert label' };
	return { issueCode: fallback.defaultCode, how: fallback.defaultCode ? 'default' : 'none' };
}
