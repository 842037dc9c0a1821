/**
 * One request to ServiceNow's Batch API carrying many create requests, and its answer read back
 * into one attempt per item — the same shape a request of its own gives, so every item is
 * classified by the same code as in one-request-per-item mode.
 */
import {
	BATCH_PATH,
	fromBase64,
	toBase64,
	type BatchRequest,
	type ServicedRequest,
} from '../../../../contract/batch';
import { isPlainObject, text } from '../../../../contract/values';
import {
	apiRequest,
	attemptFrom,
	type ApiContext,
	type ApiResult,
	type Attempt,
	type Connection,
	type RetryPolicy,
} from './request';

/** A Batch API answer's item id: text or a number; anything else names no item (an object may not even convert). */
export function batchItemId(v: unknown): string | undefined {
	return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
}

export interface BatchItem {
	id: string;
	path: string;
	/** The serialised create body. */
	body: string;
	format: 'json' | 'xml';
}

export type BatchAnswer =
	/** The instance answered the batch: each item's attempt, and the ids it did not process. */
	| { kind: 'answered'; outer: ApiResult; items: Map<string, Attempt>; unserviced: string[] }
	/** No usable answer (lost, timed out, 5xx, unreadable): any item may have been processed. */
	| { kind: 'uncertain'; outer: ApiResult }
	/** Refused as a whole before any item ran (4xx): nothing was processed. */
	| { kind: 'refused'; outer: ApiResult };

const MIME = { json: 'application/json', xml: 'application/xml' } as const;

function itemAttempt(served: ServicedRequest): Attempt {
	const headers: Record<string, string> = {};
	if (Array.isArray(served.headers)) {
		for (const h of served.headers)
			if (isPlainObject(h) && typeof h.name === 'string')
				headers[h.name.toLowerCase()] = text(h.value);
	}
	return attemptFrom(
		Number(served.status_code) || 0,
		headers,
		typeof served.body === 'string' ? fromBase64(served.body) : '',
	);
}

let sequence = 0;
/** Tells this process's batches apart from another's in the instance's logs. */
const RUN = Math.random().toString(36).slice(2, 8);

export async function sendBatch(
	ctx: ApiContext,
	connection: Connection,
	items: readonly BatchItem[],
	options: { timeoutMs: number; policy: RetryPolicy },
): Promise<BatchAnswer> {
	const request: BatchRequest = {
		batch_request_id: `n8n-${RUN}-${++sequence}`,
		rest_requests: items.map((item) => ({
			id: item.id,
			method: 'POST',
			url: item.path,
			headers: [
				{ name: 'Content-Type', value: MIME[item.format] },
				{ name: 'Accept', value: MIME[item.format] },
			],
			body: toBase64(item.body),
			exclude_response_headers: false,
		})),
	};
	// A 429 is refused before anything runs: waited for and resent. A lost answer or a 5xx is not
	// resent here: each item's own recovery decides.
	const outer = await apiRequest(
		ctx,
		connection,
		{
			method: 'POST',
			path: BATCH_PATH,
			body: JSON.stringify(request),
			format: 'json',
			timeoutMs: options.timeoutMs,
		},
		options.policy,
		{
			// Its items are creates: after an attempt that may have run them, the caller decides.
			repeatable: false,
		},
	);
	if (outer.status === 0 && outer.notDelivered) return { kind: 'refused', outer };
	if (outer.status === 0 || outer.status >= 500) return { kind: 'uncertain', outer };
	if (outer.status !== 200) return { kind: 'refused', outer };
	const data = outer.data;
	if (!isPlainObject(data) || !Array.isArray(data.serviced_requests))
		return { kind: 'uncertain', outer };
	const answered = new Map<string, Attempt>();
	for (const served of data.serviced_requests as ServicedRequest[]) {
		const id = isPlainObject(served) ? batchItemId(served.id) : undefined;
		if (id !== undefined) answered.set(id, itemAttempt(served));
	}
	const unserviced = Array.isArray(data.unserviced_requests)
		? (data.unserviced_requests as unknown[]).map(batchItemId).filter((id) => id !== undefined)
		: [];
	return { kind: 'answered', outer, items: answered, unserviced };
}
