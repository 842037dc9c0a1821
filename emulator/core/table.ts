/** The tables the emulator serves, as rows of strings (their queries: query.ts). */
import { ISSUE_ROW_FIELDS, TABLES, type IssueRow } from '../../contract/api';
import type { IncidentRecord } from './incidents';
import type { IssueRecord } from './issueRecord';
import { notificationContentOf, type IssueCodeRecord, type Registry } from './registry';
import { registrySysId } from './sysIds';

export type Row = Record<string, string>;

/** Each field of an issue's row, as the Table API gives it. */
const ISSUE_FIELD: Record<keyof IssueRow, (issue: IssueRecord) => string> = {
	sys_id: (i) => i.sys_id,
	number: (i) => i.number,
	experience_id: (i) => i.experience_id,
	issue_code: (i) => i.issue_code,
	provider: (i) => i.provider,
	state: (i) => i.state,
	user: (i) => i.user,
	configuration_item: (i) => i.configuration_item,
	endpoint: (i) => JSON.stringify(i.endpoint),
	input_parameters: (i) => JSON.stringify(i.input_parameters),
	investigative_details: (i) => JSON.stringify(i.investigative_details),
	issue_code_history: (i) => i.issue_code_history.join(','),
	end_reason: (i) => i.end_reason ?? '',
	fallback_result: (i) => i.fallback_result ?? '',
	fallback_incident: (i) => i.fallback_incident ?? '',
	sys_created_on: (i) => i.sys_created_on,
	sys_updated_on: (i) => i.sys_updated_on,
};

/** The fields of an issue's row. */
export const ISSUE_FIELDS: ReadonlySet<string> = new Set(Object.keys(ISSUE_FIELD));

export function issueRow(issue: IssueRecord): IssueRow {
	const row = {} as IssueRow;
	for (const field of ISSUE_ROW_FIELDS) row[field] = ISSUE_FIELD[field](issue);
	return row;
}

/**
 * Only the given fields of an issue's row: a query reads a few fields of every issue (the JSON
 * fields, which may be large, only when it reads them), and the page all fields of a few.
 */
export function issueFields(issue: IssueRecord, only: Iterable<string>): Row {
	const row: Row = {};
	for (const field of only)
		if (Object.hasOwn(ISSUE_FIELD, field)) row[field] = ISSUE_FIELD[field as keyof IssueRow](issue);
	return row;
}

/** The sys_id of an issue code's resolution or notification content record ('' when it has none). */
function partSysId(code: IssueCodeRecord, part: 'resolution' | 'notification_content'): string {
	return partName(code, part) ? registrySysId(part, code.provider, code.issue_code) : '';
}

function partName(code: IssueCodeRecord, part: 'resolution' | 'notification_content'): string {
	return (part === 'resolution' ? code.resolution : notificationContentOf(code)) || '';
}

/** Each issue code's resolution or notification content, as a record of its own. */
function partRows(registry: Registry, part: 'resolution' | 'notification_content'): Row[] {
	return registry.seed.issue_codes
		.filter((c) => partName(c, part))
		.map((c) => ({
			sys_id: partSysId(c, part),
			name: partName(c, part),
			...(part === 'resolution' ? { remedial_action_parameters: '' } : {}),
			active: 'true',
		}));
}

function registryRow(code: IssueCodeRecord): Row {
	const scenario = code.scenario;
	return {
		sys_id: registrySysId('issue_code', code.provider, code.issue_code),
		issue_code: code.issue_code,
		name: code.name,
		provider: registrySysId('provider', code.provider),
		resolution: partSysId(code, 'resolution'),
		notification_content: partSysId(code, 'notification_content'),
		engagement: scenario?.engagement ?? '',
		fallback: scenario?.fallback ?? '',
		active: 'true',
	};
}

/** Rows of a readable table, or undefined for a table the emulator does not hold. */
export function tableRows(
	table: string,
	registry: Registry,
	state: { issues: () => IssueRecord[]; incidents: () => IncidentRecord[] },
): Row[] | undefined {
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
			return registry.roles().map((r) => ({ sys_id: r.sys_id, name: r.name }));
		case TABLES.userHasRole:
			return registry.userRoles().map(({ user, role, inherited }) => ({
				sys_id: registrySysId('user_has_role', user.sys_id, role.name),
				user: user.sys_id,
				role: role.sys_id,
				inherited: String(inherited),
				state: 'active',
			}));
		case TABLES.resolution:
			return partRows(registry, 'resolution');
		case TABLES.notificationContent:
			return partRows(registry, 'notification_content');
		case TABLES.provider:
			return registry.seed.providers.map((p) => ({
				sys_id: registrySysId('provider', p.provider_code),
				provider_code: p.provider_code,
				name: p.name,
				active: 'true',
			}));
		case TABLES.issueRegistry:
			// Deploying a template creates the registry record: only deployed codes are here.
			return registry.seed.issue_codes.filter((c) => c.deployed).map(registryRow);
		case TABLES.issueRegistryTemplate:
			return registry.seed.issue_codes.map((c) => ({
				...registryRow(c),
				deployed: String(c.deployed),
			}));
		default:
			return undefined;
	}
}

/** Reference fields of each table, and the table they point to (dot-walked in queries). */
export const REFERENCES: Record<string, Record<string, string>> = {
	[TABLES.experienceIssue]: {
		user: TABLES.user,
		configuration_item: TABLES.computer,
		fallback_incident: TABLES.incident,
	},
	[TABLES.incident]: { caller_id: TABLES.user, cmdb_ci: TABLES.computer },
	[TABLES.computer]: { assigned_to: TABLES.user },
	[TABLES.issueRegistry]: {
		provider: TABLES.provider,
		resolution: TABLES.resolution,
		notification_content: TABLES.notificationContent,
	},
	[TABLES.issueRegistryTemplate]: {
		provider: TABLES.provider,
		resolution: TABLES.resolution,
		notification_content: TABLES.notificationContent,
	},
	[TABLES.userHasRole]: { user: TABLES.user, role: TABLES.role },
};

export function pickFields(row: Row, fields: string[] | undefined): Row {
	if (!fields) return row;
	const out: Row = {};
	for (const f of fields) if (Object.hasOwn(row, f)) out[f] = row[f];
	return out;
}
