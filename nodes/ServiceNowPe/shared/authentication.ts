/**
 * How the nodes that talk to an instance sign in, shared by the action node, the trigger and the
 * pickers: the choice of credential, and the instance it points at.
 */
import {
	NodeOperationError,
	type ICredentialsDecrypted,
	type IExecuteFunctions,
	type ILoadOptionsFunctions,
	type INodeCredentialDescription,
	type INodeProperties,
	type IPollFunctions,
} from 'n8n-workflow';
import { normaliseInstanceUrl } from '../../../contract/instance';

export const CREDENTIAL_TYPES = ['serviceNowPeApi', 'serviceNowPeOAuth2Api'] as const;
export type CredentialType = (typeof CREDENTIAL_TYPES)[number];

export interface Connection {
	credentialType: CredentialType;
	baseUrl: string;
	skipSslCertificateValidation: boolean;
	/**
	 * The credential, decrypted once per execution and handed to every request (n8n would
	 * otherwise load and decrypt it for each one). A refreshed token is written into it by n8n.
	 */
	credentialsDecrypted?: ICredentialsDecrypted;
}

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
	{
		name: 'serviceNowPeApi',
		required: true,
		displayOptions: { show: { authentication: ['serviceNowPeApi'] } },
	},
	{
		name: 'serviceNowPeOAuth2Api',
		required: true,
		displayOptions: { show: { authentication: ['serviceNowPeOAuth2Api'] } },
	},
];

/**
 * The credential type the node's Authentication parameter chooses (item `itemIndex` of an
 * execution; a trigger's poll and a picker's list have no items). Anything but the authorization
 * code credential is the default one.
 */
export function credentialTypeOf(ctx: IExecuteFunctions, itemIndex: number): CredentialType;
export function credentialTypeOf(ctx: IPollFunctions | ILoadOptionsFunctions): CredentialType;
export function credentialTypeOf(
	ctx: IExecuteFunctions | IPollFunctions | ILoadOptionsFunctions,
	itemIndex?: number,
): CredentialType {
	const fallback = authenticationProperty.default;
	const chosen =
		itemIndex === undefined
			? (ctx as IPollFunctions | ILoadOptionsFunctions).getNodeParameter('authentication', fallback)
			: (ctx as IExecuteFunctions).getNodeParameter('authentication', itemIndex, fallback);
	return chosen === 'serviceNowPeOAuth2Api' ? 'serviceNowPeOAuth2Api' : 'serviceNowPeApi';
}

export async function connectionFor(
	ctx: IExecuteFunctions | IPollFunctions | ILoadOptionsFunctions,
	credentialType: CredentialType,
): Promise<Connection> {
	const credentials = await ctx.getCredentials(credentialType);
	let baseUrl: string;
	try {
		baseUrl = normaliseInstanceUrl(credentials.instanceUrl);
	} catch (e) {
		throw new NodeOperationError(ctx.getNode(), (e as Error).message, {
			description: 'Fix the Instance URL in the ServiceNow Proactive Engagement credential.',
		});
	}
	const reference = ctx.getNode().credentials?.[credentialType];
	return {
		credentialType,
		baseUrl,
		skipSslCertificateValidation: credentials.ignoreSslIssues === true,
		// The OAuth2 authorization-code type goes through n8n's OAuth2 client, which loads it itself.
		credentialsDecrypted:
			credentialType === 'serviceNowPeApi'
				? {
						id: reference?.id ?? '',
						name: reference?.name ?? credentialType,
						type: credentialType,
						data: credentials,
					}
				: undefined,
	};
}
