/** The request journal: what the emulator received and what it answered, with secrets masked. */
import type { EmulatorRequest, EmulatorResponse } from './http';

export interface JournalEntry {
	seq: number;
	time: string;
	method: string;
	path: string;
	route: string;
	headers: Record<string, string>;
	/** Request body as received (token request secrets masked). */
	body: string;
	status: number;
	/** Response body as sent (tokens masked); empty for a dropped connection. */
	response: string;
	/** Catalogue code of the error answered, when there was one. */
	errorCode?: string;
	/** Fault that shaped this answer, when one did. */
	fault?: string;
}

const MASK = '***';
const SECRET_FORM_FIELDS = ['password', 'client_secret', 'refresh_token', 'code'];
const SECRET_JSON_FIELDS = /"(access_token|refresh_token)"\s*:\s*"[^"]*"/g;

export function maskHeaders(headers: EmulatorRequest['headers']): Record<string, string> {
	const out: Record<string, string> = {};
	for (const [key, raw] of Object.entries(headers)) {
		const value = Array.isArray(raw) ? raw.join(', ') : (raw ?? '');
		const lower = key.toLowerCase();
		if (lower === 'authorization') out[lower] = value.replace(/^(\S+)\s+.*$/, `$1 ${MASK}`);
		else if (lower === 'cookie' || lower === 'x-api-key') out[lower] = MASK;
		else out[lower] = value;
	}
	return out;
}

export function maskFormBody(body: string): string {
	const params = new URLSearchParams(body);
	for (const field of SECRET_FORM_FIELDS) if (params.has(field)) params.set(field, MASK);
	return params.toString();
}

export function maskTokenResponse(body: string): string {
	return body.replace(SECRET_JSON_FIELDS, `"$1":"${MASK}"`);
}

const NO_EXTRA: { errorCode?: string; fault?: string } = Object.freeze({});

interface Recorded {
	seq: number;
	time: number;
	req: EmulatorRequest;
	path: string;
	route: string;
	status: number;
	response: string;
	extra: { errorCode?: string; fault?: string };
}

/**
 * The last `limit` entries, in a ring: recording costs the same however long the emulator runs.
 * An entry is kept as received and masked/formatted only when the journal is read, which keeps
 * recording off the request's hot path.
 */
export class Journal {
	private ring: Array<Recorded | undefined>;
	private next = 0;
	private seq = 0;

	constructor(limit: number) {
		this.ring = new Array(Math.max(1, limit));
	}

	record(
		req: EmulatorRequest,
		path: string,
		route: string,
		res: EmulatorResponse,
		time: number,
		extra: { errorCode?: string; fault?: string } = NO_EXTRA,
	): void {
		this.ring[this.next] = { seq: ++this.seq, time, req, path, route, status: res.drop ? 0 : res.status, response: res.drop ? '' : res.body, extra };
		this.next = (this.next + 1) % this.ring.length;
	}

	private static entry(r: Recorded): JournalEntry {
		const isToken = r.route === 'token';
		return {
			seq: r.seq,
			time: new Date(r.time).toISOString(),
			method: r.req.method.toUpperCase(),
			path: r.path,
			route: r.route,
			headers: maskHeaders(r.req.headers),
			body: isToken ? maskFormBody(r.req.body) : r.req.body,
			status: r.status,
			response: isToken ? maskTokenResponse(r.response) : r.response,
			...r.extra,
		};
	}

	list(since = 0): JournalEntry[] {
		const ordered = [...this.ring.slice(this.next), ...this.ring.slice(0, this.next)];
		return ordered.filter((r): r is Recorded => r !== undefined && r.seq > since).map((r) => Journal.entry(r));
	}

	clear(): void {
		this.ring = new Array(this.ring.length);
		this.next = 0;
	}
}
