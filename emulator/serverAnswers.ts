/**
 * The one home of the answers the standalone server gives on its own, without the core, in the
 * platform's error shape: 429 to a connection over the cap (the server writes it on the socket as
 * it connects) and 503 to requests whose changes could not be saved to the state file.
 */
import { PLATFORM_ERRORS } from '../contract/errors';
import type { HandleResult } from './core';

/** The answer to a connection over the cap, as raw HTTP: 429, and the connection closes. */
export function tooManyConnections(cap: number): string {
	const body = JSON.stringify({
		error: {
			message: PLATFORM_ERRORS.RATE_LIMITED.message,
			detail: `The emulator serves at most ${cap} connections at once; retry after 1 second.`,
		},
		status: 'failure',
	});
	return `HTTP/1.1 429 Too Many Requests\r\ncontent-type: application/json;charset=UTF-8\r\nretry-after: 1\r\nconnection: close\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

/** The answer to requests whose changes could not be saved: nothing was changed. */
export function unsaved(): HandleResult {
	return {
		status: 503,
		headers: { 'content-type': 'application/json;charset=UTF-8', 'retry-after': '1' },
		body: JSON.stringify({
			error: {
				message: PLATFORM_ERRORS.SERVICE_UNAVAILABLE.message,
				detail: 'The change could not be saved to the state file; nothing was changed. Retry.',
			},
			status: 'failure',
		}),
	};
}
