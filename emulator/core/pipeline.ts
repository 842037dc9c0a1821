/**
 * One request's way through the emulator, each step once: read → body limit → fault → caller →
 * its handler (create, oauth, table, batch, control) → journal. An adapter that reads the body
 * after the headers asks first with the head alone (`admit`): the limit and the caller are then
 * checked before the body is read, and not again. Synchronous, so concurrent requests are applied
 * one at a time.
 */
import { ERROR_CATALOGUE, PLATFORM_ERRORS, isErrorCode } from '../../contract/errors';
import { renderError } from './answer';
import { authenticate } from './auth';
import type { EmulatorState, Handler, HandleResult } from './context';
import { httpDate } from './dates';
import { playDue } from './engagement';
import { takeFault, type TakenFault } from './faults';
import { handleBatch } from './handlers/batch';
import { handleControl } from './handlers/control';
import { handleCreate } from './handlers/create';
import { handleAuthorize, handleToken } from './handlers/oauth';
import { handleTable } from './handlers/table';
import {
	readHead,
	readRequest,
	type ApiCall,
	type EmulatorRequest,
	type RequestHead,
	type Route,
} from './request';

const HANDLERS: Record<Exclude<Route, 'unknown' | 'batch' | 'control'>, Handler> = {
	create: handleCreate,
	token: handleToken,
	authorize: handleAuthorize,
	table: handleTable,
};

/** What the head of a request gets: an answer from it alone, or admission (the body is read next). */
export type Admission = { answer: HandleResult } | { admitted: ApiCall };

/**
 * What can be answered from the request line and headers alone, before the body is read: a body
 * declared larger than the limit (413), or missing or wrong credentials (401). With faults pending
 * the whole request decides (faults come first), so the caller is checked with it.
 */
export function admit(
	state: EmulatorState,
	head: RequestHead & { contentLength?: number },
): Admission {
	const call = readHead(state.settings, head);
	if (call.route === 'control') return { admitted: call };
	let answer: HandleResult | undefined;
	if ((head.contentLength ?? 0) > call.bodyLimit) {
		answer = tooLarge(call);
	} else if (state.faults.size === 0) {
		answer = authenticate(state, call);
		if (answer) completeCreateOutcome(call, answer);
	}
	if (!answer) return { admitted: call };
	journal(state, call, answer);
	return { answer };
}

export function handleRequest(state: EmulatorState, req: EmulatorRequest): HandleResult {
	return run(state, req, false);
}

/**
 * One request through the pipeline. `inBatch`: an item of a batch, run as the batch's caller
 * (`caller`: authenticated with the outer request), never the control API or a batch.
 */
function run(
	state: EmulatorState,
	req: EmulatorRequest,
	inBatch: boolean,
	caller?: ApiCall['user'],
): HandleResult {
	// The engagements move with the clock: every request sees them as they are now.
	playDue(state);
	const call = readRequest(state.settings, req, inBatch);
	if (call.route === 'control') return handleControl(state, call);
	if (inBatch) {
		call.user = caller;
		call.authenticated = true;
	}
	let result: HandleResult;
	let taken: TakenFault | undefined;
	if (call.bodyBytes > call.bodyLimit) {
		result = tooLarge(call);
	} else {
		taken = state.faults.size === 0 ? undefined : takeFault(state, call);
		result =
			taken?.answer ??
			(call.authenticated ? undefined : authenticate(state, call)) ??
			dispatch(state, call, taken, inBatch);
		completeCreateOutcome(call, result);
		if (taken?.fault.delayMs) result.delayMs = taken.fault.delayMs;
		if (taken?.fault.drop === 'after') result.drop = true;
	}
	journal(state, call, result, taken?.note);
	return result;
}

function dispatch(
	state: EmulatorState,
	call: ApiCall,
	taken: TakenFault | undefined,
	inBatch: boolean,
): HandleResult {
	if (call.route === 'unknown' || call.route === 'control')
		return renderError(PLATFORM_ERRORS.UNKNOWN_RESOURCE, call.format);
	if (call.route === 'batch') {
		if (inBatch)
			return renderError(
				PLATFORM_ERRORS.UNKNOWN_RESOURCE,
				'json',
				'A batch cannot hold another batch.',
			);
		// Each item goes the way of a request of its own, as the outer request's caller.
		return handleBatch(
			state,
			call,
			(item) => run(state, item, true, call.user),
			taken?.fault.unservicedAfter,
		);
	}
	return HANDLERS[call.route](state, call);
}

function tooLarge(call: ApiCall): HandleResult {
	return renderError(
		PLATFORM_ERRORS.PAYLOAD_TOO_LARGE,
		call.format,
		`The body has more than ${call.bodyLimit} bytes, the most this emulator accepts.`,
	);
}

/** Every refused create (auth, body, injected status) reaches adapters as a rejection. */
function completeCreateOutcome(call: ApiCall, result: HandleResult): void {
	if (call.route !== 'create' || result.outcome || result.status < 400 || result.drop) return;
	const entry =
		result.errorCode && isErrorCode(result.errorCode)
			? ERROR_CATALOGUE[result.errorCode]
			: PLATFORM_ERRORS.SERVER_ERROR;
	result.outcome = { kind: 'rejected', error: entry, body: call.body.body };
}

/** The instance's clock in every answer, as instances send it (pollers take time from it); then the journal's entry. */
function journal(state: EmulatorState, call: ApiCall, result: HandleResult, fault?: string): void {
	const now = state.now();
	result.headers.date ??= httpDate(now);
	state.journal.record(call, result, now, fault);
}
