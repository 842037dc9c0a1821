/**
 * One request's way through the emulator: read → limits → fault → authenticate → dispatch to its
 * handler (create, oauth, table, control) → journal. Synchronous, so concurrent requests are
 * applied one at a time.
 */
import { BATCH_PATHS } from '../../contract/batch';
import { NAMESPACES, OAUTH_AUTHORIZE_PATH, OAUTH_TOKEN_PATH, TABLE_API_PREFIX, createIssuePath } from '../../contract/api';
import { ERROR_CATALOGUE, PLATFORM_ERRORS, errorForStatus, isErrorCode } from '../../contract/errors';
import { scalarText } from '../../contract/values';
import { authenticate } from './auth';
import { playDue } from './engagement';
import type { ApiCall, EmulatorState, Handler, HandleResult } from './context';
import type { Fault, Route } from './faults';
import { handleBatch } from './handlers/batch';
import { CONTROL_PREFIX, handleControl } from './handlers/control';
import { handleCreate } from './handlers/create';
import { handleAuthorize, handleToken } from './handlers/oauth';
import { handleTable } from './handlers/table';
import { parseBodyOnce, renderError, responseFormat, type EmulatorRequest, type ParsedBody } from './http';

const CREATE_PATHS = new Set(NAMESPACES.map((ns) => createIssuePath(ns)));

const HANDLERS: Record<Exclude<Route, 'unknown' | 'batch'>, Handler> = {
	create: handleCreate,
	token: handleToken,
	authorize: handleAuthorize,
	table: handleTable,
};

/** Routes that are part of signing in, answered without authentication. */
const OPEN_ROUTES: ReadonlySet<Route> = new Set(['token', 'authorize']);

function routeOf(path: string): Route {
	if (CREATE_PATHS.has(path)) return 'create';
	if (BATCH_PATHS.includes(path)) return 'batch';
	if (path === OAUTH_TOKEN_PATH) return 'token';
	if (path === OAUTH_AUTHORIZE_PATH) return 'authorize';
	if (path.startsWith(TABLE_API_PREFIX)) return 'table';
	return 'unknown';
}

const ABSOLUTE_FORM = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

/**
 * The origin form of a request target: an absolute-form target (RFC 9112 §3.2.2) loses its scheme
 * and authority, user:password and all; one that is no valid URL is read as `/` (no part of it
 * is kept, as a password may be anywhere in it).
 */
function originForm(target: string): string {
	if (!ABSOLUTE_FORM.test(target)) return target;
	try {
		const url = new URL(target);
		return url.pathname + url.search;
	} catch {
		return '/';
	}
}

function splitUrl(target: string): [string, string] {
	const url = originForm(target);
	const q = url.indexOf('?');
	return q < 0 ? [url || '/', ''] : [url.slice(0, q) || '/', url.slice(q + 1)];
}

/** The request as the handlers see it: path without doubled slashes, route, answer format. */
function read(req: EmulatorRequest): ApiCall {
	const [rawPath, query = ''] = splitUrl(req.url);
	const path = rawPath.includes('//') ? rawPath.replace(/\/{2,}/g, '/') : rawPath;
	let parsed: ParsedBody | undefined;
	return {
		method: req.method.toUpperCase(),
		path,
		query,
		route: routeOf(path),
		format: responseFormat(req.headers),
		req,
		body: () => (parsed ??= parseBodyOnce(req)),
	};
}

function takeFault(state: EmulatorState, call: ApiCall): Fault | undefined {
	if (state.faults.size === 0) return undefined;
	return state.faults.take({
		route: call.route,
		method: call.method,
		path: call.path,
		issueCode: () => scalarText(call.body().body?.issue_code) ?? undefined,
	});
}

function faultAnswer(state: EmulatorState, fault: Fault | undefined, call: ApiCall): HandleResult | undefined {
	if (!fault) return undefined;
	if (fault.drop === 'before') return { status: 0, headers: {}, body: '', drop: true };
	if (fault.error) {
		const entry = ERROR_CATALOGUE[fault.error];
		return renderError(entry, call.format, `${entry.detail} (injected fault)`);
	}
	if (!fault.status) return undefined;
	const entry = errorForStatus(fault.status) ?? PLATFORM_ERRORS.SERVER_ERROR;
	const headers: Record<string, string> = {};
	if (fault.status === 429 || fault.status === 503) {
		const retryAfter = fault.retryAfter ?? 1;
		headers['retry-after'] = String(retryAfter);
		if (fault.status === 429) {
			headers['x-ratelimit-limit'] = '100';
			headers['x-ratelimit-remaining'] = '0';
			headers['x-ratelimit-reset'] = String(Math.ceil(state.now() / 1000) + retryAfter);
		}
	}
	const rendered = renderError(entry, call.format, `${entry.detail} (injected fault)`, headers);
	rendered.status = fault.status;
	return rendered;
}

/** Undefined when the caller may go on (auth off, signing in, or good credentials). */
function refusedCaller(state: EmulatorState, call: ApiCall): HandleResult | undefined {
	if (OPEN_ROUTES.has(call.route)) return undefined;
	const found = authenticate(state, call.req, call.format);
	if ('status' in found) return found;
	call.user = found.user;
	return undefined;
}

function dispatch(state: EmulatorState, call: ApiCall, fault: Fault | undefined, inBatch: boolean): HandleResult {
	if (call.route === 'unknown') return renderError(PLATFORM_ERRORS.UNKNOWN_RESOURCE, call.format);
	if (call.route === 'batch') {
		if (inBatch) return renderError(PLATFORM_ERRORS.UNKNOWN_RESOURCE, 'json', 'A batch cannot hold another batch.');
		// Each item goes the way of a request of its own, as the outer request's caller.
		return handleBatch(state, call, (item) => run(state, item, true, call.user), fault?.unservicedAfter);
	}
	return HANDLERS[call.route](state, call);
}

/** The largest body a request to this target may have (a batch carries many items). */
export function bodyLimitOf(state: EmulatorState, url: string): number {
	return routeOf(splitUrl(url)[0].replace(/\/{2,}/g, '/')) === 'batch' ? state.settings.maxBatchBytes : state.settings.maxBodyBytes;
}

/** Every refused create (auth, body, injected status) reaches adapters as a rejection. */
function completeCreateOutcome(call: ApiCall, result: HandleResult): void {
	if (call.route !== 'create' || result.outcome || result.status < 400 || result.drop) return;
	const entry = result.errorCode && isErrorCode(result.errorCode) ? ERROR_CATALOGUE[result.errorCode] : PLATFORM_ERRORS.SERVER_ERROR;
	result.outcome = { kind: 'rejected', error: entry, body: call.body().body };
}

function describeFault(fault: Fault): string {
	if (fault.drop) return `drop ${fault.drop}`;
	if (fault.error) return `error ${fault.error}`;
	if (fault.status) return `status ${fault.status}`;
	if (fault.unservicedAfter !== undefined) return `unserviced after ${fault.unservicedAfter}`;
	return `delay ${fault.delayMs} ms`;
}

function record(state: EmulatorState, call: ApiCall, result: HandleResult, fault: Fault | undefined): void {
	const errorCode = result.outcome?.kind === 'rejected' ? result.outcome.error.code : result.errorCode;
	const extra =
		errorCode || fault ? { ...(errorCode ? { errorCode } : {}), ...(fault ? { fault: describeFault(fault) } : {}) } : undefined;
	const [rawPath] = splitUrl(call.req.url);
	state.journal.record(call.req, call.query ? `${rawPath}?${call.query}` : rawPath, call.route, result, state.now(), extra);
}

export function handleRequest(state: EmulatorState, req: EmulatorRequest): HandleResult {
	return run(state, req, false);
}

/** The instance's clock as an HTTP date, made once per second. */
let dateSecond = -1;
let dateText = '';
function httpDate(ms: number): string {
	const second = Math.floor(ms / 1000);
	if (second !== dateSecond) {
		dateSecond = second;
		dateText = new Date(second * 1000).toUTCString();
	}
	return dateText;
}

/**
 * One request through the pipeline. `inBatch`: an item of a batch, run as the batch's caller
 * (`caller`: already authenticated with the outer request), never the control API or a batch.
 */
function run(state: EmulatorState, req: EmulatorRequest, inBatch: boolean, caller?: ApiCall['user']): HandleResult {
	// The engagements move with the clock: every request sees them as they are now.
	playDue(state);
	const call = read(req);
	if (state.settings.control && !inBatch && call.path.startsWith(CONTROL_PREFIX)) return handleControl(state, call);
	const maxBodyBytes = call.route === 'batch' && !inBatch ? state.settings.maxBatchBytes : state.settings.maxBodyBytes;
	let result: HandleResult;
	let fault: Fault | undefined;
	if ((req.bodyBytes ?? Buffer.byteLength(req.body)) > maxBodyBytes) {
		result = renderError(PLATFORM_ERRORS.PAYLOAD_TOO_LARGE, call.format, `The body has more than ${maxBodyBytes} bytes, the most this emulator accepts.`);
	} else {
		fault = takeFault(state, call);
		if (inBatch) call.user = caller;
		result = faultAnswer(state, fault, call) ?? (inBatch ? undefined : refusedCaller(state, call)) ?? dispatch(state, call, fault, inBatch);
		completeCreateOutcome(call, result);
		if (fault?.delayMs) result.delayMs = fault.delayMs;
		if (fault?.drop === 'after') result.drop = true;
	}
	// The instance's clock in every answer, as instances send it: pollers take time from it.
	result.headers.date ??= httpDate(state.now());
	record(state, call, result, fault);
	return result;
}

/**
 * What can be answered from the request line and headers alone, before the body is read: a body
 * declared larger than the limit (413), or missing or wrong credentials (401). Undefined: read the
 * body and handle the request. With faults pending the full pipeline decides (faults come first).
 */
export function handleHead(state: EmulatorState, req: Omit<EmulatorRequest, 'body'> & { contentLength?: number }): HandleResult | undefined {
	const full: EmulatorRequest = { ...req, body: '', bodyBytes: req.contentLength ?? 0 };
	const call = read(full);
	if (state.settings.control && call.path.startsWith(CONTROL_PREFIX)) return undefined;
	let result: HandleResult | undefined;
	const limit = bodyLimitOf(state, req.url);
	if ((req.contentLength ?? 0) > limit) {
		result = renderError(PLATFORM_ERRORS.PAYLOAD_TOO_LARGE, call.format, `The body has more than ${limit} bytes, the most this emulator accepts.`);
	} else if (state.faults.size === 0) {
		result = refusedCaller(state, call);
		if (result) completeCreateOutcome(call, result);
	}
	if (result) {
		result.headers.date ??= httpDate(state.now());
		record(state, call, result, undefined);
	}
	return result;
}
