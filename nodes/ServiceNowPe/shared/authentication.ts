/** How the nodes that talk to an instance sign in: the choice of credential, shared by the action node and the trigger. */
import type { IExecuteFunctions, ILoadOptionsFunctions, INodeCredentialDescription, INodeProperties, IPollFunctions } from 'n8n-workflow';
import type { CredentialType } from './transport/request';

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

/**
 * The credential type the node's Authentication parameter chooses (item `itemIndex` of an
 * execution; a trigger's poll and a picker's list have no items). Anything but the authorization
 * code credential is the default one.
 */
export function credentialTypeOf(ctx: IExecuteFunctions, itemIndex: number): CredentialType;
export function credentialTypeOf(ctx: IPollFunctions | ILoadOptionsFunctions): CredentialType;
export function credentialTypeOf(ctx: IExecuteFunctions | IPollFunctions | ILoadOptionsFunctions, itemIndex?: number): CredentialType {
	const fallback = authenticationProperty.default;
	const chosen = itemIndex === undefined ? (ctx as IPollFunctions | ILoadOptionsFunctions).getNodeParameter('authentication', fallback) : (ctx as IExecuteFunctions).getNodeParameter('authentication', itemIndex, fallback);
	return chosen === 'serviceNowPeOAuth2Api' ? 'serviceNowPeOAuth2Api' : 'serviceNowPeApi';
}
