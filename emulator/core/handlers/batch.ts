/**
 * The Batch API (`POST /api/now/v1/batch`): the items run in order, each exactly as if it had been
 * sent alone with the outer request's credentials (same rules, faults and journal entry), and are
 * answered base64-encoded in `serviced_requests`. Items past a limit are not processed and are
 * listed in `unserviced_requests`: the 30-second transaction time (delays injected into items count
 * towards it), an injected `unservicedAfter`, or an answer past a size limit (the item's own, or
 * the whole batch answer's): that item ran, so it is answered 500 with an error_message.
 * A dropped connection inside an item drops the whole batch answer, after the items before it.
 */
import {
	STATUS_TEXT,
	fromBase64,
	readBatchRequest,
	toBase64,
	type BatchHeader,
	type ServicedRequest,
} from '../../../contract/batch';
import { PLATFORM_ERRORS } from '../../../contract/errors';
import { bodyErrorResponse, jsonAnswer, renderError } from '../answer';
import type { EmulatorState, HandleResult } from '../context';
import { header, type ApiCall, type EmulatorRequest } from '../request';

/** Runs one item as a request of its own (the pipeline without the control API). */
export type ItemRunner = (req: EmulatorRequest) => HandleResult;

/** Headers that carry the caller's identity: items run as the outer request's caller. */
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'x-usertoken'];

function itemHeaders(
	outer: EmulatorRequest,
	headers: readonly BatchHeader[] = [],
): EmulatorRequest['headers'] {
	const out: EmulatorRequest['headers'] = {};
	for (const { name, value } of headers) {
		const key = name.toLowerCase();
		if (!CREDENTIAL_HEADERS.includes(key)) out[key] = value;
	}
	for (const key of CREDENTIAL_HEADERS) {
		const value = outer.headers[key];
		if (value !== undefined) out[key] = value;
	}
	return out;
}

export function handleBatch(
	state: EmulatorState,
	call: ApiCall,
	runItem: ItemRunner,
	unservicedAfter?: number,
): HandleResult {
	if (call.method !== 'POST') return renderError(PLATFORM_ERRORS.METHOD_NOT_ALLOWED, 'json');
	// The outer request is JSON only, as the documentation says.
	if (!call.req.body.trimStart().startsWith('{'))
		return renderError(
			PLATFORM_ERRORS.MALFORMED_BODY,
			'json',
			'The Batch API takes a JSON object (Content-Type: application/json).',
		);
	const parsed = call.body;
	if (parsed.error) return bodyErrorResponse(parsed.error, 'json');
	const request = readBatchRequest(parsed.body);
	if ('problem' in request)
		return renderError(PLATFORM_ERRORS.MALFORMED_BODY, 'json', request.problem);

	const { batchTimeLimitMs, maxBatchItemOutputBytes, maxBatchAnswerBytes } = state.settings;
	const asked = Number(header(call.req.headers, 'x-batchrequest-max-output-size'));
	const outputLimit =
		Number.isFinite(asked) && asked > 0
			? Math.min(asked, maxBatchItemOutputBytes)
			: maxBatchItemOutputBytes;
	const serviced: ServicedRequest[] = [];
	const unserviced: string[] = [];
	let answerBytes = 0;
	let elapsedMs = 0;
	let delayMs = 0;
	let dropped = false;
	for (const [index, item] of request.rest_requests.entries()) {
		const cancelled =
			dropped ||
			unserviced.length > 0 ||
			(unservicedAfter !== undefined && index >= unservicedAfter) ||
			elapsedMs > batchTimeLimitMs;
		if (cancelled) {
			if (!dropped) unserviced.push(item.id);
			continue;
		}
		const started = performance.now();
		const nested = item.url.split('?')[0].replace(/\/{2,}/g, '/');
		const result: HandleResult =
			nested === call.path
				? renderError(
						PLATFORM_ERRORS.UNKNOWN_RESOURCE,
						'json',
						'A batch cannot hold another batch.',
					)
				: runItem({
						method: item.method,
						url: item.url,
						headers: itemHeaders(call.req, item.headers),
						body: item.body ? fromBase64(item.body) : '',
					});
		const took = performance.now() - started + (result.delayMs ?? 0);
		elapsedMs += took;
		delayMs += result.delayMs ?? 0;
		// A connection lost inside the batch loses the whole answer; what ran before it stays done.
		if (result.drop) {
			dropped = true;
			continue;
		}
		// Past a size limit the transaction ends: this item ran, its answer is not given (a 500
		// saying so, so no client takes it for not processed), the rest are unserviced.
		const bytes = Buffer.byteLength(result.body);
		answerBytes += bytes;
		const tooLarge =
			bytes > outputLimit
				? `The answer of this item passed the output size limit (${outputLimit} bytes).`
				: answerBytes > maxBatchAnswerBytes
					? `The batch answer passed its size limit (${maxBatchAnswerBytes} bytes) with this item.`
					: undefined;
		if (tooLarge) {
			serviced.push({
				id: item.id,
				status_code: 500,
				status_text: STATUS_TEXT[500],
				headers: [],
				body: '',
				execution_time: Math.round(took),
				error_message: tooLarge,
			});
			unserviced.push(...request.rest_requests.slice(index + 1).map((rest) => rest.id));
			break;
		}
		serviced.push({
			id: item.id,
			status_code: result.status,
			status_text: STATUS_TEXT[result.status] ?? '',
			headers: item.exclude_response_headers
				? []
				: Object.entries(result.headers).map(([name, value]) => ({ name, value })),
			body: toBase64(result.body),
			execution_time: Math.round(took),
		});
	}
	const answer: HandleResult = jsonAnswer(200, {
		batch_request_id: request.batch_request_id,
		serviced_requests: serviced,
		unserviced_requests: unserviced,
	});
	if (delayMs > 0) answer.delayMs = delayMs;
	if (dropped) answer.drop = true;
	return answer;
}
