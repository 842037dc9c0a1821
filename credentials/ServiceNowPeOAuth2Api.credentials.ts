import type { ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';
import { OAUTH_AUTHORIZE_PATH, OAUTH_TOKEN_PATH } from '../contract/api';
import {
	credentialTest,
	ignoreSslProperty,
	instanceUrlExpression,
	instanceUrlProperty,
} from './instance';

export class ServiceNowPeOAuth2Api implements ICredentialType {
	name = 'serviceNowPeOAuth2Api';

	extends = ['oAuth2Api'];

	displayName = 'ServiceNow Proactive Engagement OAuth2 API';

	icon = {
		light: 'file:../nodes/ServiceNowPe/servicenow.svg',
		dark: 'file:../nodes/ServiceNowPe/servicenow.dark.svg',
	} as const;

	documentationUrl =
		'https://www.npmjs.com/package/n8n-nodes-servicenow-proactive-engagement#credentials';

	properties: INodeProperties[] = [
		instanceUrlProperty,
		{ displayName: 'Grant Type', name: 'grantType', type: 'hidden', default: 'authorizationCode' },
		{
			displayName: 'Authorization URL',
			name: 'authUrl',
			type: 'hidden',
			default: instanceUrlExpression('$self', OAUTH_AUTHORIZE_PATH),
		},
		{
			displayName: 'Access Token URL',
			name: 'accessTokenUrl',
			type: 'hidden',
			default: instanceUrlExpression('$self', OAUTH_TOKEN_PATH),
		},
		{ displayName: 'Scope', name: 'scope', type: 'hidden', default: 'useraccount' },
		{
			displayName: 'Auth URI Query Parameters',
			name: 'authQueryParameters',
			type: 'hidden',
			default: '',
		},
		{ displayName: 'Authentication', name: 'authentication', type: 'hidden', default: 'header' },
		ignoreSslProperty,
	];

	test: ICredentialTestRequest = credentialTest;
}
