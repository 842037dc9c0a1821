/** The pipeline's authentication step: Basic against the registry's users, or Bearer tokens. */
import { PLATFORM_ERRORS } from '../../contract/errors';
import type { EmulatorState, HandleResult } from './context';
import { header, renderError, type EmulatorRequest, type ResponseFormat } from './http';
import type { UserRecord } from './registry';

/** The calling user; undefined when the credentials are missing or wrong. `{}` when auth is off. */
function caller(state: EmulatorState, req: EmulatorRequest): { user?: UserRecord } | undefined {
	const mode = state.settings.auth;
	if (mode === 'none') return {};
	const [scheme, credentials = ''] = header(req.headers, 'authorization').split(/\s+/, 2);
	if (mode === 'basic' && scheme?.toLowerCase() === 'basic') {
		const decoded = Buffer.from(credentials, 'base64').toString('utf8');
		const colon = decoded.indexOf(':');
		if (colon < 0) return undefined;
		const user = state.registry.userByName(decoded.slice(0, colon));
		if (!user || user.password === undefined || user.password !== decoded.slice(colon + 1)) return undefined;
		return { user };
	}
	if (mode === 'oauth' && scheme?.toLowerCase() === 'bearer') {
		const grant = state.tokens.accessGrant(credentials, state.now());
		const user = grant && state.registry.userByName(grant.user_name);
		return user ? { user } : undefined;
	}
	return undefined;
}

/** The authenticated user, or the 401 answer. */
export function authenticate(
	state: EmulatorState,
	req: EmulatorRequest,
	format: ResponseFormat,
): { user?: UserRecord } | HandleResult {
	const found = caller(state, req);
	if (found) return found;
	return renderError(PLATFORM_ERRORS.UNAUTHENTICATED, format, undefined, {
		'www-authenticate': state.settings.auth === 'oauth' ? 'Bearer realm="Service-now"' : 'Basic realm="Service-now"',
	});
}
