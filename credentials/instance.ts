/** What both credential types share: the Instance URL, the SSL switch and the credential test. */
import type { ICredentialTestRequest, INodeProperties } from 'n8n-workflow';
import { TABLE_PARAMS, TABLES, tablePath } from '../contract/api';
import { instanceBaseUrl } from '../contract/instance';

export const instanceUrlProperty: INodeProperties = {
	displayName: 'Instance URL',
	name: 'instanceUrl',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'dev12345, or https://dev12345.service-now.com',
	description:
		'The instance: its name (dev12345, for dev12345.service-now.com) or its URL (*.service-now.com, *.servicenowservices.com, a custom domain, or a local emulator such as http://127.0.0.1:8787)',
};

export const ignoreSslProperty: INodeProperties = {
	displayName: 'Ignore SSL Issues (Insecure)',
	name: 'ignoreSslIssues',
	type: 'boolean',
	default: false,
	description: 'Whether to connect even if SSL certificate validation fails',
};

/**
 * The instance's base URL (as `instanceBaseUrl` reads what was typed: `dev12345`,
 * `dev12345.service-now.com`, a full URL), followed by `path`, as an n8n expression over `source`
 * (`$credentials` in a test request, `$self` inside the credential).
 */
export function instanceUrlExpression(source: string, path = ''): string {
	const body = `(${instanceBaseUrl.toString()})(${source}["instanceUrl"])${path ? ` + ${JSON.stringify(path)}` : ''}`;
	// `}}` would end the expression early: blocks that close together get a space between.
	return `={{${body.replace(/\}(?=\})/g, '} ')}}}`;
}

/**
 * A one-row read of sys_user_role: it needs a valid login and nothing else. What a failure means
 * is said in words (n8n would show only "Unauthorized").
 */
export const credentialTest: ICredentialTestRequest = {
	request: {
		baseURL: instanceUrlExpression('$credentials'),
		url: tablePath(TABLES.role),
		qs: { [TABLE_PARAMS.limit]: 1, [TABLE_PARAMS.fields]: 'name' },
		skipSslCertificateValidation: '={{$credentials.ignoreSslIssues}}',
		// A redirect is reported, not followed: the nodes do not follow one either.
		disableFollowRedirect: true,
	},
	rules: [
		...[301, 302, 303, 307, 308].map((value) => ({
			type: 'responseCode' as const,
			properties: {
				value,
				message: `The instance redirected the request (HTTP ${value}): the Instance URL is not the instance's own address. Use https:// and the instance itself, e.g. https://dev12345.service-now.com (a sleeping developer instance redirects too: wake it first).`,
			},
		})),
		{
			type: 'responseCode',
			properties: {
				value: 400,
				message: 'The address answered, but not as an instance (HTTP 400): the Instance URL should be the instance itself, e.g. https://dev12345.service-now.com, without a path.',
			},
		},
		{
			type: 'responseCode',
			properties: {
				value: 401,
				message: 'The instance refused the sign-in (HTTP 401): check the user name and password (Basic), or the client ID, client secret and user (OAuth2).',
			},
		},
		{
			type: 'responseCode',
			properties: {
				value: 403,
				message: 'Signed in, but the instance does not let this user read sys_user_role (HTTP 403): give the user read access to it, and the role sn_pren.experience_issue_create to create issues.',
			},
		},
		{
			type: 'responseCode',
			properties: {
				value: 404,
				message: 'The instance has no Table API at this address (HTTP 404): the Instance URL should be the instance itself, e.g. https://dev12345.service-now.com',
			},
		},
	],
};
