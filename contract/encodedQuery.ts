/**
 * ServiceNow encoded queries (`sysparm_query`): conditions joined by `^`. A `^` inside a value is
 * written `^^` (as GlideStringUtil.escapeQueryTermSeparator does), so a value taken from an alert
 * or an ID can never add conditions of its own. Both the node (building) and the emulator
 * (reading) use these functions; condition() is the one place a query value is made safe.
 */

export type QueryOperator = '=' | '!=' | 'LIKE' | 'STARTSWITH' | 'IN' | '>' | '>=' | '<' | '<=';

/**
 * Whether a value can be put in a query as data. Instances run a value that starts with
 * `javascript:` as a script (sandboxed, but still the caller's code), and no escape stops that:
 * such a value is not queried at all.
 */
export function isQueryableValue(value: string): boolean {
	return !/^\s*javascript\s*:/i.test(value);
}

/** A UTF-16 half without its partner: a high surrogate not followed by a low one, or a low one not after a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * The value as well-formed Unicode: each lone surrogate becomes U+FFFD (what
 * String.prototype.toWellFormed does; that is ES2024, this package targets ES2022).
 */
export function wellFormed(value: string): string {
	return value.replace(LONE_SURROGATE, '\uFFFD');
}

/**
 * Whether a query carries the value exactly as given: queryable, and well-formed (condition()
 * replaces nothing in it). A read that proves something by what it does not find (recovery: "the
 * attempt made nothing") needs this; a value that fails it proves nothing either way.
 */
export function isExactQueryValue(value: string): boolean {
	return isQueryableValue(value) && wellFormed(value) === value;
}

/**
 * Why a lookup by `value` found nothing when the value holds a lone surrogate (no row can hold
 * one: it was looked up as U+FFFD), for messages; '' for any other value.
 */
export function brokenValueNote(value: string): string {
	return wellFormed(value) === value
		? ''
		: ' It holds a broken character (a lone UTF-16 surrogate), which no stored value has: check the expression that gives it.';
}

/**
 * One condition, its value made safe: well-formed first, then `^` escaped. Check the value with
 * isQueryableValue first (isExactQueryValue for a read whose finding nothing proves something).
 *
 * Well-formed first, because escaping is not enough: `qs` (which n8n serialises query strings
 * with; the node's transport now encodes them itself, and needs well-formed strings for
 * encodeURIComponent) takes a surrogate together with the next code unit, whatever that is. A lone
 * surrogate before a `^` hid the `^` inside one 4-byte character and left the escape's second
 * `^` bare: `"zz\ud800^NQname=ABEL-LAPTOP"` reached the instance as `name=zz𐁞^NQname=ABEL-LAPTOP`,
 * a second query of the sender's making (every webhook can carry `"\ud800"`: it is valid JSON).
 * A lone surrogate is no text an instance can store or match, so it is replaced rather than the
 * value refused: a replaced value can only match a row that holds U+FFFD in that place, never
 * another row, so a lookup by it (picker, CI by host, issue by ID, trigger filter) finds, as a
 * rule, nothing, which is all an unreadable value deserves. Recovery reads, where finding nothing
 * is a proof (and the instance may have stored the value otherwise), use isExactQueryValue and
 * do not query such a value at all.
 *
 * NUL, line breaks and every other character stay data: `^` is the only separator an encoded
 * query has, and the query string percent-encodes them (`%00`, `%0A`), so none of them starts a term.
 */
export function condition(field: string, operator: QueryOperator, value: string): string {
	return `${field}${operator}${wellFormed(value).replace(/\^/g, '^^')}`;
}

/** A condition that a field holds one of `values` (`stateINopen,closed`), made safe as condition() makes it. */
export function isOneOf(field: string, values: readonly string[]): string {
	return condition(field, 'IN', values.join(','));
}

/**
 * Conditions of which any one will do: the first as it is, each next one `OR`-prefixed. `OR` binds
 * to the condition before it, so these terms, put after other conditions, are one alternative of theirs.
 */
export function anyOf(conditions: string[]): string[] {
	return conditions.map((c, i) => (i > 0 ? `OR${c}` : c));
}

/** An order term: by `field`, ascending (`ORDERBYname`) or descending (`ORDERBYDESCname`). */
export function orderBy(
	field: string,
	direction: 'ascending' | 'descending' = 'ascending',
): string {
	return `ORDERBY${direction === 'descending' ? 'DESC' : ''}${field}`;
}

/** Conditions joined with AND, plus optional order terms (see orderBy). */
export function encodeQuery(conditions: string[], order: string[] = []): string {
	return [...conditions, ...order].join('^');
}

/**
 * Queries of which a row may match any (each a list of conditions joined with AND; the lists joined
 * with `^NQ`), then order terms that sort the rows of all of them.
 */
export function encodeAnyQuery(queries: string[][], order: string[] = []): string {
	return [queries.map((conditions) => encodeQuery(conditions)).join('^NQ'), ...order].join('^');
}

/** The terms of an encoded query, `^^` read back as a literal `^`. */
export function splitQuery(query: string): string[] {
	const terms: string[] = [];
	let current = '';
	for (let i = 0; i < query.length; i++) {
		const c = query[i];
		if (c !== '^') {
			current += c;
		} else if (query[i + 1] === '^') {
			current += '^';
			i++;
		} else {
			terms.push(current);
			current = '';
		}
	}
	terms.push(current);
	return terms.filter((t) => t.trim() !== '');
}
