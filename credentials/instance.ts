/** What both credential types share: the Instance URL, the SSL switch and the credential test. */
import type { ICredentialTestRequest, INodeProperties } from 'n8n-workflow';
import { TABLE_PARAMS, TABLES, tablePath } from '../contract/api';

export const instanceUrlProperty: INodeProperties = {
	displayName: 'Instance URL',
	name: 'instanceUrl',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'https://dev12345.service-now.com',
	description:
		'Full base URL of the instance: *.service-now.com, *.servicenowservices.com, a custom domain, or a local emulator such as http://127.0.0.1:8787',
};

export const ignoreSslProperty: INodeProperties = {
	displayName: 'Ignore SSL Issues (Insecure)',
	name: 'ignoreSslIssues',
	type: 'boolean',
	default: false,
	description: 'Whether to connect even if SSL certificate validation fails',
};

/**
 * The Instance URL without trailing slashes, followed by `path`, as an n8n expression over
 * `source` (`$credentials` in a test request, `$self` inside the credential).
 */
export function instanceUrlExpression(source: string, path = ''): string {
	return `={{${source}["instanceUrl"].trim().replace(/\\/+$/, "")${path ? ` + ${JSON.stringify(path)}` : ''}}}`;
}

/** A one-row read of sys_user_role: it needs a valid login and nothing else. */
export const credentialTest: ICredentialTestRequest = {
	request: {
		baseURL: instanceUrlExpression('$credentials'),
		url: tablePath(TABLES.role),
		qs: { [TABLE_PARAMS.limit]: 1, [TABLE_PARAMS.fields]: 'name' },
		skipSslCertificateValidation: '={{$credentials.ignoreSslIssues}}',
	},
};
