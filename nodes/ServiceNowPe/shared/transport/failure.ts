/**
 * What n8n's request helper threw, read for what it says about the request: an HTTP answer it
 * threw instead of returning, a failure on the way (no answer: the request may have arrived), or
 * a failure before sending (the credential could not be used).
 */
import { isPlainObject } from '../../../../contract/values';

/** Axios's message for an answer outside 2xx: the request itself was answered with that status. */
const ANSWERED_WITH_STATUS = /^Request failed with status code (\d{3})$/;

/**
 * Pulls the HTTP answer out of whatever n8n's request helper threw: the HTTP client's error (on
 * the error or as its cause). n8n 1.x's NodeApiError loses that cause (its ExecutionBaseError
 * declares a `cause` field that resets the native one); all that is left there is the status
 * (`httpCode`, taken only when the client's own "status code" message shows it was this request's
 * answer, not a token request's) and the body when n8n parsed it into an object (`context.data`).
 */
export function answerFromError(
	error: unknown,
): { status: number; headers: unknown; body: unknown } | undefined {
	const candidates = [error, (error as { cause?: unknown })?.cause];
	for (const c of candidates) {
		const response = (
			c as { response?: { status?: number; headers?: unknown; data?: unknown; body?: unknown } }
		)?.response;
		if (response && typeof response.status === 'number') {
			return {
				status: response.status,
				headers: response.headers,
				body: response.data ?? response.body,
			};
		}
	}
	const { httpCode, messages, context } = (error ?? {}) as {
		httpCode?: unknown;
		messages?: unknown;
		context?: { data?: unknown };
	};
	const status =
		typeof httpCode === 'string' && /^\d{3}$/.test(httpCode) ? Number(httpCode) : undefined;
	const answered =
		Array.isArray(messages) &&
		messages.some((m) => typeof m === 'string' && ANSWERED_WITH_STATUS.exec(m)?.[1] === httpCode);
	if (status !== undefined && answered) {
		return { status, headers: {}, body: isPlainObject(context?.data) ? context.data : undefined };
	}
	return undefined;
}

// HPE_*: Node's HTTP parser, when what came back is not HTTP (a proxy or service speaking something else).
const NETWORK_CODES =
	/^(ECONN\w*|ETIMEDOUT|ESOCKETTIMEDOUT|ENOTFOUND|EAI_AGAIN|EPIPE|EHOSTUNREACH|ENETUNREACH|ERR_SOCKET\w*|UND_ERR\w*|ECANCELED|HPE_\w+)$/;

/** True when no answer came: refused, reset, timed out, name not found, bytes that are not HTTP. */
function isNetworkFailure(error: unknown): boolean {
	const e = error as { cause?: { message?: string }; message?: string };
	const message = `${e.message ?? ''} ${e.cause?.message ?? ''}`;
	return (
		NETWORK_CODES.test(networkCode(error)) ||
		/socket hang up|timeout|timed out|network/i.test(message)
	);
}

/** How n8n's HTTP client marks what it threw for a request it made (n8n 2.x). */
const HTTP_REQUEST_ERROR = Symbol.for('n8n.backend-network.http-request-error');

/**
 * Whether the error came from sending this request itself, so it may have reached the instance,
 * rather than from getting the credential ready (a token request, a refusal), which concerns
 * every item: marked by n8n's HTTP client, or (n8n 1.x) the HTTP client's error for this URL.
 */
function failedAfterSending(error: unknown, url: string): boolean {
	for (const e of [error, (error as { cause?: unknown } | undefined)?.cause]) {
		if (typeof e !== 'object' || e === null) continue;
		if ((e as Record<symbol, unknown>)[HTTP_REQUEST_ERROR] === true) return true;
		const { isAxiosError, config } = e as { isAxiosError?: boolean; config?: { url?: unknown } };
		if (
			isAxiosError === true &&
			typeof config?.url === 'string' &&
			config.url.split('?')[0] === url
		)
			return true;
	}
	return false;
}

/** Failures before any byte of the request left: the instance cannot have processed it. */
const NOT_DELIVERED = /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH)$/;

function networkCode(error: unknown): string {
	const e = error as {
		cause?: { code?: string };
		code?: string;
		httpCode?: unknown;
		messages?: unknown;
	};
	const code = e.cause?.code ?? e.code;
	if (code) return code;
	// n8n 1.x's NodeApiError drops the error it wraps: the code is left in httpCode, or in the
	// messages it kept ("connect ECONNREFUSED 127.0.0.1:1").
	if (typeof e.httpCode === 'string' && /^E[A-Z_]+$/.test(e.httpCode)) return e.httpCode;
	const kept = Array.isArray(e.messages)
		? e.messages.filter((m): m is string => typeof m === 'string')
		: [];
	return (
		kept
			.map((m) => /\b(E[A-Z]{3,}[A-Z_]*)\b/.exec(m)?.[1])
			.find((c) => c !== undefined && NETWORK_CODES.test(c)) ?? ''
	);
}

function networkMessage(error: unknown): string {
	const e = error as { cause?: { message?: string }; message?: string };
	const code = networkCode(error);
	const message = e.cause?.message ?? e.message ?? 'request failed';
	return code ? `${code}: ${message}` : message;
}

/**
 * Why no answer came, when the error says the request failed on its way (reset, timeout, an
 * answer that is not HTTP): the instance may have processed it, or still be. `notDelivered`: no
 * connection was made, so it certainly did not arrive. Undefined: the request was not sent.
 */
export function lostOnTheWay(
	error: unknown,
	target: string,
): { networkError: string; notDelivered: boolean } | undefined {
	if (!isNetworkFailure(error) && !failedAfterSending(error, target)) return undefined;
	return {
		networkError: networkMessage(error),
		notDelivered: NOT_DELIVERED.test(networkCode(error)),
	};
}
