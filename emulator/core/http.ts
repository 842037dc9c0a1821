/** Request/response shapes of the emulator core and the wire helpers they need. */
import { PLATFORM_ERRORS, type CatalogueEntry } from '../../contract/errors';
import { isPlainObject } from '../../contract/values';
import { MAX_NESTING_DEPTH, XmlBodyError, parseXmlBody, toXmlResponse } from '../../contract/xml';

export type HeaderValue = string | string[] | undefined;

export interface EmulatorRequest {
	method: string;
	/** Path with optional query string, as received (e.g. `//api/sn_srf/...?x=1`). */
	url: string;
	headers: Record<string, HeaderValue>;
	/** Raw body text ('' when none). */
	body: string;
	/** Size of the body as received, when an adapter stopped reading it early (oversized). */
	bodyBytes?: number;
}

export interface EmulatorResponse {
	status: number;
	headers: Record<string, string>;
	body: string;
	/** Wait this long before answering (fault injection). */
	delayMs?: number;
	/** Destroy the connection instead of answering (fault injection). */
	drop?: boolean;
	/** Catalogue code of the error answered, when the answer is one. */
	errorCode?: string;
	/** The `detail` of that error envelope, so adapters need not parse the body again. */
	errorDetail?: string;
}

export type ResponseFormat = 'json' | 'xml';

export function header(headers: Record<string, HeaderValue>, name: string): string {
	const wanted = name.toLowerCase();
	// node:http (and n8n after it) hands headers over with lower-case names: look there first.
	const direct = Object.prototype.hasOwnProperty.call(headers, wanted) ? headers[wanted] : undefined;
	if (direct !== undefined) return Array.isArray(direct) ? direct.join(', ') : direct;
	for (const key in headers) {
		if (key.length !== wanted.length || !Object.prototype.hasOwnProperty.call(headers, key)) continue;
		const value = headers[key];
		if (key.toLowerCase() === wanted) return Array.isArray(value) ? value.join(', ') : (value ?? '');
	}
	return '';
}

/** JSON unless the Accept header prefers application/xml or text/xml. */
export function responseFormat(headers: Record<string, HeaderValue>): ResponseFormat {
	const accept = header(headers, 'accept');
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

export function render(
	status: number,
	body: Record<string, unknown>,
	format: ResponseFormat,
	extraHeaders: Record<string, string> = {},
): EmulatorResponse {
	return {
		status,
		headers: {
			'content-type':
				format === 'xml' ? 'application/xml;charset=UTF-8' : 'application/json;charset=UTF-8',
			...extraHeaders,
		},
		body: format === 'xml' ? toXmlResponse(body) : JSON.stringify(body),
	};
}

export function errorEnvelope(entry: CatalogueEntry, detail?: string): Record<string, unknown> {
	return { error: { message: entry.message, detail: detail ?? entry.detail }, status: 'failure' };
}

export function renderError(
	entry: CatalogueEntry,
	format: ResponseFormat,
	detail?: string,
	extraHeaders?: Record<string, string>,
): EmulatorResponse {
	return {
		...render(entry.status, errorEnvelope(entry, detail), format, extraHeaders),
		errorCode: entry.code,
		errorDetail: detail ?? entry.detail,
	};
}

export class BodyError extends Error {
	constructor(
		message: string,
		readonly unsupportedType = false,
	) {
		super(message);
	}
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
export function parseRequestBody(req: EmulatorRequest): Record<string, unknown> {
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
	if (first === undefined) {
		throw new BodyError('The request body is empty; send a JSON object or an XML document.');
	}
	if (kind === 'xml') {
		try {
			return parseXmlBody(text);
		} catch (e) {
			if (e instanceof XmlBodyError) throw new BodyError(e.message);
			const reserved = e instanceof Error ? /"(__proto__|constructor|prototype)" is a reserved/.exec(e.message)?.[1] : undefined;
			if (reserved) throw new BodyError(`XML element name ${reserved} is reserved (it could change object prototypes): rename the element.`);
			throw new BodyError('Malformed XML body: send one root element with the request fields as child elements.');
		}
	}
	if (jsonNestedDeeperThan(text, MAX_NESTING_DEPTH)) {
		throw new BodyError(`The JSON body is nested deeper than ${MAX_NESTING_DEPTH} levels; the API's fields nest three.`);
	}
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch (e) {
		// Where, never what: the engine's message may quote the body, which may hold secrets.
		const at = e instanceof Error ? /position (\d+)/.exec(e.message)?.[1] : undefined;
		throw new BodyError(`Malformed JSON body${at ? ` at position ${at}` : ''}: send one JSON object.`);
	}
	if (!isPlainObject(parsed)) {
		throw new BodyError('The JSON body must be an object, e.g. {"endpoint": {...}, "issue_code": "100", ...}.');
	}
	return parsed;
}

/** A request body read once: the object, or why it could not be read. */
export interface ParsedBody {
	body?: Record<string, unknown>;
	error?: BodyError;
}

export function parseBodyOnce(req: EmulatorRequest): ParsedBody {
	try {
		return { body: parseRequestBody(req) };
	} catch (e) {
		return { error: e instanceof BodyError ? e : new BodyError('The request body could not be read.') };
	}
}

/** 415 for a body of another type, 400 for one that cannot be read. */
export function bodyErrorResponse(error: BodyError | undefined, format: ResponseFormat): EmulatorResponse {
	return renderError(
		error?.unsupportedType ? PLATFORM_ERRORS.UNSUPPORTED_MEDIA_TYPE : PLATFORM_ERRORS.MALFORMED_BODY,
		format,
		error?.message,
	);
}

/** A JSON answer outside ServiceNow's envelopes (OAuth, control API). */
export function jsonAnswer(status: number, body: unknown, headers: Record<string, string> = {}): EmulatorResponse {
	return { status, headers: { 'content-type': 'application/json;charset=UTF-8', ...headers }, body: JSON.stringify(body) };
}
