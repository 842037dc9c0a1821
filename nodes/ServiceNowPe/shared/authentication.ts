/** How the nodes that talk to an instance sign in: the choice of credential, shared by the action node and the trigger. */
import type { INodeCredentialDescription, INodeProperties } from 'n8n-workflow';

export const authenticationProperty: INodeProperties = {
	displayName: 'Authentication',
	name: 'authentication',
	type: 'options',
	options: [
		{ name: 'Basic Auth or OAuth2 Password/Client Credentials', value: 'serviceNowPeApi' },
		{ name: 'OAuth2 Authorization Code', value: 'serviceNowPeOAuth2Api' },
	],
	default: 'serviceNowPeApi',
};

export const instanceCredentials: INodeCredentialDescription[] = [
	{ name: 'serviceNowPeApi', required: true, displayOptions: { show: { authentication: ['serviceNowPeApi'] } } },
	{ name: 'serviceNowPeOAuth2Api', required: true, displayOptions: { show: { authentication: ['serviceNowPeOAuth2Api'] } } },
];
