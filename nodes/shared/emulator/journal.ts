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

/** The last `limit` entries, in a ring: recording costs the same however long the emulator runs. */
export class Journal {
	private ring: Array<JournalEntry | undefined>;
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
		extra: { errorCode?: string; fault?: string } = {},
	): JournalEntry {
		const isToken = route === 'token';
		const entry: JournalEntry = {
			seq: ++this.seq,
			time: new Date(time).toISOString(),
			method: req.method.toUpperCase(),
			path,
			route,
			headers: maskHeaders(req.headers),
			body: isToken ? maskFormBody(req.body) : req.body,
			status: res.drop ? 0 : res.status,
			response: res.drop ? '' : isToken ? maskTokenResponse(res.body) : res.body,
			...extra,
		};
		this.ring[this.next] = entry;
		this.next = (this.next + 1) % this.ring.length;
		return entry;
	}

	list(since = 0): JournalEntry[] {
		const ordered = [...this.ring.slice(this.next), ...this.ring.slice(0, this.next)];
		return ordered.filter((e): e is JournalEntry => e !== undefined && e.seq > since);
	}

	clear(): void {
		this.ring = new Array(this.ring.length);
		this.next = 0;
	}
}
