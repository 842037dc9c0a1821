/** Small value helpers every part uses: one of each. */

export function isPlainObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A scalar as trimmed text: undefined when missing (undefined or null), null when the value is
 * not a scalar (an object or a list), so callers can tell "absent" from "wrong type".
 */
export function scalarText(value: unknown): string | undefined | null {
	if (value === undefined || value === null) return undefined;
	if (typeof value === 'string') return value.trim();
	if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
		return String(value);
	return null;
}

/** Any value as trimmed text: '' when missing, JSON for objects and lists. */
export function text(value: unknown): string {
	const scalar = scalarText(value);
	if (scalar !== null) return scalar ?? '';
	try {
		return JSON.stringify(value) ?? '';
	} catch {
		return '';
	}
}

/**
 * Sets an own, enumerable property whatever its name: a key such as `__proto__` taken from input
 * stays data instead of changing the object's prototype.
 */
export function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
	Object.defineProperty(target, key, {
		value,
		enumerable: true,
		writable: true,
		configurable: true,
	});
}

/** An object's entries as text values (see `text`); keys kept as they are. */
export function textMap(value: unknown): Record<string, string> {
	const out: Record<string, string> = {};
	if (!isPlainObject(value)) return out;
	for (const [key, v] of Object.entries(value)) setOwn(out, key, text(v));
	return out;
}
