/**
 * Values every Table API query the nodes build must carry as data: generated hostile values (lone
 * surrogates, ^, ^OR, ^NQ, =, operator words, line breaks, NUL, emoji, direction marks), the terms
 * a query must hold read back as the emulator splits and reads them, and the node operations that
 * put a value in a query (pickers, CI lookup by host, Get and Chain by ID, the recovery read after
 * a lost answer). Used by test/nodes/ServiceNowPe/shared/query-values/.
 */
import fc from 'fast-check';
import { isQueryableValue, splitQuery } from '../../contract/encodedQuery';
import { readCondition } from '../../emulator/core/query';
import type { RunningEmulator } from '../../emulator/server';
import { BASIC, CHAIN, actionV1, runAction } from './action';
import { alertGroup } from './alerts';
import { ADMIN_AUTH, BETH, makeIssue, tableQueries } from './http';

export const RUNS = 40;
export const TIMEOUT = 120_000;
export const FAST = { retryBaseDelayMs: 10, timeoutSeconds: 2, maxAttempts: 3 };

/** What a value must arrive as: well-formed (the language's own toWellFormed), nothing else changed. */
export const safe = (value: string): string =>
	(value as unknown as { toWellFormed(): string }).toWellFormed();
/** A value a query carries exactly as given. */
export const exact = (value: string): boolean => isQueryableValue(value) && safe(value) === value;

// Pieces of hostile values: lone surrogates (alone and before a ^), query syntax, operator words,
// control and invisible characters, and text of real rows (so an injected condition would match).
export const PIECES = [
	'\ud800',
	'\udbff',
	'\udc00',
	'\udfff',
	'\ud800^NQ',
	'\udc00^OR',
	'\ud83d',
	'^',
	'^^',
	'^OR',
	'^NQ',
	'^ORDERBY',
	'ORDERBYDESC',
	'=',
	'!=',
	'>',
	'<=',
	',',
	'LIKE',
	'NOT LIKE',
	'STARTSWITH',
	'ISEMPTY',
	'ISNOTEMPTY',
	'IN',
	'NOT IN',
	'\n',
	'\r\n',
	'\u0000',
	'\t',
	' ',
	'\u00a0',
	'😀',
	'👩‍💻',
	'\u200f',
	'\u202e',
	'\u2066',
	'\ufeff',
	'\ufffd',
	'&',
	'%',
	'%5E',
	'+',
	'#',
	'?',
	'/',
	':',
	';',
	'.',
	'{',
	'}',
	'"',
	"'",
	'\\',
	'name=ABEL-LAPTOP',
	'active=false',
	'issue_code=100',
	'user_nameISNOTEMPTY',
	'abel.tuter',
	'ABEL-LAPTOP',
	'x',
];
export const hostile = fc
	.array(
		fc.oneof(
			{ weight: 4, arbitrary: fc.constantFrom(...PIECES) },
			{ weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 4 }) },
		),
		{ minLength: 1, maxLength: 8 },
	)
	.map((parts) => parts.join(''))
	.filter((v) => v.trim() !== '');
/** Hostile, but well-formed: what a recovery read can carry exactly. */
export const wellFormedHostile = hostile.filter((v) => safe(v.trim()) === v.trim());

/** An intended term: a fixed one, or a condition (joined by OR or NQ to the one before). */
export type Term = string | { join?: 'OR' | 'NQ'; field: string; operator: string; value: string };
export const cond = (field: string, operator: string, value: string, join?: 'OR' | 'NQ'): Term => ({
	join,
	field,
	operator,
	value: safe(value),
});
export const textOf = (t: Term): string =>
	typeof t === 'string' ? t : `${t.join ?? ''}${t.field}${t.operator}${t.value}`;

/** Exactly these terms, and the emulator reads each condition as its field, operator and value. */
export function expectTerms(terms: string[], expected: Term[]): void {
	expect(terms).toEqual(expected.map(textOf));
	expected.forEach((t, i) => {
		if (typeof t !== 'string')
			expect(readCondition(terms[i].slice(t.join?.length ?? 0))).toEqual({
				field: t.field,
				operator: t.operator,
				value: t.value,
				index: expect.any(Number),
			});
	});
}

/** The query, read back as the emulator splits it, holds exactly these terms. */
export const expectQuery = (query: string, expected: Term[]) =>
	expectTerms(splitQuery(query), expected);

/** Several queries in any order. */
export function expectQueries(queries: string[], expected: Term[][]): void {
	const order = (terms: string[]) => JSON.stringify(terms);
	const got = [...queries].sort((a, b) => order(splitQuery(a)).localeCompare(order(splitQuery(b))));
	const want = [...expected].sort((a, b) =>
		order(a.map(textOf)).localeCompare(order(b.map(textOf))),
	);
	expect(got).toHaveLength(want.length);
	got.forEach((q, i) => expectQuery(q, want[i]));
}

/** Runs `run` for RUNS generated values, the emulator reset before each. */
export const property = <T>(
	sn: RunningEmulator,
	arb: fc.Arbitrary<T>,
	run: (value: T) => Promise<void>,
) =>
	fc.assert(
		fc.asyncProperty(arb, async (value) => {
			sn.reset();
			await run(value);
		}),
		{ numRuns: RUNS },
	);

/** Each picker: the fixed terms before, the fields searched (LIKE what is typed, joined by OR), the order. */
export const PICKERS: Array<
	[keyof typeof actionV1.methods.listSearch, string[], string[], string]
> = [
	['issueCodeSearch', ['active=true'], ['issue_code', 'name'], 'issue_code'],
	['providerSearch', [], ['provider_code', 'name'], 'name'],
	['computerSearch', [], ['name'], 'name'],
	['userSearch', ['active=true'], ['user_name', 'email', 'name'], 'user_name'],
];

/** The terms a picker's query holds for what was typed. */
export const pickerTerms = (
	base: string[],
	fields: string[],
	order: string,
	typed: string,
): Term[] => [
	...base,
	...fields.map((f, i) => cond(f, 'LIKE', typed, i > 0 ? 'OR' : undefined)),
	`ORDERBY${order}`,
];

/** One Alertmanager notification of an alert per host for abel.tuter, each CI looked up by host, as a dry run. */
export const lookUpHosts = (url: string, hosts: string[]) =>
	runAction({
		items: [
			alertGroup(
				hosts.map((instance, k) => ({ alertname: `A${k}`, instance, user: 'abel.tuter' })),
			),
		],
		credentials: BASIC(url),
		parameters: {
			source: 'alertmanager',
			defaultIssueCode: '101',
			resolveCiFromHost: true,
			options: { dryRun: true },
		},
	});

/** Get of each ID by `findBy`, an issue not found on the regular output. */
export const getBy = (url: string, findBy: string, ids: string[]) =>
	runAction({
		items: ids.map((id) => ({ id })),
		credentials: BASIC(url),
		onError: 'continueRegularOutput',
		parameters: { operation: 'get', findBy, issueId: '={{ $json.id }}' },
	});

/** Chain of code 101 onto each experience_id, with Check State First. */
export const chainOnto = (url: string, ids: string[]) =>
	runAction({
		items: ids.map((experience_id) => ({ experience_id, code: '101' })),
		credentials: BASIC(url),
		parameters: CHAIN,
	});

/** Beth's issue of code 100, made on the instance a moment ago. */
export const bethsIssue = (url: string) =>
	makeIssue(url, BETH.sys_id, '100', undefined, ADMIN_AUTH);

/** Runs one item through the action node, its first answer lost after the instance processed it; the node must not fail. */
export async function withAnswerLost(
	sn: RunningEmulator,
	item: Record<string, unknown>,
	parameters: Record<string, unknown>,
) {
	sn.injectFault({ drop: 'after', match: { route: 'create' } });
	const { outputs, error } = await runAction({
		items: [item],
		credentials: BASIC(sn.url),
		parameters: { ...parameters, options: FAST },
	});
	expect(error).toBeUndefined();
	return outputs;
}

/** What a Create's recovery read asks for: the issue code, provider and every endpoint field sent. */
export const recoveryTerms = (
	v: Record<'code' | 'provider' | 'user_id' | 'user_name' | 'email' | 'ci', string>,
): Term[] => [
	cond('issue_code', '=', v.code),
	cond('provider', '=', v.provider),
	cond('user', '=', v.user_id),
	cond('user.user_name', '=', v.user_name, 'OR'),
	cond('user.email', '=', v.email, 'OR'),
	cond('configuration_item', '=', v.ci, 'OR'),
	'ORDERBYDESCsys_created_on',
];

/** There was a Table API read since the last reset, and every one holds exactly these terms. */
export function expectEveryRead(sn: RunningEmulator, expected: Term[]): void {
	const queries = tableQueries(sn);
	expect(queries.length).toBeGreaterThanOrEqual(1);
	for (const q of queries) expectQuery(q, expected);
}

/** The read found what the lost attempt made (or proved it made nothing): one issue at most, with this experience_id. */
export function expectAtMostIssue(sn: RunningEmulator, experienceId: string): void {
	expect(sn.issues().length).toBeLessThanOrEqual(1);
	if (sn.issues().length === 1) expect(sn.issues()[0].experience_id).toBe(experienceId);
}
