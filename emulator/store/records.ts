/**
 * Checks what a state file holds before the emulator takes it in: issue records, token grants,
 * incidents and the counter, as parsed from JSON. Each check returns a record holding only the
 * fields the emulator knows; an error names the field and what it must be.
 */
import { ISSUE_STATES } from '../../contract/api';
import { isPlainObject } from '../../contract/values';
import { MAX_NESTING_DEPTH } from '../../contract/xml';
import type { IncidentRecord, IssueRecord, TokenGrant } from '../core';
import { fail, object, stringField as str, what } from '../core/checks';

/** Whether objects and lists nest deeper than `max` below `value` (which counts as level 1). */
function deeperThan(value: unknown, max: number): boolean {
	if (typeof value !== 'object' || value === null) return false;
	if (max === 0) return true;
	for (const key in value)
		if (deeperThan((value as Record<string, unknown>)[key], max - 1)) return true;
	return false;
}

function freeForm(obj: Record<string, unknown>, key: string, path: string): void {
	if (obj[key] === undefined) obj[key] = {};
	const v = obj[key];
	if (!isPlainObject(v)) fail(`${path}.${key}`, 'an object', v);
	if (deeperThan(v, MAX_NESTING_DEPTH))
		fail(`${path}.${key}`, `nested at most ${MAX_NESTING_DEPTH} levels`, v, 'deeper nesting');
}

/** The text fields of an issue: required non-empty, required, or optional ('' when absent). */
const ISSUE_TEXT: Array<[string, 'nonEmpty' | 'required' | 'optional']> = [
	['sys_id', 'nonEmpty'],
	['number', 'nonEmpty'],
	['experience_id', 'nonEmpty'],
	['issue_code', 'nonEmpty'],
	['provider', 'nonEmpty'],
	['user', 'required'],
	['configuration_item', 'optional'],
	['sys_created_on', 'required'],
	['sys_updated_on', 'required'],
	['end_reason', 'optional'],
	['fallback_result', 'optional'],
	['fallback_incident', 'optional'],
];
const ISSUE_FIELDS = new Set([
	...ISSUE_TEXT.map(([key]) => key),
	'state',
	'endpoint',
	'input_parameters',
	'investigative_details',
	'issue_code_history',
	'next_step',
	'next_step_at',
]);

/** Checks a parsed issue record in place (it loads 100,000 issues in a blink): unknown fields are dropped. */
export function checkIssue(raw: unknown, path: string): IssueRecord {
	const r = object(raw, path);
	for (const [key, kind] of ISSUE_TEXT) {
		const v = r[key];
		if (
			typeof v === 'string'
				? kind === 'nonEmpty' && v === ''
				: v !== undefined || kind !== 'optional'
		) {
			str(r, key, path, { nonEmpty: kind === 'nonEmpty' });
		}
		if (v === undefined) r[key] = '';
	}
	const state = r.state;
	if (typeof state !== 'string' || !(ISSUE_STATES as readonly string[]).includes(state)) {
		fail(
			`${path}.state`,
			`one of ${ISSUE_STATES.join(', ')}`,
			state,
			typeof state === 'string' ? JSON.stringify(state.slice(0, 40)) : what(state),
		);
	}
	const endpoint = object(r.endpoint, `${path}.endpoint`);
	for (const key in endpoint)
		if (typeof endpoint[key] !== 'string')
			fail(`${path}.endpoint.${key}`, 'a string', endpoint[key]);
	const history = r.issue_code_history;
	if (
		!Array.isArray(history) ||
		history.length === 0 ||
		history.some((c) => typeof c !== 'string')
	) {
		fail(
			`${path}.issue_code_history`,
			'a list of strings',
			history,
			Array.isArray(history)
				? history.length
					? 'a list holding something else'
					: 'an empty list'
				: what(history),
		);
	}
	freeForm(r, 'input_parameters', path);
	freeForm(r, 'investigative_details', path);
	if (r.next_step !== undefined || r.next_step_at !== undefined) {
		if (r.next_step !== 'engage' && r.next_step !== 'outcome')
			fail(`${path}.next_step`, 'engage or outcome', r.next_step);
		if (typeof r.next_step_at !== 'number' || !Number.isFinite(r.next_step_at))
			fail(`${path}.next_step_at`, 'a time in milliseconds', r.next_step_at);
	}
	for (const key in r) if (!ISSUE_FIELDS.has(key)) delete r[key];
	return r as unknown as IssueRecord;
}

export function checkGrant(raw: unknown, path: string): TokenGrant {
	const g = object(raw, path);
	if (typeof g.expiresAt !== 'number' || !Number.isFinite(g.expiresAt))
		fail(`${path}.expiresAt`, 'a time in milliseconds', g.expiresAt);
	return {
		user_name: str(g, 'user_name', path, { nonEmpty: true }),
		client_id: str(g, 'client_id', path),
		expiresAt: g.expiresAt,
	};
}

const INCIDENT_FIELDS = [
	'number',
	'short_description',
	'description',
	'caller_id',
	'cmdb_ci',
	'state',
	'origin_table',
	'origin_id',
	'work_notes',
	'sys_created_on',
	'sys_updated_on',
] as const;

export function checkIncident(raw: unknown, path: string): IncidentRecord {
	const r = object(raw, path);
	const incident = { sys_id: str(r, 'sys_id', path, { nonEmpty: true }) } as IncidentRecord;
	for (const key of INCIDENT_FIELDS) incident[key] = str(r, key, path);
	return incident;
}

/** The number of the next issue: a whole number, at least 0. */
export function checkCounter(value: unknown, path: string): number {
	const n = typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : value;
	if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0)
		fail(
			path,
			'a whole number from 0',
			value,
			typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : what(value),
		);
	return n;
}
