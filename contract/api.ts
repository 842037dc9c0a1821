/** Paths, table and field names, and wire types of the Proactive Engagement API and the Table API. */

/** Namespaces the create endpoint is published under (`sn_srf` is what older documents use). */
export const NAMESPACES = ['sn_pren', 'sn_srf'] as const;
export type Namespace = (typeof NAMESPACES)[number];

export const DEFAULT_NAMESPACE: Namespace = 'sn_pren';

export function createIssuePath(namespace: Namespace = DEFAULT_NAMESPACE): string {
	return `/api/${namespace}/self_remediation/experience_issue/create`;
}

export const TABLE_API_PREFIX = '/api/now/table/';
export const OAUTH_TOKEN_PATH = '/oauth_token.do';
export const OAUTH_AUTHORIZE_PATH = '/oauth_auth.do';

export const TABLES = {
	experienceIssue: 'sn_pren_experience_issue',
	computer: 'cmdb_ci_computer',
	user: 'sys_user',
	role: 'sys_user_role',
	provider: 'sn_pren_provider',
	issueRegistry: 'sn_pren_issue_registry',
	issueRegistryTemplate: 'sn_pren_issue_registry_template',
	resolution: 'sn_pren_resolution',
	notificationContent: 'sn_pren_notification_content',
	userHasRole: 'sys_user_has_role',
	incident: 'incident',
} as const;
export type TableName = (typeof TABLES)[keyof typeof TABLES];

/** `/api/now/table/<table>`, or one record of it. */
export function tablePath(table: TableName, sysId?: string): string {
	return `${TABLE_API_PREFIX}${table}${sysId === undefined ? '' : `/${encodeURIComponent(sysId)}`}`;
}

/** Query parameters of the Table API. */
export const TABLE_PARAMS = {
	query: 'sysparm_query',
	fields: 'sysparm_fields',
	limit: 'sysparm_limit',
	offset: 'sysparm_offset',
	/** `true`: reference fields as their sys_id, not `{link, value}` (instances' default). */
	excludeReferenceLink: 'sysparm_exclude_reference_link',
} as const;

/** The role the API requires of the calling user. */
export const CREATE_ROLE = 'sn_pren.experience_issue_create';

/**
 * Proactive Engagement's roles (ServiceNow's "Components installed with Proactive Engagement"):
 * reading experience issues, and the roles that manage the registry side.
 */
export const PE_ROLES = {
	create: CREATE_ROLE,
	read: 'sn_pren.experience_issue_read',
	engagementAdmin: 'sn_pren.engagement_admin',
	solutionProvider: 'sn_pren.solution_provider',
	templateWrite: 'sn_pren.issue_registry_template_write',
	registryWrite: 'sn_pren.issue_registry_write',
} as const;

/** The roles each role contains, as the components page lists them (admin holds every role). */
export const ROLE_CONTAINS: Readonly<Record<string, readonly string[]>> = {
	[PE_ROLES.engagementAdmin]: [PE_ROLES.registryWrite, PE_ROLES.read, PE_ROLES.templateWrite],
	[PE_ROLES.solutionProvider]: [PE_ROLES.templateWrite],
};

/** The roles a user holds, with those their roles contain. */
export function effectiveRoles(roles: readonly string[]): Set<string> {
	const out = new Set<string>();
	const add = (role: string) => {
		if (out.has(role)) return;
		out.add(role);
		for (const inner of ROLE_CONTAINS[role] ?? []) add(inner);
	};
	roles.forEach(add);
	return out;
}

/**
 * Who may read each Proactive Engagement table: any one of these roles (or one containing it, or
 * admin). Experience issues: sn_pren.experience_issue_read (in sn_pren.engagement_admin) or
 * sn_pren.solution_provider ("Can read Experience Issue records"). The registry side (provider,
 * templates, registry, resolutions, notification content): the roles that manage it, or reading
 * experience issues — the docs name no read role of its own.
 */
export const TABLE_READ_ROLES: Readonly<Partial<Record<TableName, readonly string[]>>> = {
	sn_pren_experience_issue: [PE_ROLES.read, PE_ROLES.solutionProvider],
	sn_pren_provider: [PE_ROLES.templateWrite, PE_ROLES.registryWrite, PE_ROLES.read],
	sn_pren_issue_registry: [PE_ROLES.templateWrite, PE_ROLES.registryWrite, PE_ROLES.read],
	sn_pren_issue_registry_template: [PE_ROLES.templateWrite, PE_ROLES.registryWrite, PE_ROLES.read],
	sn_pren_resolution: [PE_ROLES.templateWrite, PE_ROLES.registryWrite, PE_ROLES.read],
	sn_pren_notification_content: [PE_ROLES.templateWrite, PE_ROLES.registryWrite, PE_ROLES.read],
};

/** Whether a user of these roles may read the table (tables of no Proactive Engagement role: yes). */
export function mayRead(table: TableName, roles: readonly string[]): boolean {
	const needed = TABLE_READ_ROLES[table];
	if (!needed) return true;
	const held = effectiveRoles(roles);
	return held.has('admin') || needed.some((r) => held.has(r));
}

/** What a Table API read of a table the user may not read answers (403), its detail naming the table. */
export const readDeniedDetail = (table: string) => `User is unauthorized to access table: ${table}`;

/**
 * Experience issue lifecycle, in order, then `close_skipped`: closed without engaging because the
 * user was in an active Virtual Agent conversation (with the property
 * sn_pren.continue_engagement_if_user_is_in_active_VA_conversation on); re-triggered after 72
 * hours if the issue persists.
 */
export const ISSUE_STATES = [
	'open',
	'in_progress',
	'action_wait',
	'closed',
	'close_skipped',
] as const;
export type IssueState = (typeof ISSUE_STATES)[number];

/** States in which an issue is being resolved: a second create for its user and code is refused. */
export const ACTIVE_STATES: readonly IssueState[] = ['open', 'in_progress'];

export function isIssueState(value: unknown): value is IssueState {
	return typeof value === 'string' && (ISSUE_STATES as readonly string[]).includes(value);
}

export const ENDPOINT_FIELDS = ['CI', 'email', 'user_id', 'user_name'] as const;
export type EndpointField = (typeof ENDPOINT_FIELDS)[number];

/** Body fields of a create request; `experienceId` is the spelling the document's table uses. */
export const BODY_FIELDS = {
	endpoint: 'endpoint',
	issueCode: 'issue_code',
	provider: 'provider',
	experienceId: 'experience_id',
	experienceIdAlias: 'experienceId',
	inputParameters: 'input_parameters',
	investigativeDetails: 'investigative_details',
} as const;

export interface CreateIssueBody {
	endpoint: Partial<Record<EndpointField, string>>;
	issue_code: string;
	provider: string;
	experience_id?: string;
	input_parameters?: Record<string, unknown>;
	investigative_details?: Record<string, unknown>;
}

/** Fields of a `sn_pren_experience_issue` row as the Table API returns them (all strings). */
export const ISSUE_ROW_FIELDS = [
	'sys_id',
	'number',
	'experience_id',
	'issue_code',
	'provider',
	'state',
	'user',
	'configuration_item',
	'endpoint',
	'input_parameters',
	'investigative_details',
	'issue_code_history',
	'end_reason',
	'fallback_result',
	'fallback_incident',
	'sys_created_on',
	'sys_updated_on',
] as const;
export type IssueRow = Record<(typeof ISSUE_ROW_FIELDS)[number], string>;

/** Why an engagement ended (`end_reason`), and what its fallback did (`fallback_result`). */
export const END_REASONS = [
	'resolved',
	'resolution_failed',
	'consent_declined',
	'notified',
	'user_in_active_va_conversation',
] as const;
export const FALLBACK_RESULTS = ['incident_created', 'routed_to_live_agent', 'none'] as const;

/** ServiceNow's date-time as the Table API gives it (UTC, `yyyy-MM-dd HH:mm:ss`). */
export function formatGlideDateTime(ms: number): string {
	return new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}

/** Milliseconds of a Table API date-time (NaN when it is none). */
export function parseGlideDateTime(value: string | undefined): number {
	return value ? Date.parse(`${value.replace(' ', 'T')}Z`) : Number.NaN;
}

/** Row fields holding JSON text. */
export const ISSUE_JSON_FIELDS = ['endpoint', 'input_parameters', 'investigative_details'] as const;

export interface ErrorEnvelope {
	error: { message: string; detail: string };
	status: 'failure';
}

export interface CreateIssueSuccess {
	result: { experience_id?: string; experienceId?: string };
}
