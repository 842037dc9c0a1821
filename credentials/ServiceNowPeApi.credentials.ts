import type {
	IAuthenticate,
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IDataObject,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';
import { sleep } from 'n8n-workflow';
import { OAUTH_TOKEN_PATH } from '../contract/api';
import { normaliseInstanceUrl } from '../contract/instance';
import { retryable, retryWaitMs, type RetryPolicy } from '../contract/retry';
import {
	credentialTest,
	ignoreSslProperty,
	instanceUrlProperty,
	isLastingNetworkError,
	networkErrorMessage,
} from './instance';

export type ServiceNowPeAuthType = 'basic' | 'oauth2Password' | 'oauth2ClientCredentials';

/** A token request a busy instance (429, 5xx) or a lost answer stopped: asked again twice, after 1 s, then 2 s (or its Retry-After, up to 10 s). */
const TOKEN_RETRY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 1000, maxWaitSeconds: 10 };

/** A token endpoint's answer: OAuth's fields, or ServiceNow's error envelope read into them. */
function tokenAnswer(body: unknown): TokenAnswer {
	let value = body;
	if (typeof value === 'string') {
		try {
			value = JSON.parse(value || '{}');
		} catch {
			return { error: 'an answer that is not JSON' };
		}
	}
	if (!value || typeof value !== 'object') return {};
	const answer = { ...(value as TokenAnswer) };
	const error = (value as { error?: unknown }).error;
	if (error && typeof error === 'object') {
		// ServiceNow's envelope: {"error": {"message": …, "detail": …}, "status": "failure"}
		const { message, detail } = error as { message?: unknown; detail?: unknown };
		answer.error = typeof message === 'string' ? message : 'error';
		if (typeof detail === 'string' && detail) answer.error_description = detail;
	} else if (error !== undefined && typeof error !== 'string') answer.error = String(error);
	return answer;
}

interface TokenAnswer {
	access_token?: string;
	refresh_token?: string;
	expires_in?: number;
	error?: string;
	error_description?: string;
}

export class ServiceNowPeApi implements ICredentialType {
	name = 'serviceNowPeApi';

	displayName = 'ServiceNow Proactive Engagement API';

	icon = {
		light: 'file:../nodes/ServiceNowPe/servicenow.svg',
		dark: 'file:../nodes/ServiceNowPe/servicenow.dark.svg',
	} as const;

	documentationUrl =
		'https://www.npmjs.com/package/n8n-nodes-servicenow-proactive-engagement#credentials';

	properties: INodeProperties[] = [
		instanceUrlProperty,
		{
			displayName: 'Authentication',
			name: 'authType',
			type: 'options',
			options: [
				{ name: 'Basic Auth', value: 'basic' },
				{ name: 'OAuth2 (Password Grant)', value: 'oauth2Password' },
				{ name: 'OAuth2 (Client Credentials Grant)', value: 'oauth2ClientCredentials' },
			],
			default: 'basic',
		},
		{
			displayName: 'Username',
			name: 'username',
			type: 'string',
			default: '',
			displayOptions: { show: { authType: ['basic', 'oauth2Password'] } },
			description: 'A user with the role sn_pren.experience_issue_create',
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			displayOptions: { show: { authType: ['basic', 'oauth2Password'] } },
		},
		{
			displayName: 'Client ID',
			name: 'clientId',
			type: 'string',
			default: '',
			displayOptions: { show: { authType: ['oauth2Password', 'oauth2ClientCredentials'] } },
			description:
				'Client ID of the application registry entry (System OAuth > Application Registry)',
		},
		{
			displayName: 'Client Secret',
			name: 'clientSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			displayOptions: { show: { authType: ['oauth2Password', 'oauth2ClientCredentials'] } },
		},
		ignoreSslProperty,
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'hidden',
			typeOptions: { expirable: true, password: true },
			default: '',
		},
		{
			displayName: 'Refresh Token',
			name: 'refreshToken',
			type: 'hidden',
			typeOptions: { password: true },
			default: '',
		},
	];

	/**
	 * Fetches an OAuth token from <instance>/oauth_token.do. n8n calls this when no token is stored
	 * and again when a request answers 401 (an expired token): the refresh token is tried first.
	 */
	async preAuthentication(
		this: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
	): Promise<IDataObject> {
		const authType = credentials.authType as ServiceNowPeAuthType;
		if (authType === 'basic') return {};
		const base = normaliseInstanceUrl(credentials.instanceUrl);
		const client = {
			client_id: String(credentials.clientId ?? ''),
			client_secret: String(credentials.clientSecret ?? ''),
		};
		const grant: Record<string, string> =
			authType === 'oauth2Password'
				? {
						grant_type: 'password',
						username: String(credentials.username ?? ''),
						password: String(credentials.password ?? ''),
					}
				: { grant_type: 'client_credentials' };
		const once = async (
			form: Record<string, string>,
		): Promise<TokenAnswer & { status: number; retryAfter?: string }> => {
			const res = (await this.helpers.httpRequest({
				method: 'POST',
				url: `${base}${OAUTH_TOKEN_PATH}`,
				headers: {
					'content-type': 'application/x-www-form-urlencoded',
					accept: 'application/json',
				},
				body: new URLSearchParams({ ...form, ...client }).toString(),
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
				skipSslCertificateValidation: credentials.ignoreSslIssues === true,
				json: true,
			})) as { statusCode: number; headers?: Record<string, string>; body: unknown };
			return {
				...tokenAnswer(res.body),
				status: res.statusCode,
				retryAfter: res.headers?.['retry-after'],
			};
		};
		// A busy instance (429, 5xx) or a lost answer is asked again, twice, after a short wait.
		const ask = async (form: Record<string, string>): Promise<TokenAnswer & { status: number }> => {
			for (let attempt = 1; ; attempt++) {
				let answer: (TokenAnswer & { status: number; retryAfter?: string }) | undefined;
				try {
					answer = await once(form);
				} catch (error) {
					// A host that does not exist, refuses or is not trusted will not change in a second.
					if (attempt >= TOKEN_RETRY.maxAttempts || isLastingNetworkError(error))
						throw new Error(
							`The OAuth token request to ${base}${OAUTH_TOKEN_PATH} failed: ${networkErrorMessage(error, `${base}${OAUTH_TOKEN_PATH}`)}`,
						);
				}
				if (answer && (attempt >= TOKEN_RETRY.maxAttempts || !retryable(answer))) return answer;
				await sleep(retryWaitMs(TOKEN_RETRY, attempt, answer?.retryAfter));
			}
		};
		let answer: (TokenAnswer & { status: number }) | undefined;
		if (credentials.refreshToken) {
			answer = await ask({
				grant_type: 'refresh_token',
				refresh_token: String(credentials.refreshToken),
			});
		}
		if (!answer?.access_token) answer = await ask(grant);
		if (!answer.access_token) {
			// The instance's own words, never the secrets that were sent.
			const said = `${answer.error ?? 'no token'}${answer.error_description ? ` – ${answer.error_description}` : ''}`;
			const fix = retryable(answer)
				? 'The instance could not issue a token now: try again later.'
				: `Check the client ID and secret${authType === 'oauth2Password' ? ', user name and password' : ''}.`;
			throw new Error(
				`ServiceNow refused the OAuth token request (HTTP ${answer.status}: ${said}). ${fix}`,
			);
		}
		return { accessToken: answer.access_token, refreshToken: answer.refresh_token ?? '' };
	}

	authenticate: IAuthenticate = async (
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> => {
		// An Instance URL that cannot be used is said in words (a request would fail with only a code).
		normaliseInstanceUrl(credentials.instanceUrl);
		const headers = { ...(requestOptions.headers ?? {}) };
		if (credentials.authType === 'basic') {
			const token = Buffer.from(
				`${String(credentials.username ?? '')}:${String(credentials.password ?? '')}`,
			).toString('base64');
			headers.Authorization = `Basic ${token}`;
		} else {
			headers.Authorization = `Bearer ${String(credentials.accessToken ?? '')}`;
		}
		return { ...requestOptions, headers };
	};

	test: ICredentialTestRequest = credentialTest;
}
