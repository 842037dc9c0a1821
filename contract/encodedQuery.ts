/**
 * ServiceNow encoded queries (`sysparm_query`): conditions joined by `^`. A `^` inside a value is
 * written `^^`, so a value taken from an alert or an ID can never add conditions of its own. Both
 * the node (building) and the emulator (reading) use these two functions.
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

/** One condition; `^` in the value is escaped. Check the value with isQueryableValue first. */
export function condition(field: string, operator: QueryOperator, value: string): string {
	return `${field}${operator}${value.replace(/\^/g, '^^')}`;
}

/** Conditions joined with AND, plus optional order terms (`ORDERBYsys_updated_on`). */
export function encodeQuery(conditions: string[], order: string[] = []): string {
	return [...conditions, ...order].join('^');
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
