import type { ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

const base = '={{$self["instanceUrl"].trim().replace(/\\/+$/, "")}}';

export class ServiceNowPeOAuth2Api implements ICredentialType {
	name = 'serviceNowPeOAuth2Api';

	extends = ['oAuth2Api'];

	displayName = 'ServiceNow Proactive Engagement OAuth2 API';

	icon = { light: 'file:servicenow.svg', dark: 'file:servicenow.dark.svg' } as const;

	documentationUrl =
		'https://www.npmjs.com/package/n8n-nodes-servicenow-proactive-engagement#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'Instance URL',
			name: 'instanceUrl',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'https://dev12345.service-now.com',
			description: 'Full base URL of the instance (custom domains and a local emulator work too)',
		},
		{ displayName: 'Grant Type', name: 'grantType', type: 'hidden', default: 'authorizationCode' },
		{ displayName: 'Authorization URL', name: 'authUrl', type: 'hidden', default: `${base}/oauth_auth.do` },
		{ displayName: 'Access Token URL', name: 'accessTokenUrl', type: 'hidden', default: `${base}/oauth_token.do` },
		{ displayName: 'Scope', name: 'scope', type: 'hidden', default: 'useraccount' },
		{ displayName: 'Auth URI Query Parameters', name: 'authQueryParameters', type: 'hidden', default: '' },
		{ displayName: 'Authentication', name: 'authentication', type: 'hidden', default: 'header' },
		{
			displayName: 'Ignore SSL Issues (Insecure)',
			name: 'ignoreSslIssues',
			type: 'boolean',
			default: false,
			description: 'Whether to connect even if SSL certificate validation fails',
		},
	];

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.instanceUrl.trim().replace(/\\/+$/, "")}}',
			url: '/api/now/table/sys_user_role',
			qs: { sysparm_limit: 1, sysparm_fields: 'name' },
		},
	};
}
