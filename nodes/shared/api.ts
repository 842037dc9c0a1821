/** Paths, field names and wire types of the Proactive Engagement API and the Table API. */

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
} as const;

/** The role the API requires of the calling user. */
export const CREATE_ROLE = 'sn_pren.experience_issue_create';

/** Experience issue lifecycle, in order. */
export const ISSUE_STATES = ['open', 'in_progress', 'action_wait', 'closed'] as const;
export type IssueState = (typeof ISSUE_STATES)[number];

export function isIssueState(value: unknown): value is IssueState {
	return typeof value === 'string' && (ISSUE_STATES as readonly string[]).includes(value);
}

export const ENDPOINT_FIELDS = ['CI', 'email', 'user_id', 'user_name'] as const;
export type EndpointField = (typeof ENDPOINT_FIELDS)[number];

export interface CreateIssueBody {
	endpoint: Partial<Record<EndpointField, string>>;
	issue_code: string;
	provider: string;
	experience_id?: string;
	input_parameters?: Record<string, unknown>;
	investigative_details?: Record<string, unknown>;
}

export interface ErrorEnvelope {
	error: { message: string; detail: string };
	status: 'failure';
}

export interface CreateIssueSuccess {
	result: { experience_id?: string; experienceId?: string };
}
