/**
 * A request as the emulator reads it, once: its target (origin form, path, query, route), the
 * headers every step needs (answer format, credentials), its body limit, and its body (JSON or
 * XML) parsed. Every later step takes these from the call, never from the request again.
 */
import { BATCH_PATHS } from '../../contract/batch';
import {
	NAMESPACES,
	OAUTH_AUTHORIZE_PATH,
	OAUTH_TOKEN_PATH,
	TABLE_API_PREFIX,
	createIssuePath,
} from '../../contract/api';
import { isPlainObject } from '../../contract/values';
import { MAX_NESTING_DEPTH, XmlBodyError, parseXmlBody } from '../../contract/xml';
import type { ResponseFormat } from './answer';
import type { EmulatorSettings } from './context';
import type { UserRecord } from './registry';

export type HeaderValue = string | string[] | undefined;

/** A request's line and headers: all there is before its body is read. */
export interface RequestHead {
	method: string;
	/** Path with optional query string, as received (e.g. `//api/sn_srf/...?x=1`). */
	url: string;
	headers: Record<string, HeaderValue>;
}

export interface EmulatorRequest extends RequestHead {
	/** Raw body text ('' when none). */
	body: string;
	/** Size of the body as received, when an adapter stopped reading it early (oversized). */
	bodyBytes?: number;
	/** The head as `Emulator.admit` read it before the body came: it is neither read nor authenticated again. */
	admitted?: ApiCall;
}

/** The emulated routes (fault matches name them; control is the `/_emulator/` API, never faulted). */
export const ROUTES = ['create', 'table', 'token', 'authorize', 'batch', 'unknown'] as const;
export type Route = (typeof ROUTES)[number] | 'control';

export const CONTROL_PREFIX = '/_emulator/';

const CREATE_PATHS = new Set(NAMESPACES.map((ns) => createIssuePath(ns)));

/** A request as read: what the pipeline, the caller's check, the handlers and the journal use. */
export interface ApiCall {
	/** Upper case. */
	method: string;
	/** Path with doubled slashes folded, without the query. */
	path: string;
	query: string;
	route: Route;
	/** The answer's format, from the Accept header. */
	format: ResponseFormat;
	/** The target as the journal keeps it: the path as received (origin form) and the query. */
	target: string;
	/** The Authorization header. */
	authorization: string;
	/** The largest body this request may have (a batch carries many items). */
	bodyLimit: number;
	/** Bytes of the body as received. */
	bodyBytes: number;
	req: EmulatorRequest;
	/** The body, parsed once; not read for the control API or past the body limit. */
	body: ParsedBody;
	/** The authenticated user (none when the auth mode is none). */
	user?: UserRecord;
	/** Whether the caller is settled: checked from the head, a route of signing in, or a batch's item. */
	authenticated?: boolean;
}

/** A request body read once: the object, or why it could not be read. */
export interface ParsedBody {
	body?: Record<string, unknown>;
	error?: BodyError;
}

export class BodyError extends Error {
	constructor(
		message: string,
		readonly unsupportedType = false,
	) {
		super(message);
	}
}

const NOT_READ: ParsedBody = Object.freeze({});
/** Most requests (every read) have no body: one error serves them all. */
const EMPTY: ParsedBody = Object.freeze({
	error: new BodyError('The request body is empty; send a JSON object or an XML document.'),
});

export function header(headers: Record<string, HeaderValue>, name: string): string {
	const wanted = name.toLowerCase();
	// node:http (and n8n after it) hands headers over with lower-case names: look there first.
	const direct = Object.prototype.hasOwnProperty.call(headers, wanted)
		? headers[wanted]
		: undefined;
	if (direct !== undefined) return Array.isArray(direct) ? direct.join(', ') : direct;
	for (const key in headers) {
		if (key.length !== wanted.length || !Object.prototype.hasOwnProperty.call(headers, key))
			continue;
		const value = headers[key];
		if (key.toLowerCase() === wanted)
			return Array.isArray(value) ? value.join(', ') : (value ?? '');
	}
	return '';
}

/** JSON unless the Accept header prefers application/xml or text/xml. */
function responseFormat(accept: string): ResponseFormat {
	// The usual answers, without parsing: none, anything, JSON.
	if (!accept || accept === '*/*' || accept === 'application/json') return 'json';
	let best: { format: ResponseFormat; q: number } = { format: 'json', q: -1 };
	for (const part of accept.split(',')) {
		const [type, ...params] = part.trim().toLowerCase().split(';');
		const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
		const q = qParam ? Number(qParam.slice(2)) || 0 : 1;
		const format: ResponseFormat | undefined = /[/+]xml$/.test(type)
			? 'xml'
			: /[/+]json$/.test(type) || type === '*/*'
				? 'json'
				: undefined;
		if (format && q > best.q) best = { format, q };
	}
	return best.format;
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

function routeOf(path: string, control: boolean): Route {
	if (CREATE_PATHS.has(path)) return 'create';
	if (BATCH_PATHS.includes(path)) return 'batch';
	if (path === OAUTH_TOKEN_PATH) return 'token';
	if (path === OAUTH_AUTHORIZE_PATH) return 'authorize';
	if (path.startsWith(TABLE_API_PREFIX)) return 'table';
	if (control && path.startsWith(CONTROL_PREFIX)) return 'control';
	return 'unknown';
}

/**
 * The request line and headers, read once. `inBatch`: an item of a batch, which is never the
 * control API and is held to the body limit of a request of its own.
 */
export function readHead(settings: EmulatorSettings, head: RequestHead, inBatch = false): ApiCall {
	const url = originForm(head.url);
	const q = url.indexOf('?');
	const rawPath = (q < 0 ? url : url.slice(0, q)) || '/';
	const query = q < 0 ? '' : url.slice(q + 1);
	const path = rawPath.includes('//') ? rawPath.replace(/\/{2,}/g, '/') : rawPath;
	const route = routeOf(path, settings.control && !inBatch);
	return {
		method: head.method.toUpperCase(),
		path,
		query,
		route,
		format: responseFormat(header(head.headers, 'accept')),
		target: query ? `${rawPath}?${query}` : rawPath,
		authorization: header(head.headers, 'authorization'),
		bodyLimit: route === 'batch' && !inBatch ? settings.maxBatchBytes : settings.maxBodyBytes,
		bodyBytes: 0,
		req: { ...head, body: '' },
		body: NOT_READ,
	};
}

/** The whole request, read once: its head (or the head admitted before the body came), and its body parsed. */
export function readRequest(
	settings: EmulatorSettings,
	req: EmulatorRequest,
	inBatch = false,
): ApiCall {
	const head = req.admitted ?? readHead(settings, req, inBatch);
	const bodyBytes = req.bodyBytes ?? Buffer.byteLength(req.body);
	const unread = head.route === 'control' || bodyBytes > head.bodyLimit;
	return {
		...head,
		req,
		bodyBytes,
		body: unread ? NOT_READ : req.body === '' ? EMPTY : parseBody(req),
	};
}

/** Whether objects and arrays nest deeper than `max`, in one pass (strings skipped). */
export function jsonNestedDeeperThan(text: string, max: number): boolean {
	let depth = 0;
	let inString = false;
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		if (inString) {
			if (c === 0x5c) i++;
			else if (c === 0x22) inString = false;
		} else if (c === 0x22) inString = true;
		else if (c === 0x7b || c === 0x5b) {
			if (++depth > max) return true;
		} else if (c === 0x7d || c === 0x5d) depth--;
	}
	return false;
}

/** The first character that is not white space, without copying the text. */
function firstNonSpace(text: string): string | undefined {
	for (let i = 0; i < text.length; i++) {
		const c = text[i];
		if (c.trim() !== '') return c;
	}
	return undefined;
}

/**
 * Parses a JSON or XML request body into an object. The Content-Type decides; when it names
 * neither (curl's default form type, text/plain, none) the body's first character does.
 */
function parseRequestBody(req: EmulatorRequest): Record<string, unknown> {
	const contentType = header(req.headers, 'content-type').toLowerCase();
	const text = req.body.charCodeAt(0) === 0xfeff ? req.body.slice(1) : req.body;
	const first = firstNonSpace(text);
	let kind: 'json' | 'xml';
	if (/json/.test(contentType)) kind = 'json';
	else if (/xml/.test(contentType)) kind = 'xml';
	else if (first === '<') kind = 'xml';
	else if (first === '{' || first === '[' || first === undefined) kind = 'json';
	else {
		throw new BodyError(
			`${contentType ? 'This Content-Type' : 'A body without a Content-Type'} is not supported; send application/json or application/xml.`,
			true,
		);
	}
	if (first === undefined) throw EMPTY.error!;
	if (kind === 'xml') {
		try {
			return parseXmlBody(text);
		} catch (e) {
			if (e instanceof XmlBodyError) throw new BodyError(e.message);
			const reserved =
				e instanceof Error
					? /"(__proto__|constructor|prototype)" is a reserved/.exec(e.message)?.[1]
					: undefined;
			if (reserved)
				throw new BodyError(
					`XML element name ${reserved} is reserved (it could change object prototypes): rename the element.`,
				);
			throw new BodyError(
				'Malformed XML body: send one root element with the request fields as child elements.',
			);
		}
	}
	if (jsonNestedDeeperThan(text, MAX_NESTING_DEPTH)) {
		throw new BodyError(
			`The JSON body is nested deeper than ${MAX_NESTING_DEPTH} levels; the API's fields nest three.`,
		);
	}
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch (e) {
		// Where, never what: the engine's message may quote the body, which may hold secrets.
		const at = e instanceof Error ? /position (\d+)/.exec(e.message)?.[1] : undefined;
		throw new BodyError(
			`Malformed JSON body${at ? ` at position ${at}` : ''}: send one JSON object.`,
		);
	}
	if (!isPlainObject(parsed)) {
		throw new BodyError(
			'The JSON body must be an object, e.g. {"endpoint": {...}, "issue_code": "100", ...}.',
		);
	}
	return parsed;
}

function parseBody(req: EmulatorRequest): ParsedBody {
	try {
		return { body: parseRequestBody(req) };
	} catch (e) {
		return {
			error: e instanceof BodyError ? e : new BodyError('The request body could not be read.'),
		};
	}
}
