/**
 * ServiceNow's Batch API (`POST /api/now/v1/batch`), as its documentation gives it: many REST
 * calls in one request, each item with a base64 body, answered in order as `serviced_requests`,
 * and the ids of items the instance did not process (a size or the 30-second limit reached) as
 * `unserviced_requests`. Shared by the node (which sends batches) and the emulator (which serves them).
 */
import { isPlainObject } from './values';

/** The versioned path instances serve (`v1`; the docs name no unversioned default). */
export const BATCH_PATH = '/api/now/v1/batch';
/** Paths the emulator answers: the versioned one and the unversioned form. */
export const BATCH_PATHS: readonly string[] = [BATCH_PATH, '/api/now/batch'];

export interface BatchHeader {
	name: string;
	value: string;
}

export interface BatchRequestItem {
	id: string;
	method: string;
	/** Relative path with its query. */
	url: string;
	headers?: BatchHeader[];
	/** Base64 of the item's body (methods with a body). */
	body?: string;
	exclude_response_headers?: boolean;
}

export interface BatchRequest {
	batch_request_id: string;
	rest_requests: BatchRequestItem[];
}

export interface ServicedRequest {
	id: string;
	status_code: number;
	status_text: string;
	headers: BatchHeader[];
	/** Base64 of the item's answer. */
	body: string;
	/** Milliseconds the item took. */
	execution_time: number;
	error_message?: string;
	redirect_url?: string;
}

export interface BatchResponse {
	batch_request_id: string;
	serviced_requests: ServicedRequest[];
	/** Ids of the items not processed. */
	unserviced_requests: string[];
}

/** Reason phrases of the statuses an instance answers (a batch item's `status_text`). */
export const STATUS_TEXT: Readonly<Record<number, string>> = {
	200: 'OK',
	201: 'Created',
	204: 'No Content',
	301: 'Moved Permanently',
	302: 'Found',
	400: 'Bad Request',
	401: 'Unauthorized',
	403: 'Forbidden',
	404: 'Not Found',
	405: 'Method Not Allowed',
	408: 'Request Timeout',
	409: 'Conflict',
	413: 'Payload Too Large',
	415: 'Unsupported Media Type',
	429: 'Too Many Requests',
	500: 'Internal Server Error',
	502: 'Bad Gateway',
	503: 'Service Unavailable',
	504: 'Gateway Timeout',
};

export function toBase64(text: string): string {
	return Buffer.from(text, 'utf8').toString('base64');
}

export function fromBase64(text: string): string {
	return Buffer.from(text, 'base64').toString('utf8');
}

/** Checks a batch request body; the message names the field and what it must be. */
export function readBatchRequest(value: unknown): BatchRequest | { problem: string } {
	if (!isPlainObject(value))
		return { problem: 'The body must be a JSON object with rest_requests.' };
	const list = value.rest_requests;
	if (!Array.isArray(list))
		return { problem: 'rest_requests is required: a list of request objects.' };
	const items: BatchRequestItem[] = [];
	const ids = new Set<string>();
	for (const [i, raw] of list.entries()) {
		if (!isPlainObject(raw)) return { problem: `rest_requests[${i}] must be an object.` };
		for (const field of ['id', 'method', 'url'] as const) {
			const v = raw[field];
			if ((typeof v !== 'string' && typeof v !== 'number') || String(v) === '')
				return { problem: `rest_requests[${i}].${field} is required (a string).` };
		}
		const id = String(raw.id);
		if (ids.has(id))
			return { problem: `rest_requests[${i}].id repeats an earlier id: each item needs its own.` };
		ids.add(id);
		const url = String(raw.url);
		if (!url.startsWith('/'))
			return { problem: `rest_requests[${i}].url must be a relative path starting with /.` };
		if (raw.body !== undefined && typeof raw.body !== 'string')
			return { problem: `rest_requests[${i}].body must be a base64 string.` };
		const headers: BatchHeader[] = [];
		if (raw.headers !== undefined) {
			if (!Array.isArray(raw.headers))
				return { problem: `rest_requests[${i}].headers must be a list of {name, value}.` };
			for (const h of raw.headers) {
				if (!isPlainObject(h) || typeof h.name !== 'string' || typeof h.value !== 'string') {
					return {
						problem: `rest_requests[${i}].headers must be a list of {name, value} strings.`,
					};
				}
				headers.push({ name: h.name, value: h.value });
			}
		}
		items.push({
			id,
			method: String(raw.method).toUpperCase(),
			url,
			headers,
			body: raw.body as string | undefined,
			exclude_response_headers: raw.exclude_response_headers === true,
		});
	}
	const batchId = value.batch_request_id;
	return {
		batch_request_id: batchId === undefined || batchId === null ? '' : String(batchId),
		rest_requests: items,
	};
}
