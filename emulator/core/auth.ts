/**
 * The caller, checked once per request by the emulator's auth mode: none, Basic against the
 * registry's users, or Bearer tokens from /oauth_token.do. Routes of signing in are open.
 */
import { PLATFORM_ERRORS } from '../../contract/errors';
import { renderError } from './answer';
import type { EmulatorState, HandleResult } from './context';
import type { UserRecord } from './registry';
import type { ApiCall, Route } from './request';

/** Routes that are part of signing in, answered without credentials. */
const OPEN_ROUTES: ReadonlySet<Route> = new Set(['token', 'authorize']);

/** The calling user; undefined when the credentials are missing or wrong. `{}` when the auth mode is none. */
function caller(state: EmulatorState, authorization: string): { user?: UserRecord } | undefined {
	const mode = state.settings.authMode;
	if (mode === 'none') return {};
	const [scheme, credentials = ''] = authorization.split(/\s+/, 2);
	if (mode === 'basic' && scheme?.toLowerCase() === 'basic') {
		const decoded = Buffer.from(credentials, 'base64').toString('utf8');
		const colon = decoded.indexOf(':');
		if (colon < 0) return undefined;
		const user = state.registry.userByName(decoded.slice(0, colon));
		if (!user || user.password === undefined || user.password !== decoded.slice(colon + 1))
			return undefined;
		return { user };
	}
	if (mode === 'oauth' && scheme?.toLowerCase() === 'bearer') {
		const grant = state.tokens.accessGrant(credentials, state.now());
		const user = grant && state.registry.userByName(grant.user_name);
		return user ? { user } : undefined;
	}
	return undefined;
}

/** Settles the call's caller (`call.user`); the 401 answer when its credentials do not do. */
export function authenticate(state: EmulatorState, call: ApiCall): HandleResult | undefined {
	const found = OPEN_ROUTES.has(call.route) ? {} : caller(state, call.authorization);
	if (!found) {
		return renderError(PLATFORM_ERRORS.UNAUTHENTICATED, call.format, undefined, {
			'www-authenticate':
				state.settings.authMode === 'oauth'
					? 'Bearer realm="Service-now"'
					: 'Basic realm="Service-now"',
		});
	}
	call.user = found.user;
	call.authenticated = true;
	return undefined;
}
