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

/** Experience issue lifecycle, in order. */
export const ISSUE_STATES = ['open', 'in_progress', 'action_wait', 'closed'] as const;
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
