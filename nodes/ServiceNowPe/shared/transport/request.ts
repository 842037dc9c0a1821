/**
 * The one place the action node talks HTTP: authentication through n8n's credential machinery,
 * JSON or XML, retries with back-off, and answers turned into plain data (never exceptions) and
 * classified against the error catalogue, so every outcome can be routed to a branch.
 */
import {
	NodeOperationError,
	sleep,
	type ICredentialDataDecryptedObject,
	type IExecuteFunctions,
	type IHttpRequestMethods,
	type IHttpRequestOptions,
	type ILoadOptionsFunctions,
	type IPollFunctions,
} from 'n8n-workflow';

/** Where the transport runs: a node's execution, a trigger's poll, or a picker's search. */
export type ApiContext = IExecuteFunctions | IPollFunctions | ILoadOptionsFunctions;
import { wellFormed } from '../../../../contract/encodedQuery';
import {
	mayHaveBeenProcessed,
	retryable,
	retryWaitMs,
	type RetryPolicy,
} from '../../../../contract/retry';
import { isPlainObject } from '../../../../contract/values';
import { parseXmlResponse } from '../../../../contract/xml';
import type { Connection } from '../authentication';
import { answerFromError, lostOnTheWay } from './failure';

export type { RetryPolicy } from '../../../../contract/retry';
export type { Connection, CredentialType } from '../authentication';

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

function headerMap(headers: unknown): Record<string, string> {
	const out: Record<string, string> = {};
	if (!isPlainObject(headers)) return out;
	for (const [key, value] of Object.entries(headers)) {
		if (value !== undefined && value !== null)
			out[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
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
		if (/xml/.test(contentType) || trimmed.startsWith('<'))
			return { data: parseXmlResponse(text), rawText: text };
		if (/json/.test(contentType) || trimmed.startsWith('{') || trimmed.startsWith('[')) {
			return { data: JSON.parse(text) as unknown, rawText: text };
		}
	} catch {
		// Not what it claims to be: keep the text, the caller routes it as unrecognised.
	}
	return { data: text, rawText: text };
}

/** An attempt from an answer read elsewhere (an item of a batch answer). */
export function attemptFrom(
	status: number,
	headers: Record<string, string>,
	bodyText: string,
): Attempt {
	return { status, headers, ...parseBody(bodyText, headers['content-type'] ?? '') };
}

/** One query string component: well-formed, then every character but RFC 3986's unreserved ones percent-encoded. */
function queryComponent(value: string): string {
	return encodeURIComponent(wellFormed(value)).replace(
		/[!'()*]/g,
		(c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
	);
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
const TOO_LONG: Record<number, string> = {
	414: 'URI Too Long',
	431: 'Request Header Fields Too Large',
};

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

/**
 * One exchange with the instance (a 401 renewed and sent once more): whatever comes back, as an
 * attempt. Never throws for an HTTP or network failure.
 */
export async function exchange(
	ctx: ApiContext,
	connection: Connection,
	request: ApiRequest,
): Promise<Attempt> {
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
		return await send(
			ctx,
			connection,
			{ ...options, ignoreHttpStatusErrors: false },
			query ? options.url : undefined,
			target,
		);
	}
	// Basic authentication: the user name or password is wrong; sending again changes nothing.
	return first;
}

/** An attempt from an answer; a read refused as too long says what that means for its values. */
function answered(
	status: number,
	rawHeaders: unknown,
	body: unknown,
	readUrl: string | undefined,
): Attempt {
	const headers = headerMap(rawHeaders);
	// Only a read carries values in its URL; a create's 431 is about something else.
	const tooLong = readUrl ? tooLongFor(status, readUrl) : undefined;
	return {
		status,
		headers,
		...parseBody(body, headers['content-type'] ?? ''),
		...(tooLong ? { networkError: tooLong } : {}),
	};
}

/** One request through n8n's credential machinery; whatever comes back, as an attempt. */
async function send(
	ctx: ApiContext,
	connection: Connection,
	options: IHttpRequestOptions,
	readUrl: string | undefined,
	target: string,
): Promise<Attempt> {
	try {
		const res = (await ctx.helpers.httpRequestWithAuthentication.call(
			ctx,
			connection.credentialType,
			options,
			connection.credentialsDecrypted
				? { credentialsDecrypted: connection.credentialsDecrypted }
				: undefined,
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
		const lost = lostOnTheWay(error, target);
		if (lost) return { status: 0, headers: {}, data: undefined, rawText: '', ...lost };
		// Nothing was sent: the credentials could not be used (e.g. the token request was
		// refused). That concerns every item, so the node stops with the reason.
		const cause = (error as { cause?: Error }).cause;
		throw new NodeOperationError(
			ctx.getNode(),
			(cause instanceof Error ? cause : (error as Error)).message,
			{
				description: 'Check the ServiceNow Proactive Engagement credential.',
			},
		);
	}
}

/**
 * Sends a request, retrying what contract/retry.ts says a retry may change, up to the policy's
 * attempts. A request that is not safe to repeat (`repeatable: false`) is retried only after an
 * attempt that cannot have been processed (429, a refused connection). Never throws for an HTTP
 * or network failure.
 */
export async function apiRequest(
	ctx: ApiContext,
	connection: Connection,
	request: ApiRequest,
	policy: RetryPolicy,
	{ repeatable = true }: { repeatable?: boolean } = {},
): Promise<ApiResult> {
	let uncertain = false;
	for (let n = 1; ; n++) {
		const result = await exchange(ctx, connection, request);
		if (!retryable(result) || n >= policy.maxAttempts)
			return { ...result, attempts: n, earlierAttemptUncertain: uncertain };
		if (mayHaveBeenProcessed(result)) {
			uncertain = true;
			if (!repeatable) return { ...result, attempts: n, earlierAttemptUncertain: true };
		}
		await sleep(retryWaitMs(policy, n, result.headers['retry-after']));
	}
}

/** The instance's clock when it answered, from the answer's Date header (ms); undefined without one. */
export function instanceTime(answer: Pick<Attempt, 'headers'>): number | undefined {
	const date = Date.parse(answer.headers.date ?? '');
	return Number.isFinite(date) ? date : undefined;
}
