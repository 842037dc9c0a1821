/**
 * Checks of parsed JSON the emulator takes in (a seed, the records of a state file): each returns
 * what it checked, or throws CheckError naming the field and what it must be.
 */
import { isPlainObject } from '../../contract/values';

/** What a value is, in words: "a string", "a list", "nothing"… */
export function what(value: unknown): string {
	if (value === undefined) return 'nothing';
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'a list';
	if (typeof value === 'object') return 'an object';
	if (typeof value === 'boolean') return 'true or false';
	return typeof value === 'number' && Number.isFinite(value) ? 'a number' : `a ${typeof value}`;
}

/** A field that is not what it must be: `${path} must be ${expected} (got ${shown})`. */
export class CheckError extends Error {
	constructor(
		readonly path: string,
		readonly expected: string,
		/** The value found (callers that may show it do so; the message gives only what it is). */
		readonly value: unknown,
		shown = what(value),
	) {
		super(`${path} must be ${expected} (got ${shown})`);
	}
}

export function fail(path: string, expected: string, value: unknown, shown?: string): never {
	throw new CheckError(path, expected, value, shown);
}

export function object(value: unknown, path: string): Record<string, unknown> {
	return isPlainObject(value) ? value : fail(path, 'an object', value);
}

export function list(value: unknown, path: string, expected = 'a list'): unknown[] {
	return Array.isArray(value) ? value : fail(path, expected, value);
}

/** A string field: required (the default), required and non-empty, or optional ('' when absent). */
export function stringField(
	obj: Record<string, unknown>,
	key: string,
	path: string,
	options: { nonEmpty?: boolean; optional?: boolean } = {},
): string {
	const v = obj[key];
	if (v === undefined && options.optional) return '';
	if (typeof v !== 'string')
		fail(`${path}.${key}`, options.nonEmpty ? 'a non-empty string' : 'a string', v);
	if (options.nonEmpty && v === '')
		fail(`${path}.${key}`, 'a non-empty string', v, 'an empty string');
	return v;
}

/** One of the allowed words; `fallback` when absent. */
export function oneOf<T extends string>(
	obj: Record<string, unknown>,
	key: string,
	path: string,
	allowed: readonly T[],
	fallback: T,
): T {
	const v = obj[key] ?? fallback;
	if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v))
		fail(`${path}.${key}`, `one of ${allowed.join(', ')}`, obj[key]);
	return v as T;
}
