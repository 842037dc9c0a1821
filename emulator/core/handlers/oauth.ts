/** `/oauth_token.do` (password, client credentials, authorization code, refresh token) and `/oauth_auth.do`. */
import { OAUTH_TOKEN_PATH } from '../../../contract/api';
import { PLATFORM_ERRORS } from '../../../contract/errors';
import { jsonAnswer, renderError } from '../answer';
import type { Handler, HandleResult } from '../context';
import { newSysId } from '../sysIds';

/**
 * The authorization-code grant's browser step. There is no login page: the code is issued at
 * once for the client's own user, and the browser is sent back to the redirect URI.
 */
export const handleAuthorize: Handler = (state, call) => {
	const params = new URLSearchParams(call.query);
	const client = state.registry.oauthClient(params.get('client_id') ?? '');
	const redirectUri = params.get('redirect_uri') ?? '';
	const html = (status: number, text: string): HandleResult => ({
		status,
		headers: { 'content-type': 'text/html;charset=UTF-8' },
		body: `<!doctype html><title>OAuth</title><p>${text.replace(/[<&]/g, (c) => (c === '<' ? '&lt;' : '&amp;'))}</p>`,
	});
	if (!client)
		return html(
			400,
			'Unknown client_id: use a client of the registry (built-in: pe-emulator-client).',
		);
	if (params.get('response_type') !== 'code') return html(400, 'response_type must be "code".');
	if (!/^https?:\/\//.test(redirectUri)) return html(400, 'redirect_uri must be an http(s) URL.');
	let target: URL;
	try {
		target = new URL(redirectUri);
	} catch {
		return html(400, 'redirect_uri is not a valid URL.');
	}
	const code = newSysId();
	state.authorizationCodes.set(code, {
		client_id: client.client_id,
		user_name: client.user,
		redirect_uri: redirectUri,
	});
	target.searchParams.set('code', code);
	const clientState = params.get('state');
	if (clientState !== null) target.searchParams.set('state', clientState);
	return { status: 302, headers: { location: target.toString() }, body: '' };
};

/** Client ID and secret from the form, or from a Basic Authorization header (undefined: not readable). */
function clientCredentials(
	call: Parameters<Handler>[1],
	params: URLSearchParams,
): { id: string; secret: string } | undefined {
	const id = params.get('client_id') ?? '';
	const authorization = call.authorization;
	if (id || !/^basic\s/i.test(authorization))
		return { id, secret: params.get('client_secret') ?? '' };
	const decoded = Buffer.from(authorization.replace(/^basic\s+/i, ''), 'base64').toString('utf8');
	const colon = decoded.indexOf(':');
	try {
		// RFC 6749 §2.3.1: the client ID and secret are form-encoded before Basic encoding.
		return {
			id: decodeURIComponent(decoded.slice(0, Math.max(colon, 0))),
			secret: decodeURIComponent(decoded.slice(colon + 1)),
		};
	} catch {
		return undefined;
	}
}

export const handleToken: Handler = (state, call) => {
	if (call.method !== 'POST') {
		return renderError(
			PLATFORM_ERRORS.METHOD_NOT_ALLOWED,
			call.format,
			`Use POST for ${OAUTH_TOKEN_PATH}.`,
		);
	}
	const params = new URLSearchParams(call.req.body);
	const oauthError = (status: number, error: string, description: string): HandleResult =>
		jsonAnswer(status, { error, error_description: description });
	const now = state.now();
	const credentials = clientCredentials(call, params);
	if (!credentials) {
		return oauthError(
			401,
			'invalid_client',
			'The Basic Authorization header is not a form-encoded client ID and secret: percent-encode them (RFC 6749 §2.3.1).',
		);
	}
	const client = state.registry.oauthClient(credentials.id);
	if (!client || client.client_secret !== credentials.secret) {
		return oauthError(
			401,
			'invalid_client',
			'Client authentication failed: check the client ID and client secret.',
		);
	}
	const grantType = params.get('grant_type') ?? '';
	let userName: string;
	let refreshToken: string | undefined;
	if (grantType === 'password') {
		const user = state.registry.userByName(params.get('username') ?? '');
		if (!user || user.password === undefined || user.password !== (params.get('password') ?? '')) {
			return oauthError(401, 'access_denied', 'The user name or password is not valid.');
		}
		userName = user.user_name;
	} else if (grantType === 'client_credentials') {
		userName = client.user;
	} else if (grantType === 'authorization_code') {
		const code = state.authorizationCodes.get(params.get('code') ?? '');
		if (!code || code.client_id !== client.client_id) {
			return oauthError(
				400,
				'invalid_grant',
				'The authorization code is not valid or was used already.',
			);
		}
		state.authorizationCodes.delete(params.get('code') ?? '');
		userName = code.user_name;
	} else if (grantType === 'refresh_token') {
		refreshToken = params.get('refresh_token') ?? '';
		const grant = state.tokens.refreshGrant(refreshToken, now);
		if (!grant || grant.client_id !== client.client_id) {
			return oauthError(
				401,
				'invalid_grant',
				'The refresh token is not valid or has expired; authenticate again.',
			);
		}
		userName = grant.user_name;
	} else {
		return oauthError(
			400,
			'unsupported_grant_type',
			'grant_type must be one of password, client_credentials, authorization_code, refresh_token.',
		);
	}
	const tokens = state.tokens.issue(
		userName,
		client.client_id,
		now,
		state.settings.tokenTtlSeconds,
		refreshToken,
	);
	return jsonAnswer(
		200,
		{ ...tokens, scope: 'useraccount', token_type: 'Bearer' },
		{ 'cache-control': 'no-store' },
	);
};
