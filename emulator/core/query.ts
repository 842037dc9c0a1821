/** Encoded queries (`sysparm_query`) over table rows: parsed once, bounded, matched and sorted. */
import { splitQuery } from '../../contract/encodedQuery';
import type { Row } from './table';

/** A field of a referenced record (`user.user_name`), as instances dot-walk references. */
export type DotWalk = (row: Row, field: string) => string | undefined;

/** The most an encoded query may ask of one Table API read (README, "Limits"). */
export const QUERY_LIMITS = Object.freeze({
	/** Terms (conditions and orders, `^` separated). */
	terms: 100,
	/** ORDERBY / ORDERBYDESC terms. */
	orderBy: 10,
	/** Values of one IN / NOT IN list. */
	inValues: 1000,
});

/** A query past QUERY_LIMITS; the message names the limit, never the query. */
export class QueryLimitError extends Error {}

/** A field conditions read: its name, and its place in a row's cache. */
interface Slot {
	name: string;
	index: number;
	/** A dot-walk (`user.user_name`): read through the reference, not from the row. */
	walked: boolean;
}

/**
 * One row as the conditions read it: each field's value, and its lower case, taken once per row
 * however many conditions read the field (a cache entry holds while its generation is the row's).
 */
class RowView {
	private row: Row = {};
	private generation = 0;
	private readonly valueAt: number[];
	private readonly lowerAt: number[];
	private readonly values: Array<string | undefined>;
	private readonly lowers: Array<string | undefined>;

	constructor(
		slots: number,
		private readonly walk?: DotWalk,
	) {
		this.valueAt = new Array<number>(slots).fill(0);
		this.lowerAt = new Array<number>(slots).fill(0);
		this.values = new Array<string | undefined>(slots);
		this.lowers = new Array<string | undefined>(slots);
	}

	at(row: Row): void {
		this.row = row;
		this.generation++;
	}

	/** The value; undefined for a dot-walk that reaches no field. */
	value(slot: Slot): string | undefined {
		if (!slot.walked) return own(this.row, slot.name);
		if (this.valueAt[slot.index] === this.generation) return this.values[slot.index];
		const value = this.walk?.(this.row, slot.name);
		this.values[slot.index] = value;
		this.valueAt[slot.index] = this.generation;
		return value;
	}

	lower(slot: Slot): string | undefined {
		if (this.lowerAt[slot.index] === this.generation) return this.lowers[slot.index];
		const value = this.value(slot)?.toLowerCase();
		this.lowers[slot.index] = value;
		this.lowerAt[slot.index] = this.generation;
		return value;
	}
}

type Condition = (view: RowView) => boolean;

/**
 * Operators, longest first. `lower`: the value and the argument compare in lower case (like
 * instances, text operators and = / != ignore case); the argument is prepared once per query.
 */
const OPERATORS: Array<[string, 'lower' | 'raw', (arg: string) => (value: string) => boolean]> = [
	['ISNOTEMPTY', 'raw', () => (v) => v !== ''],
	['ISEMPTY', 'raw', () => (v) => v === ''],
	['STARTSWITH', 'lower', (a) => (v) => v.startsWith(a)],
	['ENDSWITH', 'lower', (a) => (v) => v.endsWith(a)],
	['NOT LIKE', 'lower', (a) => (v) => !v.includes(a)],
	['LIKE', 'lower', (a) => (v) => v.includes(a)],
	['NOT IN', 'raw', (a) => notIn(inValues(a))],
	['IN', 'raw', (a) => isIn(inValues(a))],
	['!=', 'lower', (a) => (v) => v !== a],
	// Dates (yyyy-MM-dd HH:mm:ss) and equal-length codes compare as text.
	['>=', 'raw', (a) => (v) => v >= a],
	['<=', 'raw', (a) => (v) => v <= a],
	['>', 'raw', (a) => (v) => v > a],
	['<', 'raw', (a) => (v) => v < a],
	['=', 'lower', (a) => (v) => v === a],
];

/** An IN list, split once per query. */
function inValues(arg: string): Set<string> {
	const values = arg.split(',');
	if (values.length > QUERY_LIMITS.inValues) {
		throw new QueryLimitError(
			`An IN or NOT IN list of sysparm_query has more than ${QUERY_LIMITS.inValues} values, the most this emulator accepts; split the query.`,
		);
	}
	return new Set(values);
}
const isIn = (set: Set<string>) => (v: string) => set.has(v);
const notIn = (set: Set<string>) => (v: string) => !set.has(v);

const NEVER: Condition = () => false;

/** What parsing a query learns of the table: its fields, its dot-walks, the fields read. */
class QueryReader {
	readonly slots = new Map<string, Slot>();
	/** The row's own fields the query reads (dot-walks read their reference field). */
	readonly uses = new Set<string>();

	constructor(
		readonly fields: ReadonlySet<string>,
		readonly walk?: DotWalk,
	) {}

	/** The field's slot; undefined for a field the table does not have and cannot reach. */
	slot(name: string): Slot | undefined {
		const known = this.slots.get(name);
		if (known) return known;
		const walked = !this.fields.has(name);
		if (walked && !(this.walk && name.includes('.'))) return undefined;
		const slot: Slot = { name, index: this.slots.size, walked };
		this.slots.set(name, slot);
		this.uses.add(walked ? name.slice(0, name.indexOf('.')) : name);
		return slot;
	}
}

/** A condition term read as field, operator and value; undefined for a term that is none. */
export interface ConditionTerm {
	field: string;
	operator: string;
	value: string;
	/** Where the term's operator is in OPERATORS. */
	index: number;
}

/**
 * Reads `<field><operator><value>`: the operator is the first one after a field name (at the same
 * place, the longest), so a value holding an operator's word (`nameLIKEaSTARTSWITH`) stays value.
 */
export function readCondition(term: string): ConditionTerm | undefined {
	let found: ConditionTerm | undefined;
	let foundAt = Infinity;
	OPERATORS.forEach(([op], index) => {
		const at = term.indexOf(op);
		if (at <= 0 || at >= foundAt) return;
		const field = term.slice(0, at);
		if (!/^[A-Za-z_][A-Za-z0-9_.]*$/.test(field)) return;
		found = { field, operator: op, value: term.slice(at + op.length), index };
		foundAt = at;
	});
	return found;
}

function conditionOf(term: string, reader: QueryReader): Condition {
	const read = readCondition(term);
	if (!read) return NEVER;
	const [, kind, prepare] = OPERATORS[read.index];
	// A field the table does not have, and cannot reach by a dot-walk, matches no row.
	const slot = reader.slot(read.field);
	if (!slot) return NEVER;
	const test = prepare(kind === 'lower' ? read.value.toLowerCase() : read.value);
	return kind === 'lower'
		? (view) => {
				const v = view.lower(slot);
				return v !== undefined && test(v);
			}
		: (view) => {
				const v = view.value(slot);
				return v !== undefined && test(v);
			};
}

/**
 * A parsed encoded query: `^NQ` groups, any of which may match; each group's clauses must all
 * match; a clause is a condition or several joined by `^OR`.
 */
export interface TableQuery {
	groups: Condition[][][];
	/** Each field once, first mention first (a later mention of a field cannot reorder ties). */
	order: Array<{ field: string; desc: boolean }>;
	/** The row's own fields the query reads (conditions, orders, references dot-walked). */
	uses: Set<string>;
	/** Fields conditions read, each with its place in a row's cache. */
	slots: number;
	walk?: DotWalk;
}

/**
 * Parses an encoded query (`a=b^ORa=c^d!=e^NQf=g^ORDERBYDESCsys_created_on`; `^^` is a literal
 * `^`). A condition on a field the table does not have matches no row (as instances set to return
 * no rows for invalid queries do), so a misspelt field can never return the whole table. Throws
 * QueryLimitError past QUERY_LIMITS.
 */
export function parseEncodedQuery(
	query: string,
	fields: ReadonlySet<string>,
	walk?: DotWalk,
): TableQuery {
	const terms = splitQuery(query);
	if (terms.length > QUERY_LIMITS.terms) {
		throw new QueryLimitError(
			`sysparm_query has more than ${QUERY_LIMITS.terms} terms, the most this emulator accepts; split the query.`,
		);
	}
	const reader = new QueryReader(fields, walk);
	const result: TableQuery = { groups: [[]], order: [], uses: reader.uses, slots: 0, walk };
	let orders = 0;
	// Terms of the clause being read: the same alternative twice in one clause is read once.
	let clause = new Set<string>();
	for (const term of terms) {
		const desc = term.startsWith('ORDERBYDESC');
		if (desc || term.startsWith('ORDERBY')) {
			if (++orders > QUERY_LIMITS.orderBy) {
				throw new QueryLimitError(
					`sysparm_query has more than ${QUERY_LIMITS.orderBy} ORDERBY terms, the most this emulator accepts.`,
				);
			}
			const field = term.slice(desc ? 11 : 7);
			if (!result.order.some((o) => o.field === field)) result.order.push({ field, desc });
			// A dot-walked order reads its reference field.
			reader.uses.add(field.includes('.') ? field.slice(0, field.indexOf('.')) : field);
			continue;
		}
		const group = result.groups[result.groups.length - 1];
		if (term.startsWith('NQ') && group.length > 0) {
			clause = new Set([term.slice(2)]);
			result.groups.push([[conditionOf(term.slice(2), reader)]]);
		} else if (term.startsWith('OR') && group.length > 0) {
			if (clause.has(term.slice(2))) continue;
			clause.add(term.slice(2));
			group[group.length - 1].push(conditionOf(term.slice(2), reader));
		} else {
			clause = new Set([term]);
			group.push([conditionOf(term, reader)]);
		}
	}
	result.slots = reader.slots.size;
	return result;
}

/** A row's own field; names an object inherits (`constructor`, `__proto__`) are no fields. */
function own(row: Row, field: string): string {
	return Object.hasOwn(row, field) ? row[field] : '';
}

/** Compares as String.prototype.localeCompare does, without a collator made per call. */
const collator = new Intl.Collator();

export function queryRows(rows: Row[], query: TableQuery): Row[] {
	const view = new RowView(query.slots, query.walk);
	const { groups, order, walk } = query;
	// An order on a dot-walked field (ORDERBYuser.user_name) sorts by the field it reaches.
	const key = (row: Row, field: string): string =>
		walk && field.includes('.') && !Object.hasOwn(row, field)
			? (walk(row, field) ?? '')
			: own(row, field);
	const matched = rows.filter((row) => {
		view.at(row);
		return groups.some((clauses) => clauses.every((anyOf) => anyOf.some((c) => c(view))));
	});
	if (order.length > 0) {
		// One sort, every order term in one comparison: the first decides, the next break ties.
		matched.sort((a, b) => {
			for (const { field, desc } of order) {
				const c = collator.compare(key(a, field), key(b, field));
				if (c !== 0) return desc ? -c : c;
			}
			return 0;
		});
	}
	return matched;
}
