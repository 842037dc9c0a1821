/**
 * The one place the action node talks HTTP: authentication through n8n's credential machinery,
 * JSON or XML, retries with back-off, and answers turned into plain data (never exceptions) and
 * classified against the error catalogue, so every outcome can be routed to a branch.
 */
import {
	NodeOperationError,
	sleep,
	type ICredentialDataDecryptedObject,
	type ICredentialsDecrypted,
	type IExecuteFunctions,
	type IHttpRequestMethods,
	type IHttpRequestOptions,
	type ILoadOptionsFunctions,
	type IPollFunctions,
} from 'n8n-workflow';

/** Where the transport runs: a node's execution, a trigger's poll, or a picker's search. */
export type ApiContext = IExecuteFunctions | IPollFunctions | ILoadOptionsFunctions;
import { PLATFORM_ERRORS, classifyDocumentedMessage, errorForStatus, type CatalogueEntry } from '../../../../contract/errors';
import { wellFormed } from '../../../../contract/encodedQuery';
import { normaliseInstanceUrl } from '../../../../contract/instance';
import { isPlainObject, text } from '../../../../contract/values';
import { parseXmlResponse } from '../../../../contract/xml';

export const CREDENTIAL_TYPES = ['serviceNowPeApi', 'serviceNowPeOAuth2Api'] as const;
export type CredentialType = (typeof CREDENTIAL_TYPES)[number];

export interface RetryPolicy {
	/** Attempts in all, the first included (≥ 1). */
	maxAttempts: number;
	/** Longest wait before a retry, in seconds (caps Retry-After and the back-off). */
	maxWaitSeconds: number;
	/** First back-off step in milliseconds; doubles per retry. */
	baseDelayMs: number;
}

export interface ApiRequest {
	method: IHttpRequestMethods;
	/** Path below the instance URL, e.g. /api/sn_pren/self_remediation/experience_issue/create */
	path: string;
	qs?: Record<string, string | number>;
	/** Serialised body. */
	body?: string;
	format: 'json' | 'xml';
	timeoutMs: number;
}

/** What one attempt came back with. */
export interface Attempt {
	/** HTTP status; 0 when no answer came (network error, timeout). */
	status: number;
	headers: Record<string, string>;
	/** Parsed JSON or XML body (object), or the raw text when it is neither. */
	data: unknown;
	rawText: string;
	/**
	 * Why no answer came; or, for an answer refusing the request as too long (414, 431), what that
	 * means for the caller's values (callers show it as the failure's description).
	 */
	networkError?: string;
	/** No connection was made (refused, host not found): the request certainly did not arrive. */
	notDelivered?: boolean;
}

export interface ApiResult extends Attempt {
	attempts: number;
	/** An earlier attempt may have reached the instance and been processed (5xx, timeout, reset). */
	earlierAttemptUncertain: boolean;
}

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

export async function connectionFor(ctx: ApiContext, credentialType: CredentialType): Promise<Connection> {
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
				? { id: reference?.id ?? '', name: reference?.name ?? credentialType, type: credentialType, data: credentials }
				: undefined,
	};
}

function headerMap(headers: unknown): Record<string, string> {
	const out: Record<string, string> = {};
	if (!isPlainObject(headers)) return out;
	for (const [key, value] of Object.entries(headers)) {
		if (value !== undefined && value !== null) out[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
	}
	return out;
}

function parseBody(body: unknown, contentType: string): { data: unknown; rawText: string } {
	if (body === undefined || body === null) return { data: undefined, rawText: '' };
	if (Buffer.isBuffer(body)) body = body.toString('utf8');
	if (typeof body !== 'string') return { data: body, rawText: JSON.stringify(body) };
	const text = body;
	const trimmed = text.trimStart();
	try {
		if (/xml/.test(contentType) || trimmed.startsWith('<')) return { data: parseXmlResponse(text), rawText: text };
		if (/json/.test(contentType) || trimmed.startsWith('{') || trimmed.startsWith('[')) {
			return { data: JSON.parse(text) as unknown, rawText: text };
		}
	} catch {
		// Not what it claims to be: keep the text, the caller routes it as unrecognised.
	}
	return { data: text, rawText: text };
}

/** An attempt from an answer read elsewhere (an item of a batch answer). */
export function attemptFrom(status: number, headers: Record<string, string>, bodyText: string): Attempt {
	return { status, headers, ...parseBody(bodyText, headers['content-type'] ?? '') };
}

/** Axios's message for an answer outside 2xx: the request itself was answered with that status. */
const ANSWERED_WITH_STATUS = /^Request failed with status code (\d{3})$/;

/**
 * Pulls the HTTP answer out of whatever n8n's request helper threw: the HTTP client's error (on
 * the error or as its cause). n8n 1.x's NodeApiError loses that cause (its ExecutionBaseError
 * declares a `cause` field that resets the native one); all that is left there is the status
 * (`httpCode`, taken only when the client's own "status code" message shows it was this request's
 * answer, not a token request's) and the body when n8n parsed it into an object (`context.data`).
 */
function answerFromError(error: unknown): { status: number; headers: unknown; body: unknown } | undefined {
	const candidates = [error, (error as { cause?: unknown })?.cause];
	for (const c of candidates) {
		const response = (c as { response?: { status?: number; headers?: unknown; data?: unknown; body?: unknown } })?.response;
		if (response && typeof response.status === 'number') {
			return { status: response.status, headers: response.headers, body: response.data ?? response.body };
		}
	}
	const { httpCode, messages, context } = (error ?? {}) as { httpCode?: unknown; messages?: unknown; context?: { data?: unknown } };
	const status = typeof httpCode === 'string' && /^\d{3}$/.test(httpCode) ? Number(httpCode) : undefined;
	const answered = Array.isArray(messages) && messages.some((m) => typeof m === 'string' && ANSWERED_WITH_STATUS.exec(m)?.[1] === httpCode);
	if (status !== undefined && answered) {
		return { status, headers: {}, body: isPlainObject(context?.data) ? context.data : undefined };
	}
	return undefined;
}

// HPE_*: Node's HTTP parser, when what came back is not HTTP (a proxy or service speaking something else).
const NETWORK_CODES = /^(ECONN\w*|ETIMEDOUT|ESOCKETTIMEDOUT|ENOTFOUND|EAI_AGAIN|EPIPE|EHOSTUNREACH|ENETUNREACH|ERR_SOCKET\w*|UND_ERR\w*|ECANCELED|HPE_\w+)$/;

/** True when no answer came: refused, reset, timed out, name not found, bytes that are not HTTP. */
function isNetworkFailure(error: unknown): boolean {
	const e = error as { cause?: { message?: string }; message?: string };
	const message = `${e.message ?? ''} ${e.cause?.message ?? ''}`;
	return NETWORK_CODES.test(networkCode(error)) || /socket hang up|timeout|timed out|network/i.test(message);
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
		if (isAxiosError === true && typeof config?.url === 'string' && config.url.split('?')[0] === url) return true;
	}
	return false;
}

/** Failures before any byte of the request left: the instance cannot have processed it. */
const NOT_DELIVERED = /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH)$/;

function networkCode(error: unknown): string {
	const e = error as { cause?: { code?: string }; code?: string; httpCode?: unknown; messages?: unknown };
	const code = e.cause?.code ?? e.code;
	if (code) return code;
	// n8n 1.x's NodeApiError drops the error it wraps: the code is left in httpCode, or in the
	// messages it kept ("connect ECONNREFUSED 127.0.0.1:1").
	if (typeof e.httpCode === 'string' && /^E[A-Z_]+$/.test(e.httpCode)) return e.httpCode;
	const kept = Array.isArray(e.messages) ? e.messages.filter((m): m is string => typeof m === 'string') : [];
	return kept.map((m) => /\b(E[A-Z]{3,}[A-Z_]*)\b/.exec(m)?.[1]).find((c) => c !== undefined && NETWORK_CODES.test(c)) ?? '';
}

function networkMessage(error: unknown): string {
	const e = error as { cause?: { message?: string }; message?: string };
	const code = networkCode(error);
	const message = e.cause?.message ?? e.message ?? 'request failed';
	return code ? `${code}: ${message}` : message;
}

/** One query string component: well-formed, then every character but RFC 3986's unreserved ones percent-encoded. */
function queryComponent(value: string): string {
	return encodeURIComponent(wellFormed(value)).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * The query string of a request (`a=1&b=2`, in the order given), serialised here rather than by
 * n8n's helper: n8n hands `qs` to the `qs` package, which encodes a string in blocks of 1,024
 * UTF-16 units and so cuts a surrogate pair that straddles a block's end. The cut low half is then
 * encoded together with the next unit, whatever that is: an emoji just before the `^^` of an
 * escaped `^` hid its first `^` and left the second bare, a condition of the value's own making.
 * encodeURIComponent takes the string whole; wellFormed first, so it never throws. Spaces are
 * `%20`, and nothing is left that a URL parser would encode again: the instance gets these bytes.
 */
export function queryString(qs: Record<string, string | number | undefined>): string {
	return Object.entries(qs)
		.filter((entry): entry is [string, string | number] => entry[1] !== undefined)
		.map(([key, value]) => `${queryComponent(key)}=${queryComponent(String(value))}`)
		.join('&');
}

/** Answers refusing a request for its length: its URL (414), or its request line and headers (431). */
const TOO_LONG: Record<number, string> = { 414: 'URI Too Long', 431: 'Request Header Fields Too Large' };

/**
 * What a 414 or 431 means here: a value in the query (a host name, an ID, search text) made the
 * URL longer than the instance (or a proxy before it) takes. Sending it again will not help.
 */
function tooLongFor(status: number, url: string): string | undefined {
	if (!TOO_LONG[status]) return undefined;
	return `The instance refused the request as too long (HTTP ${status} ${TOO_LONG[status]}): the values in its query make a URL of ${url.length.toLocaleString('en-US')} characters. Shorten the value (host name, ID or search text); as it is, it will be refused again.`;
}

/** Whether the credential carries an OAuth token n8n renews when its expirable field is empty. */
function renewableToken(connection: Connection): ICredentialDataDecryptedObject | undefined {
	const data = connection.credentialsDecrypted?.data;
	return data && typeof data.authType === 'string' && data.authType !== 'basic' ? data : undefined;
}

async function attempt(ctx: ApiContext, connection: Connection, request: ApiRequest): Promise<Attempt> {
	const mime = request.format === 'xml' ? 'application/xml' : 'application/json';
	const target = `${connection.baseUrl}${request.path}`;
	const query = request.qs ? queryString(request.qs) : '';
	const options: IHttpRequestOptions = {
		method: request.method,
		// No `qs`: the query goes in the URL, already encoded (see queryString).
		url: query ? `${target}?${query}` : target,
		headers: { accept: mime, ...(request.body !== undefined ? { 'content-type': mime } : {}) },
		body: request.body,
		returnFullResponse: true,
		// Every answer is returned whole (status, headers, body): n8n 1.x keeps nothing of a thrown
		// one but its status. A 401 is renewed and sent again below.
		ignoreHttpStatusErrors: true,
		json: false,
		encoding: 'text',
		timeout: request.timeoutMs,
		skipSslCertificateValidation: connection.skipSslCertificateValidation,
		// A redirect is answered, not followed: the API does not redirect, an instance URL that
		// does (http → https, a sleeping developer instance's wake-up page) is wrong, and
		// following would resend the credentials to another address and turn the POST into a GET.
		disableFollowRedirect: true,
	};
	const token = renewableToken(connection);
	const tokenSent = token?.accessToken;
	const first = await send(ctx, connection, options, query ? options.url : undefined, target);
	if (first.status !== 401) return first;
	// A 401 was refused before processing: sending again is safe. n8n renews a token only for an
	// answer it throws, or (serviceNowPeApi's OAuth grants) when the token field is empty.
	if (token) {
		// Emptied unless another request renewed it meanwhile: n8n then asks for a new one
		// (refresh token first) and stores it, and the request goes with it, answered whole.
		if (token.accessToken === tokenSent || tokenSent === '') token.accessToken = '';
		return await send(ctx, connection, options, query ? options.url : undefined, target);
	}
	if (connection.credentialType === 'serviceNowPeOAuth2Api') {
		// n8n's OAuth2 client refreshes when the answer is thrown with 401 (n8n 1.x and 2.x alike).
		return await send(ctx, connection, { ...options, ignoreHttpStatusErrors: false }, query ? options.url : undefined, target);
	}
	// Basic authentication: the user name or password is wrong; sending again changes nothing.
	return first;
}

/** An attempt from an answer; a read refused as too long says what that means for its values. */
function answered(status: number, rawHeaders: unknown, body: unknown, readUrl: string | undefined): Attempt {
	const headers = headerMap(rawHeaders);
	// Only a read carries values in its URL; a create's 431 is about something else.
	const tooLong = readUrl ? tooLongFor(status, readUrl) : undefined;
	return { status, headers, ...parseBody(body, headers['content-type'] ?? ''), ...(tooLong ? { networkError: tooLong } : {}) };
}

/** One request through n8n's credential machinery; whatever comes back, as an attempt. */
async function send(ctx: ApiContext, connection: Connection, options: IHttpRequestOptions, readUrl: string | undefined, target: string): Promise<Attempt> {
	try {
		const res = (await ctx.helpers.httpRequestWithAuthentication.call(
			ctx,
			connection.credentialType,
			options,
			connection.credentialsDecrypted ? { credentialsDecrypted: connection.credentialsDecrypted } : undefined,
		)) as {
			statusCode?: number;
			status?: number;
			headers?: unknown;
			body?: unknown;
		};
		return answered(res.statusCode ?? res.status ?? 200, res.headers, res.body, readUrl);
	} catch (error) {
		const answer = answerFromError(error);
		if (answer) return answered(answer.status, answer.headers, answer.body, readUrl);
		// Whatever else failed while the request was on its way (reset, timeout, an answer that is
		// not HTTP) is an attempt without answer: the instance may have processed it, or still be.
		if (isNetworkFailure(error) || failedAfterSending(error, target)) {
			return { status: 0, headers: {}, data: undefined, rawText: '', networkError: networkMessage(error), notDelivered: NOT_DELIVERED.test(networkCode(error)) };
		}
		// Nothing was sent: the credentials could not be used (e.g. the token request was
		// refused). That concerns every item, so the node stops with the reason.
		const cause = (error as { cause?: Error }).cause;
		throw new NodeOperationError(ctx.getNode(), (cause instanceof Error ? cause : (error as Error)).message, {
			description: 'Check the ServiceNow Proactive Engagement credential.',
		});
	}
}

/** Seconds to wait per Retry-After (seconds or an HTTP date), or undefined. */
export function retryAfterSeconds(value: string | undefined, now = Date.now()): number | undefined {
	if (!value) return undefined;
	if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value);
	const at = Date.parse(value);
	return Number.isNaN(at) ? undefined : Math.max(0, (at - now) / 1000);
}

/**
 * An attempt that got no answer from the instance — reset, timed out, answered with bytes that
 * are not HTTP, or a gateway's 504 (it stopped waiting, the instance had not answered) — may still
 * be being processed: a read that finds nothing proves nothing about it. (A refused connection
 * never arrived; any other answer, a 5xx too, ends the instance's processing.)
 */
export function unanswered(a: Pick<Attempt, 'status' | 'notDelivered'>): boolean {
	return (a.status === 0 && !a.notDelivered) || GATEWAY_GAVE_UP.has(a.status) || a.status >= 520;
}

/**
 * Answers of a gateway in front of the instance that stopped waiting for it or lost its answer:
 * 502 (nginx, load balancers: the upstream's answer broke off) and 504 (it took too long); 520 and
 * up are CDNs' own (Cloudflare's 524 "a timeout occurred") and proxies' 598/599 network timeouts.
 */
const GATEWAY_GAVE_UP = new Set([502, 504]);

/** An answer a retry may change: none, a 429 or a 5xx. */
export function retryable(a: Pick<Attempt, 'status'>): boolean {
	return a.status === 0 || a.status === 429 || a.status >= 500;
}

/**
 * Before resending a request an earlier attempt of which may have been processed (5xx, lost
 * answer, timeout): 'stop' ends the attempts there (the earlier one was processed, or resending
 * could do harm), 'retry' goes on.
 */
export type BeforeRetry = (attempt: Attempt) => Promise<'stop' | 'retry'>;

/**
 * Sends a request, retrying 429 (after Retry-After), 5xx and network failures with exponential
 * back-off, up to the policy's attempts. Never throws for an HTTP or network failure.
 */
export async function apiRequest(
	ctx: ApiContext,
	connection: Connection,
	request: ApiRequest,
	policy: RetryPolicy,
	beforeRetry?: BeforeRetry,
	/** Told of every attempt as it starts (callers follow what is in flight). */
	watch?: (pending: Promise<Attempt>) => void,
): Promise<ApiResult> {
	let uncertain = false;
	for (let n = 1; ; n++) {
		const pending = attempt(ctx, connection, request);
		watch?.(pending);
		const result = await pending;
		if (!retryable(result) || n >= policy.maxAttempts) {
			return { ...result, attempts: n, earlierAttemptUncertain: uncertain };
		}
		// A 429 was refused before processing, a refused connection never arrived; a 5xx or a lost
		// answer may have been processed.
		if (result.status !== 429 && !result.notDelivered) {
			uncertain = true;
			if (beforeRetry && (await beforeRetry(result)) === 'stop') return { ...result, attempts: n, earlierAttemptUncertain: true };
		}
		const backoff = (policy.baseDelayMs * 2 ** (n - 1)) / 1000;
		const wait = retryAfterSeconds(result.headers['retry-after']) ?? backoff;
		await sleep(Math.min(wait, policy.maxWaitSeconds) * 1000);
	}
}

/** Sends one serialised create request. */
export async function sendCreate(
	ctx: ApiContext,
	connection: Connection,
	path: string,
	body: string,
	options: { requestFormat: 'json' | 'xml'; timeoutMs: number; policy: RetryPolicy },
	beforeRetry?: BeforeRetry,
	watch?: (pending: Promise<Attempt>) => void,
): Promise<ApiResult> {
	return apiRequest(ctx, connection, { method: 'POST', path, body, format: options.requestFormat, timeoutMs: options.timeoutMs }, options.policy, beforeRetry, watch);
}

export type Outcome =
	| { kind: 'created'; experienceId: string }
	| { kind: 'error'; entry: CatalogueEntry; message: string; detail: string };

function errorOf(entry: CatalogueEntry, detail: string, message = entry.message): Outcome {
	return { kind: 'error', entry, message, detail };
}

/** Reads a create answer the way the API document describes it, tolerating `experienceId`. */
export function classify(result: Attempt): Outcome {
	if (result.status === 0) return errorOf(PLATFORM_ERRORS.NETWORK_ERROR, result.networkError ?? '');
	if (result.status >= 200 && result.status < 300) {
		const res = isPlainObject(result.data) && isPlainObject(result.data.result) ? result.data.result : undefined;
		const id = res?.experience_id ?? res?.experienceId;
		if (typeof id === 'string' || typeof id === 'number') return { kind: 'created', experienceId: String(id) };
		return errorOf(PLATFORM_ERRORS.UNRECOGNISED_ANSWER, `HTTP ${result.status} without result.experience_id`);
	}
	if (result.status >= 300 && result.status < 400) {
		const location = result.headers.location;
		return errorOf(
			PLATFORM_ERRORS.UNRECOGNISED_ANSWER,
			`${location ? `To ${location}. ` : ''}Check the credential's Instance URL (https, the instance name) and that the instance is awake; the node does not follow redirects.`,
			`The instance redirected the request (HTTP ${result.status})`,
		);
	}
	const error = isPlainObject(result.data) && isPlainObject(result.data.error) ? result.data.error : {};
	const message = error.message === undefined || error.message === null ? undefined : text(error.message);
	const detail = error.detail === undefined || error.detail === null ? undefined : text(error.detail);
	const documented = classifyDocumentedMessage(message);
	if (documented) return errorOf(documented, detail ?? '', message);
	const entry =
		errorForStatus(result.status) ??
		[PLATFORM_ERRORS.UNKNOWN_RESOURCE, PLATFORM_ERRORS.MALFORMED_BODY].find((e) => e.message === message) ??
		PLATFORM_ERRORS.UNRECOGNISED_ANSWER;
	return errorOf(entry, detail ?? `HTTP ${result.status}`, message ?? entry.message);
}
