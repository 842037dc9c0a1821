/** The tables the emulator serves, as rows of strings, and the encoded queries that filter them. */
import { createHash } from 'node:crypto';
import { TABLES, type IssueRow } from '../../contract/api';
import { splitQuery } from '../../contract/encodedQuery';
import type { IncidentRecord } from './incidents';
import type { IssueRecord } from './issues';
import type { IssueCodeRecord, Registry } from './registry';

export type Row = Record<string, string>;

export function issueRow(issue: IssueRecord): IssueRow {
	return {
		sys_id: issue.sys_id,
		number: issue.number,
		experience_id: issue.experience_id,
		issue_code: issue.issue_code,
		provider: issue.provider,
		state: issue.state,
		user: issue.user,
		configuration_item: issue.configuration_item,
		endpoint: JSON.stringify(issue.endpoint),
		input_parameters: JSON.stringify(issue.input_parameters),
		investigative_details: JSON.stringify(issue.investigative_details),
		issue_code_history: issue.issue_code_history.join(','),
		end_reason: issue.end_reason ?? '',
		fallback_result: issue.fallback_result ?? '',
		fallback_incident: issue.fallback_incident ?? '',
		sys_created_on: issue.sys_created_on,
		sys_updated_on: issue.sys_updated_on,
	};
}

/** A stable sys_id for a registry record that has none of its own (providers, issue codes). */
export function registrySysId(kind: string, ...key: string[]): string {
	return createHash('md5').update([kind, ...key].join('\u0000')).digest('hex');
}

function registryRow(code: IssueCodeRecord): Row {
	const scenario = code.scenario;
	return {
		sys_id: registrySysId('issue_code', code.provider, code.issue_code),
		issue_code: code.issue_code,
		name: code.name,
		provider: registrySysId('provider', code.provider),
		resolution: code.resolution ?? '',
		engagement: scenario?.engagement ?? '',
		fallback: scenario?.fallback ?? '',
		active: 'true',
	};
}

/** Rows of a readable table, or undefined for a table the emulator does not hold. */
export function tableRows(table: string, registry: Registry, state: { issues: () => IssueRecord[]; incidents: () => IncidentRecord[] }): Row[] | undefined {
	switch (table) {
		case TABLES.experienceIssue:
			return state.issues().map(issueRow);
		case TABLES.incident:
			return state.incidents().map((i) => ({ ...i, sys_class_name: TABLES.incident }));
		case TABLES.computer:
			return registry.seed.cis.map((c) => ({
				sys_id: c.sys_id,
				name: c.name,
				assigned_to: c.assigned_to,
				sys_class_name: TABLES.computer,
			}));
		case TABLES.user:
			// Passwords never leave the registry.
			return registry.seed.users.map((u) => ({
				sys_id: u.sys_id,
				user_name: u.user_name,
				name: u.name,
				email: u.email,
				active: String(u.active !== false),
				roles: u.roles.join(','),
			}));
		case TABLES.role:
			return registry.seed.roles.map((r) => ({ sys_id: r.sys_id, name: r.name }));
		case TABLES.provider:
			return registry.seed.providers.map((p) => ({ sys_id: registrySysId('provider', p.provider_code), provider_code: p.provider_code, name: p.name, active: 'true' }));
		case TABLES.issueRegistry:
			// Deploying a template creates the registry record: only deployed codes are here.
			return registry.seed.issue_codes.filter((c) => c.deployed).map(registryRow);
		case TABLES.issueRegistryTemplate:
			return registry.seed.issue_codes.map((c) => ({ ...registryRow(c), deployed: String(c.deployed) }));
		default:
			return undefined;
	}
}

/** Reference fields of each table, and the table they point to (dot-walked in queries). */
export const REFERENCES: Record<string, Record<string, string>> = {
	[TABLES.experienceIssue]: { user: TABLES.user, configuration_item: TABLES.computer, fallback_incident: TABLES.incident },
	[TABLES.incident]: { caller_id: TABLES.user, cmdb_ci: TABLES.computer },
	[TABLES.computer]: { assigned_to: TABLES.user },
	[TABLES.issueRegistry]: { provider: TABLES.provider },
	[TABLES.issueRegistryTemplate]: { provider: TABLES.provider },
};

type Condition = (row: Row) => boolean;

/**
 * A parsed encoded query: `^NQ` groups, any of which may match; each group's clauses must all
 * match; a clause is a condition or several joined by `^OR`.
 */
export interface TableQuery {
	groups: Condition[][][];
	order: Array<{ field: string; desc: boolean }>;
}

const OPERATORS: Array<[string, (value: string, arg: string) => boolean]> = [
	['ISNOTEMPTY', (v) => v !== ''],
	['ISEMPTY', (v) => v === ''],
	['STARTSWITH', (v, a) => v.toLowerCase().startsWith(a.toLowerCase())],
	['ENDSWITH', (v, a) => v.toLowerCase().endsWith(a.toLowerCase())],
	['NOT LIKE', (v, a) => !v.toLowerCase().includes(a.toLowerCase())],
	['LIKE', (v, a) => v.toLowerCase().includes(a.toLowerCase())],
	['NOT IN', (v, a) => !a.split(',').includes(v)],
	['IN', (v, a) => a.split(',').includes(v)],
	// Like instances, = and != ignore case.
	['!=', (v, a) => v.toLowerCase() !== a.toLowerCase()],
	// Dates (yyyy-MM-dd HH:mm:ss) and equal-length codes compare as text.
	['>=', (v, a) => v >= a],
	['<=', (v, a) => v <= a],
	['>', (v, a) => v > a],
	['<', (v, a) => v < a],
	['=', (v, a) => v.toLowerCase() === a.toLowerCase()],
];

/** A field of a referenced record (`user.user_name`), as instances dot-walk references. */
export type DotWalk = (row: Row, field: string) => string | undefined;

function conditionOf(term: string, fields: Set<string>, walk?: DotWalk): Condition {
	for (const [op, test] of OPERATORS) {
		const at = term.indexOf(op);
		if (at <= 0) continue;
		const field = term.slice(0, at);
		if (!/^[A-Za-z_][A-Za-z0-9_.]*$/.test(field)) continue;
		const arg = term.slice(at + op.length);
		if (fields.has(field)) return (row) => test(row[field] ?? '', arg);
		if (walk && field.includes('.')) {
			return (row) => {
				const value = walk(row, field);
				return value !== undefined && test(value, arg);
			};
		}
		return () => false;
	}
	return () => false;
}

/**
 * Parses an encoded query (`a=b^ORa=c^d!=e^NQf=g^ORDERBYDESCsys_created_on`; `^^` is a literal
 * `^`). A condition on a field the table does not have matches no row (as instances set to return
 * no rows for invalid queries do), so a misspelt field can never return the whole table.
 */
export function parseEncodedQuery(query: string, fields: Set<string>, walk?: DotWalk): TableQuery {
	const result: TableQuery = { groups: [[]], order: [] };
	for (const term of splitQuery(query)) {
		if (term.startsWith('ORDERBYDESC')) {
			result.order.push({ field: term.slice(11), desc: true });
			continue;
		}
		if (term.startsWith('ORDERBY')) {
			result.order.push({ field: term.slice(7), desc: false });
			continue;
		}
		const group = result.groups[result.groups.length - 1];
		if (term.startsWith('NQ') && group.length > 0) {
			result.groups.push([[conditionOf(term.slice(2), fields, walk)]]);
		} else if (term.startsWith('OR') && group.length > 0) {
			group[group.length - 1].push(conditionOf(term.slice(2), fields, walk));
		} else {
			group.push([conditionOf(term, fields, walk)]);
		}
	}
	return result;
}

/** A row's own field; names an object inherits (`constructor`, `__proto__`) are no fields. */
function own(row: Row, field: string): string {
	return Object.hasOwn(row, field) ? row[field] : '';
}

export function queryRows(rows: Row[], query: TableQuery): Row[] {
	const matched = rows.filter((row) => query.groups.some((clauses) => clauses.every((anyOf) => anyOf.some((c) => c(row)))));
	for (const { field, desc } of [...query.order].reverse()) {
		matched.sort((a, b) => own(a, field).localeCompare(own(b, field)) * (desc ? -1 : 1));
	}
	return matched;
}

export function pickFields(row: Row, fields: string[] | undefined): Row {
	if (!fields) return row;
	const out: Row = {};
	for (const f of fields) if (Object.hasOwn(row, f)) out[f] = row[f];
	return out;
}
