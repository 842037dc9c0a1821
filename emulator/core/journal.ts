/**
 * The request journal: what the emulator received and what it answered. Bounded (the last `limit`
 * requests, each body and answer cut at JOURNAL_TEXT_LIMIT characters) and without secrets:
 * credential-bearing headers, query parameters and token request and answer fields are masked as
 * they are recorded, so no secret is kept.
 */
import { text as asText } from '../../contract/values';
import { MAX_NESTING_DEPTH } from '../../contract/xml';
import type { HandleResult } from './context';
import { jsonNestedDeeperThan, type ApiCall, type EmulatorRequest } from './request';

export interface JournalEntry {
	seq: number;
	time: string;
	method: string;
	path: string;
	route: string;
	headers: Record<string, string>;
	/** Request body as received (secrets of token requests masked; cut at JOURNAL_TEXT_LIMIT). */
	body: string;
	status: number;
	/** Response body as sent (tokens masked; cut at JOURNAL_TEXT_LIMIT); empty for a dropped connection. */
	response: string;
	/** Catalogue code of the error answered, when there was one. */
	errorCode?: string;
	/** Fault that shaped this answer, when one did. */
	fault?: string;
}

export const JOURNAL_TEXT_LIMIT = 4096;
const MASK = '***';
/** Names of headers, query parameters and token fields that carry credentials. */
const SECRET_NAME =
	/authori[sz]ation|authentication|token|secret|passw|cookie|api[-_]?key|access[-_]?key|session|credential|signature|^code$|^sig$/i;
const SECRET_JSON_FIELD =
	/"((?:access|refresh|id)_token|client_secret|password|code)"\s*:\s*"(?:[^"\\]|\\.)*"/g;

/** A header's value, masked when its name says it carries a credential (an Authorization scheme stays). */
function maskHeader(name: string, value: string): string {
	if (!SECRET_NAME.test(name)) return value;
	const scheme = /^(basic|bearer|digest|negotiate|oauth|token|apikey)\s+\S/i.exec(value);
	return scheme ? `${scheme[1]} ${MASK}` : MASK;
}

export function maskHeaders(headers: EmulatorRequest['headers']): Record<string, string> {
	const out: Record<string, string> = {};
	for (const key of Object.keys(headers)) {
		const raw = headers[key];
		const lower = key.toLowerCase();
		out[lower] = maskHeader(lower, Array.isArray(raw) ? raw.join(', ') : (raw ?? ''));
	}
	return out;
}

/** Form or query parameters with credential-bearing names masked. */
export function maskParams(text: string): string {
	const params = new URLSearchParams(text);
	let masked = false;
	for (const name of new Set(params.keys())) {
		if (SECRET_NAME.test(name)) {
			params.set(name, MASK);
			masked = true;
		}
	}
	return masked ? params.toString() : text;
}

/**
 * A path parameter's start (`;` or a `;` sent as `%3B`) and name (which stops at either, so that
 * each character is looked at a bounded number of times), up to its `=`.
 */
const PATH_PARAM = /(?:;|%3b)((?:[^;=/?%]|%(?!3b))*)=/gi;

function decodedName(name: string): string {
	try {
		return decodeURIComponent(name);
	} catch {
		return name;
	}
}

/**
 * Path parameters (`;name=value`, RFC 3986 §3.3) are parameters too: a name (percent-decoded, as
 * a query's) that carries a credential has its value masked up to the next `;`, `/` or `?`.
 */
function maskMatrix(path: string): string {
	let out = '';
	let kept = 0;
	PATH_PARAM.lastIndex = 0;
	for (let m = PATH_PARAM.exec(path); m; m = PATH_PARAM.exec(path)) {
		if (!SECRET_NAME.test(decodedName(m[1]))) continue;
		const start = m.index + m[0].length;
		let end = start;
		while (end < path.length && !';/?'.includes(path[end])) end++;
		out += `${path.slice(kept, start)}${MASK}`;
		kept = end;
		PATH_PARAM.lastIndex = end;
	}
	return out + path.slice(kept);
}

export function maskPath(path: string): string {
	const q = path.indexOf('?');
	return q < 0
		? maskMatrix(path)
		: `${maskMatrix(path.slice(0, q))}?${maskParams(path.slice(q + 1))}`;
}

/** Whether a form holds a credential-bearing field with a value. */
function formHasSecret(text: string): boolean {
	for (const [name, value] of new URLSearchParams(text))
		if (value !== '' && SECRET_NAME.test(name)) return true;
	return false;
}

/**
 * A token request's body, masked by what it is, not by how it starts. JSON (when it parses as
 * JSON): every field whose name carries a credential, in any case or escape and of any value
 * type, masked, and the JSON written again. The token endpoint reads its body as a form, so
 * whatever still reads as a form field carrying a credential (every body that is no JSON, and
 * JSON whose text does) is masked as a form.
 */
function maskTokenBody(body: string): string {
	let text = body;
	let json: unknown;
	try {
		json = JSON.parse(body);
	} catch {
		json = undefined;
	}
	if (json !== undefined) {
		// Deeper than any body the emulator reads: not worth keeping, and costly to walk.
		if (jsonNestedDeeperThan(body, MAX_NESTING_DEPTH))
			return `${MASK} (JSON nested deeper than ${MAX_NESTING_DEPTH} levels, not recorded)`;
		text = JSON.stringify(
			JSON.parse(body, (key: string, value: unknown) => (SECRET_NAME.test(key) ? MASK : value)),
		);
	}
	return json === undefined || formHasSecret(text) ? maskParams(text) : text;
}

/**
 * A Batch API request or answer as the journal keeps it: each item's own entry holds what it
 * carried (masked as that route's entries are), so here an item's body is only its size and its
 * headers are masked. Text that is no batch is kept as a note of its size.
 */
function batchSummary(text: string): string {
	try {
		const value = JSON.parse(text) as Record<string, unknown>;
		const items = (list: unknown) =>
			Array.isArray(list)
				? list.map((item) => {
						if (!item || typeof item !== 'object') return item;
						const { body, headers, ...rest } = item as Record<string, unknown>;
						const named = Array.isArray(headers)
							? headers.map((h) =>
									h && typeof h === 'object'
										? {
												name: (h as BatchHeaderLike).name,
												value: maskHeader(
													asText((h as BatchHeaderLike).name),
													asText((h as BatchHeaderLike).value),
												),
											}
										: h,
								)
							: headers;
						return {
							...rest,
							...(named !== undefined ? { headers: named } : {}),
							...(typeof body === 'string'
								? { body: `(${body.length} characters of base64: see the item's own entry)` }
								: {}),
						};
					})
				: list;
		return JSON.stringify({
			...value,
			...(value.rest_requests ? { rest_requests: items(value.rest_requests) } : {}),
			...(value.serviced_requests ? { serviced_requests: items(value.serviced_requests) } : {}),
		});
	} catch {
		return `(${Buffer.byteLength(text)} bytes that are no batch JSON)`;
	}
}

interface BatchHeaderLike {
	name?: unknown;
	value?: unknown;
}

/** At most JOURNAL_TEXT_LIMIT characters, copied so the journal never holds on to a large body. */
function bounded(text: string): string {
	if (text.length <= JOURNAL_TEXT_LIMIT) return text;
	return `${Buffer.from(text.slice(0, JOURNAL_TEXT_LIMIT)).toString()}… (${Buffer.byteLength(text)} bytes in all)`;
}

const NO_EXTRA: { errorCode?: string; fault?: string } = Object.freeze({});

/** An entry as kept: its time as a number, the error code and fault apart (written out on reading). */
type Recorded = Omit<JournalEntry, 'time' | 'errorCode' | 'fault'> & {
	time: number;
	extra: { errorCode?: string; fault?: string };
};

/** The last `limit` entries, in a ring: recording costs the same however long the emulator runs. */
export class Journal {
	private ring: Array<Recorded | undefined>;
	private next = 0;
	private seq = 0;

	constructor(limit: number) {
		this.ring = new Array(Math.max(1, limit));
	}

	/** A request as read and its answer; `fault`: what an injected fault did to it. */
	record(call: ApiCall, res: HandleResult, time: number, fault?: string): void {
		const { req, route, target } = call;
		const errorCode = res.outcome?.kind === 'rejected' ? res.outcome.error.code : res.errorCode;
		const extra =
			errorCode || fault
				? { ...(errorCode ? { errorCode } : {}), ...(fault ? { fault } : {}) }
				: NO_EXTRA;
		const isToken = route === 'token';
		const isBatch = route === 'batch';
		this.ring[this.next] = {
			seq: ++this.seq,
			time,
			method: call.method,
			path: /[?;]|%3b/i.test(target) ? maskPath(target) : target,
			route,
			headers: maskHeaders(req.headers),
			body: bounded(
				isToken ? maskTokenBody(req.body) : isBatch && req.body ? batchSummary(req.body) : req.body,
			),
			status: res.drop ? 0 : res.status,
			response: res.drop
				? ''
				: bounded(
						isToken
							? res.body.replace(SECRET_JSON_FIELD, `"$1":"${MASK}"`)
							: isBatch && res.status === 200
								? batchSummary(res.body)
								: res.body,
					),
			extra,
		};
		this.next = (this.next + 1) % this.ring.length;
	}

	list(since = 0): JournalEntry[] {
		const ordered = [...this.ring.slice(this.next), ...this.ring.slice(0, this.next)];
		return ordered
			.filter((r): r is Recorded => r !== undefined && r.seq > since)
			.map((r) => ({
				seq: r.seq,
				time: new Date(r.time).toISOString(),
				method: r.method,
				path: r.path,
				route: r.route,
				headers: r.headers,
				body: r.body,
				status: r.status,
				response: r.response,
				...r.extra,
			}));
	}

	clear(): void {
		this.ring = new Array(this.ring.length);
		this.next = 0;
	}
}
