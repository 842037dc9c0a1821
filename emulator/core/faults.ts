/**
 * Fault injection: make the next N matching requests fail the way real instances do. A request
 * takes the first fault that matches it, with the answer it gives and the note the journal keeps.
 */
import {
	ERROR_CATALOGUE,
	PLATFORM_ERRORS,
	errorForStatus,
	isErrorCode,
	type ErrorCode,
} from '../../contract/errors';
import { isPlainObject, scalarText } from '../../contract/values';
import { renderError } from './answer';
import type { EmulatorState, HandleResult } from './context';
import { ROUTES, type ApiCall, type Route } from './request';

type FaultRoute = Exclude<Route, 'control'>;

export interface FaultMatch {
	/** Only requests of this route ('create', 'table', 'token'); any when absent. */
	route?: FaultRoute;
	/** Only requests of this HTTP method. */
	method?: string;
	/** Only requests whose path contains this text. */
	path?: string;
	/** Only create requests carrying this issue_code. */
	issue_code?: string;
}

export interface FaultSpec {
	match?: FaultMatch;
	/** How many matching requests this fault shapes (default 1; 0 = every matching request). */
	count?: number;
	/** Answer with this HTTP status instead of processing (e.g. 429, 500, 503). */
	status?: number;
	/** Seconds for Retry-After on a 429 or 503 (default 1). */
	retryAfter?: number;
	/** Answer with this catalogue error instead of processing (e.g. "BEING_RESOLVED"). */
	error?: ErrorCode;
	/** Wait this long before answering (alone: the request is processed normally, answered late). */
	delayMs?: number;
	/** Destroy the connection: 'before' processing, or 'after' (the issue exists, the answer is lost). */
	drop?: 'before' | 'after';
	/** A Batch API request: only the first N items are processed, the rest answered as unserviced. */
	unservicedAfter?: number;
}

export interface Fault extends FaultSpec {
	id: number;
	remaining: number;
}

export class FaultSpecError extends Error {}

/** Checks a fault from a user (control API, tests); errors name the field and the fix, never the value given. */
export function parseFaultSpec(raw: unknown): FaultSpec {
	if (!isPlainObject(raw)) throw new FaultSpecError('A fault must be a JSON object.');
	const spec: FaultSpec = {};
	const bad = (field: string, what: string) =>
		new FaultSpecError(`Fault field "${field}" must be ${what}.`);
	const positiveInt = (field: string, min: number) => {
		const v = raw[field];
		if (v === undefined) return undefined;
		if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
			throw bad(field, `an integer ≥ ${min}`);
		}
		return v;
	};
	spec.count = positiveInt('count', 0);
	spec.status = positiveInt('status', 400);
	if (spec.status !== undefined && spec.status > 599) throw bad('status', 'an HTTP status 400–599');
	spec.retryAfter = positiveInt('retryAfter', 0);
	spec.delayMs = positiveInt('delayMs', 0);
	spec.unservicedAfter = positiveInt('unservicedAfter', 0);
	if (raw.error !== undefined) {
		if (typeof raw.error !== 'string' || !isErrorCode(raw.error)) {
			throw bad('error', 'an error code of the catalogue, e.g. "BEING_RESOLVED"');
		}
		spec.error = raw.error;
	}
	if (raw.drop !== undefined) {
		if (raw.drop !== 'before' && raw.drop !== 'after') throw bad('drop', '"before" or "after"');
		spec.drop = raw.drop;
	}
	const actions = [spec.status, spec.error, spec.drop, spec.unservicedAfter].filter(
		(v) => v !== undefined,
	).length;
	if (actions > 1)
		throw new FaultSpecError(
			'A fault takes only one of "status", "error", "drop" and "unservicedAfter".',
		);
	if (actions === 0 && spec.delayMs === undefined) {
		throw new FaultSpecError(
			'A fault needs one of "status", "error", "drop", "unservicedAfter" or "delayMs".',
		);
	}
	if (raw.match !== undefined) {
		if (!isPlainObject(raw.match)) throw bad('match', 'an object');
		const m = raw.match;
		const match: FaultMatch = {};
		if (m.route !== undefined) {
			if (!(ROUTES as readonly unknown[]).includes(m.route))
				throw bad('match', `an object whose route is one of ${ROUTES.join(', ')}`);
			match.route = m.route as FaultRoute;
		}
		for (const key of ['method', 'path', 'issue_code'] as const) {
			if (m[key] === undefined) continue;
			if (typeof m[key] !== 'string') throw bad('match', `an object whose ${key} is a string`);
			match[key] = m[key];
		}
		spec.match = match;
	}
	for (const key of Object.keys(spec) as Array<keyof FaultSpec>) {
		if (spec[key] === undefined) delete spec[key];
	}
	return spec;
}

export class FaultList {
	private faults: Fault[] = [];
	private nextId = 1;

	add(spec: FaultSpec): Fault {
		const fault: Fault = { ...spec, id: this.nextId++, remaining: spec.count || 1 };
		this.faults.push(fault);
		return fault;
	}

	get size(): number {
		return this.faults.length;
	}

	list(): Fault[] {
		return this.faults.map((f) => ({ ...f }));
	}

	clear(): void {
		this.faults = [];
	}

	/** Takes the first fault matching the request, counting it down. */
	take(call: ApiCall): Fault | undefined {
		const fault = this.faults.find((f) => matches(f.match, call));
		if (!fault) return undefined;
		if (fault.count === 0) return fault;
		fault.remaining--;
		if (fault.remaining <= 0) this.faults = this.faults.filter((f) => f !== fault);
		return fault;
	}
}

function matches(match: FaultMatch | undefined, call: ApiCall): boolean {
	if (!match) return true;
	if (match.route && match.route !== call.route) return false;
	if (match.method && match.method.toUpperCase() !== call.method) return false;
	if (match.path && !call.path.includes(match.path)) return false;
	if (
		match.issue_code !== undefined &&
		(scalarText(call.body.body?.issue_code) ?? undefined) !== match.issue_code
	)
		return false;
	return true;
}

/** A fault a request took: the answer it gives instead of the handler's (if any), and its journal note. */
export interface TakenFault {
	fault: Fault;
	answer?: HandleResult;
	note: string;
}

/** The fault this request takes, if one matches. */
export function takeFault(state: EmulatorState, call: ApiCall): TakenFault | undefined {
	const fault = state.faults.take(call);
	return fault && { fault, answer: faultAnswer(state, fault, call), note: describe(fault) };
}

function faultAnswer(state: EmulatorState, fault: Fault, call: ApiCall): HandleResult | undefined {
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

function describe(fault: Fault): string {
	if (fault.drop) return `drop ${fault.drop}`;
	if (fault.error) return `error ${fault.error}`;
	if (fault.status) return `status ${fault.status}`;
	if (fault.unservicedAfter !== undefined) return `unserviced after ${fault.unservicedAfter}`;
	return `delay ${fault.delayMs} ms`;
}
