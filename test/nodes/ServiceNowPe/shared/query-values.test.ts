/**
 * Every Table API query the nodes build from input carries that input as data. Generated values
 * (lone surrogates, ^, ^OR, ^NQ, =, operator words, line breaks, NUL, emoji, direction marks) go
 * as every kind of query value through the real node code — pickers, CI lookup by host, Get and
 * Chain by ID, the recovery reads after a lost answer, the trigger's filters — to the emulator over
 * HTTP; the sysparm_query it received is read back term by term, and holds exactly the intended
 * terms: each field, operator and value as given, made well-formed (a lone surrogate as U+FFFD).
 * A recovery read, where finding nothing is a proof, is not made for a value it cannot carry exactly.
 * Long values put an emoji (a surrogate pair) at every position around the ends of the 1,024-unit
 * blocks in which n8n's `qs` serialiser encoded a string (it cut the pair there).
 */
import fc from 'fast-check';
import type { IDataObject, INode, INodeExecutionData } from 'n8n-workflow';
import { isQueryableValue, splitQuery } from '../../../../contract/encodedQuery';
import { defaultSeed } from '../../../../emulator/core';
import { readCondition } from '../../../../emulator/core/query';
import { startEmulator, type RunningEmulator } from '../../../../emulator/server';
import { hostName } from '../../../../nodes/ServiceNowPe/sources/types';
import { ServiceNowPeTrigger } from '../../../../nodes/ServiceNowPe/ServiceNowPeTrigger.node';
import { alertGroup } from '../../../helpers/alerts';
import {
	ACTION_TYPE,
	actionV1,
	BASIC,
	CREDENTIAL_TYPES,
	routed,
	runAction,
} from '../../../helpers/action';
import { ABEL, BETH, postJson } from '../../../helpers/http';
import {
	CredentialStore,
	buildWorkflow,
	loadOptionsContext,
	nodeTypesOf,
	pollContext,
} from '../../../helpers/n8n';

const RUNS = 40;
const TIMEOUT = 120_000;
const FORMER_EMPLOYEE = '46c6f9efa9fe198101ddf5eed9adf6e7';
const COMPUTERS = defaultSeed().cis;
const FAST = { retryBaseDelayMs: 10, timeoutSeconds: 2, maxAttempts: 3 };

let sn: RunningEmulator;
beforeAll(async () => {
	sn = await startEmulator({ port: 0, auth: 'basic' });
});
afterAll(() => sn.close());

/** What a value must arrive as: well-formed (the language's own toWellFormed), nothing else changed. */
const safe = (value: string): string =>
	(value as unknown as { toWellFormed(): string }).toWellFormed();
/** A value a query carries exactly as given. */
const exact = (value: string): boolean => isQueryableValue(value) && safe(value) === value;

// Pieces of hostile values: lone surrogates (alone and before a ^), query syntax, operator words,
// control and invisible characters, and text of real rows (so an injected condition would match).
const PIECES = [
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
const hostile = fc
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
const wellFormedHostile = hostile.filter((v) => safe(v.trim()) === v.trim());

/** An intended term: a fixed one, or a condition (joined by OR or NQ to the one before). */
type Term = string | { join?: 'OR' | 'NQ'; field: string; operator: string; value: string };
const cond = (field: string, operator: string, value: string, join?: 'OR' | 'NQ'): Term => ({
	join,
	field,
	operator,
	value: safe(value),
});
const textOf = (t: Term): string =>
	typeof t === 'string' ? t : `${t.join ?? ''}${t.field}${t.operator}${t.value}`;

/** Exactly these terms, and the emulator reads each condition as its field, operator and value. */
function expectTerms(terms: string[], expected: Term[]): void {
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
const expectQuery = (query: string, expected: Term[]) => expectTerms(splitQuery(query), expected);

/** Several queries in any order. */
function expectQueries(queries: string[], expected: Term[][]): void {
	const order = (terms: string[]) => JSON.stringify(terms);
	const got = [...queries].sort((a, b) => order(splitQuery(a)).localeCompare(order(splitQuery(b))));
	const want = [...expected].sort((a, b) =>
		order(a.map(textOf)).localeCompare(order(b.map(textOf))),
	);
	expect(got).toHaveLength(want.length);
	got.forEach((q, i) => expectQuery(q, want[i]));
}

/** The sysparm_query of every Table API read the emulator received since the last reset, as it decodes it. */
const tableQueries = (): string[] =>
	sn
		.journal()
		.filter((e) => e.route === 'table')
		.map((e) => new URL(e.path, sn.url).searchParams.get('sysparm_query') ?? '');

const property = <T>(arb: fc.Arbitrary<T>, run: (value: T) => Promise<void>) =>
	fc.assert(
		fc.asyncProperty(arb, async (value) => {
			sn.reset();
			await run(value);
		}),
		{ numRuns: RUNS },
	);

const actionType = actionV1;
function search(method: keyof typeof actionType.methods.listSearch, filter: string) {
	const node: INode = {
		id: 'p',
		name: 'PE',
		type: ACTION_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
		credentials: { serviceNowPeApi: { id: '1', name: 'x' } },
	};
	const workflow = buildWorkflow(
		{ nodes: [node], connections: {} },
		nodeTypesOf({ [ACTION_TYPE]: actionType }),
	);
	return actionType.methods.listSearch[method].call(
		loadOptionsContext(
			workflow,
			'PE',
			new CredentialStore(BASIC(sn.url) as never, CREDENTIAL_TYPES),
		),
		filter,
	);
}

describe('pickers: what is typed is one LIKE value per searched field', () => {
	const PICKERS: Array<[keyof typeof actionType.methods.listSearch, string[], string[], string]> = [
		['issueCodeSearch', ['active=true'], ['issue_code', 'name'], 'issue_code'],
		['providerSearch', [], ['provider_code', 'name'], 'name'],
		['computerSearch', [], ['name'], 'name'],
		['userSearch', ['active=true'], ['user_name', 'email', 'name'], 'user_name'],
	];

	it.each(PICKERS)(
		'%s',
		async (method, base, fields, order) => {
			await property(hostile, async (typed) => {
				const { results } = await search(method, typed);
				const value = typed.trim();
				if (!isQueryableValue(value)) return expect(tableQueries()).toEqual([]);
				expect(tableQueries()).toHaveLength(1);
				expectQuery(tableQueries()[0], [
					...base,
					...fields.map((f, i) => cond(f, 'LIKE', value, i > 0 ? 'OR' : undefined)),
					`ORDERBY${order}`,
				]);
				expect(results.map((r) => r.value)).not.toContain(FORMER_EMPLOYEE);
			});
		},
		TIMEOUT,
	);
});

describe('CI lookup by host: one name condition per host', () => {
	it(
		'looks each alert host up by exactly its name',
		async () => {
			await property(fc.array(hostile, { minLength: 1, maxLength: 4 }), async (instances) => {
				const { outputs, error } = await runAction({
					items: [
						alertGroup(
							instances.map((instance, k) => ({
								alertname: `A${k}`,
								instance,
								user: 'abel.tuter',
							})),
						),
					],
					credentials: BASIC(sn.url),
					parameters: {
						source: 'alertmanager',
						defaultIssueCode: '101',
						resolveCiFromHost: true,
						options: { dryRun: true },
					},
				});
				expect(error).toBeUndefined();
				const hosts = [
					...new Map(
						instances
							.map((i) => hostName(i))
							.filter((h) => h && isQueryableValue(h))
							.map((h) => [h.toLowerCase(), h]),
					).values(),
				];
				expectQueries(
					tableQueries(),
					hosts.map((h) => [cond('name', '=', h)]),
				);
				// An alert gets a CI only when its host is a computer's very name.
				for (const item of outputs.Created ?? []) {
					const host = item.json.ciResolvedFromHost as string | undefined;
					const ci =
						host === undefined
							? undefined
							: COMPUTERS.find((c) => c.name.toLowerCase() === host.toLowerCase())?.sys_id;
					if (host !== undefined) expect(ci).toBeDefined();
					expect((item.json.request as IDataObject).endpoint).toEqual({
						user_name: 'abel.tuter',
						...(ci ? { CI: ci } : {}),
					});
				}
			});
		},
		TIMEOUT,
	);
});

describe('Get and Chain: the ID is one condition', () => {
	it.each(['experience_id', 'sys_id'])(
		'Get by %s',
		async (findBy) => {
			await property(fc.array(hostile, { minLength: 1, maxLength: 3 }), async (ids) => {
				await runAction({
					items: ids.map((id) => ({ id })),
					credentials: BASIC(sn.url),
					onError: 'continueRegularOutput',
					parameters: { operation: 'get', findBy, issueId: '={{ $json.id }}' },
				});
				const queried = ids.map((id) => id.trim()).filter(isQueryableValue);
				expectQueries(
					tableQueries(),
					queried.map((id) => [cond(findBy, '=', id)]),
				);
			});
		},
		TIMEOUT,
	);

	it(
		'Chain with Check State First',
		async () => {
			await property(fc.array(hostile, { minLength: 1, maxLength: 3 }), async (ids) => {
				const { outputs } = await runAction({
					items: ids.map((experience_id) => ({ experience_id, code: '101' })),
					credentials: BASIC(sn.url),
					parameters: {
						operation: 'chain',
						experienceId: '={{ $json.experience_id }}',
						issueCode: '={{ $json.code }}',
					},
				});
				const queried = ids.map((id) => id.trim()).filter(isQueryableValue);
				expectQueries(
					tableQueries(),
					queried.map((id) => [cond('experience_id', '=', id)]),
				);
				// No issue has such an ID: nothing is chained, nothing sent.
				expect(outputs.Chained ?? []).toEqual([]);
				expect(sn.journal().filter((e) => e.route === 'create')).toEqual([]);
			});
		},
		TIMEOUT,
	);
});

/** Runs one item through the action node, its first answer lost after the instance processed it; the node must not fail. */
async function withAnswerLost(item: Record<string, unknown>, parameters: Record<string, unknown>) {
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
const recoveryTerms = (
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

describe('recovery reads after a lost answer: exactly the sent values, or no read at all', () => {
	it(
		'Create: issue code, provider and every endpoint field',
		async () => {
			const fields = (value: fc.Arbitrary<string>) =>
				fc.record({
					code: value,
					provider: value,
					user_id: value,
					user_name: value,
					email: value,
					ci: value,
				});
			const body = fc.oneof(fields(wellFormedHostile), fields(hostile));
			await property(body, async (values) => {
				await withAnswerLost(values, { endpointEmail: '={{ $json.email }}' });
				const v = Object.fromEntries(
					Object.entries(values).map(([k, x]) => [k, x.trim()]),
				) as typeof values;
				const queries = tableQueries();
				if (![v.code, v.provider, v.user_id, v.user_name, v.email, v.ci].every(exact)) {
					// Not carried exactly: nothing can be proven from what a read finds, so none is made.
					expect(queries).toEqual([]);
					return;
				}
				expect(queries.length).toBeGreaterThanOrEqual(1);
				for (const q of queries) expectQuery(q, recoveryTerms(v));
			});
		},
		TIMEOUT,
	);

	it.each(['create', 'chain'])(
		'%s with an experience_id',
		async (operation) => {
			await property(fc.oneof(wellFormedHostile, hostile), async (experienceId) => {
				const outputs = await withAnswerLost(
					{ experience_id: experienceId, code: '100', user_id: ABEL.sys_id },
					{ operation, checkState: false },
				);
				const id = experienceId.trim();
				const queries = tableQueries();
				const [item] = Object.values(outputs).flat();
				if (!exact(id)) {
					expect(queries).toEqual([]);
					// Unprovable: not sent again, and said so.
					expect(item.json).toMatchObject({ mayHaveBeenCreated: true });
					expect(sn.journal().filter((e) => e.route === 'create')).toHaveLength(1);
					return;
				}
				expect(queries.length).toBeGreaterThanOrEqual(1);
				for (const q of queries) expectQuery(q, [cond('experience_id', '=', id)]);
				// The read found what the lost attempt made (or proved it made nothing): one issue at most.
				expect(sn.issues().length).toBeLessThanOrEqual(1);
				if (sn.issues().length === 1) expect(sn.issues()[0].experience_id).toBe(id);
			});
		},
		TIMEOUT,
	);
});

describe('trigger filters: issue code, provider and user, each one condition', () => {
	const TYPE = 'n8n-nodes-servicenow-proactive-engagement.serviceNowPeTrigger';
	const trigger = new ServiceNowPeTrigger();
	const nodeTypes = nodeTypesOf({ [TYPE]: trigger });
	/** A literal in an expression, whatever it holds (n8n reads a value starting with "=" as an expression). */
	const literal = (v: string) =>
		`={{ ${JSON.stringify(v).replace(/[{}]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`)} }}`;
	const locator = (v: string) => ({ __rl: true, mode: 'id', value: literal(v) });
	type Filters = { issueCode: string; provider: string; user: string };

	async function polls(
		f: Filters,
		events: string[],
		modes: Array<'trigger' | 'manual'>,
	): Promise<void> {
		let staticData: IDataObject = {};
		const parameters = {
			events,
			states: ['action_wait'],
			filters: {
				issueCode: locator(f.issueCode),
				provider: locator(f.provider),
				user: locator(f.user),
			},
		};
		const node: INode = {
			id: 't',
			name: 'PE Trigger',
			type: TYPE,
			typeVersion: 1,
			position: [0, 0],
			parameters: parameters as INode['parameters'],
			credentials: { serviceNowPeApi: { id: '1', name: 'x' } },
		};
		const credentials = new CredentialStore(BASIC(sn.url) as never, CREDENTIAL_TYPES);
		for (const mode of modes) {
			const workflow = buildWorkflow({ nodes: [node], connections: {}, staticData }, nodeTypes);
			const result = await trigger.poll.call(
				pollContext(workflow, 'PE Trigger', credentials, mode),
			);
			expect((result?.[0] ?? []).map((i: INodeExecutionData) => i.json)).toEqual([]);
			staticData = JSON.parse(JSON.stringify(workflow.staticData)) as IDataObject;
		}
	}

	/** The trigger's own terms: its cursors (times, sys_ids), states, the incidents' origin. */
	const OWN_FIELDS = new Set([
		'sys_updated_on',
		'sys_created_on',
		'sys_id',
		'state',
		'origin_table',
	]);
	const OWN_VALUE = /^[\w :.,\-\uffff]*$/;

	/**
	 * A trigger query, read back: in every ^NQ group, the filter conditions are exactly the intended
	 * ones, and every other term is one of the trigger's own (a read of the newest rows of the whole
	 * table carries no filter in any group). Returns whether the query carried the filters.
	 */
	function expectTriggerQuery(query: string, intended: Term[]): boolean {
		const filterFields = new Set(intended.map((t) => (typeof t === 'string' ? '' : t.field)));
		const groups: string[][] = [[]];
		for (const term of splitQuery(query)) {
			if (term.startsWith('ORDERBY'))
				expect(OWN_FIELDS).toContain(term.replace(/^ORDERBY(DESC)?/, ''));
			else if (term.startsWith('NQ') && groups[groups.length - 1].length > 0)
				groups.push([term.slice(2)]);
			else groups[groups.length - 1].push(term);
		}
		const carried = groups.map((group) => {
			const filtersOf = group.filter((t) => filterFields.has(readCondition(t)?.field ?? ''));
			for (const own of group.filter((t) => !filtersOf.includes(t))) {
				const read = readCondition(own);
				expect(OWN_FIELDS).toContain(read?.field);
				expect(read?.value).toMatch(OWN_VALUE);
			}
			if (filtersOf.length > 0) expectTerms(filtersOf, intended);
			return filtersOf.length > 0;
		});
		// Either every group is filtered or none is: an unfiltered group beside filtered ones reads every row.
		expect(new Set(carried).size).toBe(1);
		return carried[0];
	}

	// Mostly well-formed (read back term by term), some with lone surrogates (refused).
	const filterValue = fc.oneof(
		{ weight: 3, arbitrary: wellFormedHostile },
		{ weight: 1, arbitrary: hostile },
	);
	const filters = fc.record({ issueCode: filterValue, provider: filterValue, user: filterValue });
	const issueFilters = (f: Filters) => [
		cond('issue_code', '=', f.issueCode.trim()),
		cond('provider', '=', f.provider.trim()),
		cond('user', '=', f.user.trim()),
	];
	const queryable = (f: Filters) => Object.values(f).every((v) => isQueryableValue(v.trim()));
	/** A filter with a lone surrogate would match nothing for ever: the trigger refuses it, reading nothing. */
	const sendable = (f: Filters) => Object.values(f).every((v) => exact(v.trim()));
	const BROKEN = /holds a broken character \(a lone UTF-16 surrogate\)/;
	async function expectRefused(
		f: Filters,
		events: string[],
		modes: Array<'trigger' | 'manual'>,
	): Promise<void> {
		const before = sn.journal().length;
		await expect(polls(f, events, modes)).rejects.toThrow(BROKEN);
		expect(sn.journal().length).toBe(before);
	}

	/** Every read of the poll(s) checked; the filters carried by at least one read of each table. */
	function expectTriggerReads(f: Filters): void {
		const reads = sn
			.journal()
			.filter((e) => e.route === 'table')
			.map((e) => ({
				table: new URL(e.path, sn.url).pathname.split('/').pop(),
				query: new URL(e.path, sn.url).searchParams.get('sysparm_query') ?? '',
			}));
		const carried = new Set<string>();
		for (const { table, query } of reads) {
			const intended =
				table === 'incident' ? [cond('caller_id', '=', f.user.trim())] : issueFilters(f);
			if (expectTriggerQuery(query, intended)) carried.add(table ?? '');
		}
		expect(carried).toEqual(new Set(['sn_pren_experience_issue', 'incident']));
	}

	it(
		'Fetch Test Event',
		async () => {
			await property(filters, async (f) => {
				const events = ['stateChanged', 'fallbackIncident'];
				if (!queryable(f))
					return expect(polls(f, events, ['manual'])).rejects.toThrow(/would run as a script/);
				if (!sendable(f)) return expectRefused(f, events, ['manual']);
				await polls(f, events, ['manual']);
				expectTriggerReads(f);
			});
		},
		TIMEOUT,
	);

	it(
		'first poll, then a poll after the cursors',
		async () => {
			await property(filters, async (f) => {
				if (!queryable(f)) return;
				if (!sendable(f))
					return expectRefused(f, ['created', 'stateChanged', 'fallbackIncident'], ['trigger']);
				await polls(f, ['created', 'stateChanged', 'fallbackIncident'], ['trigger', 'trigger']);
				expectTriggerReads(f);
			});
		},
		TIMEOUT,
	);
});

describe('long values: an emoji at every position around the ends of 1,024-unit blocks of the query', () => {
	/** Where an emoji starts in the query: around the ends of the first two blocks of 1,024 UTF-16 units. */
	const POSITIONS = [...Array.from({ length: 16 }, (_, k) => 1016 + k), 2045, 2046, 2047, 2048];
	const EMOJIS = ['\u{1F600}', '\u{1F469}\u200D\u{1F4BB}', '\u{10FFFF}', '\u{1D11E}'];
	// What follows the emoji: the `^` whose escape a cut pair broke, and the conditions it let in.
	const TAILS = [
		'^NQnameISNOTEMPTY',
		'^ORsys_idISNOTEMPTY',
		'^NQsys_idISNOTEMPTY^ORDERBYname',
		'^^NQactive=false',
		' ^ORuser_nameISNOTEMPTY',
		'^NQissue_code=100',
	];

	/** The query as sent: each condition's `^` doubled, terms joined by `^`. */
	const sent = (terms: Term[]) =>
		terms
			.map((t) =>
				typeof t === 'string'
					? t
					: `${t.join ?? ''}${t.field}${t.operator}${t.value.replace(/\^/g, '^^')}`,
			)
			.join('^');

	/**
	 * One value per position: 'a'×n, an emoji, a hostile tail, with n such that the emoji starts at
	 * that position of the query `terms(value)` (measured on the query built with n = 0).
	 */
	function straddling(terms: (value: string) => Term[]): string[] {
		return POSITIONS.map((position, k) => {
			const emoji = EMOJIS[k % EMOJIS.length];
			const tail = TAILS[k % TAILS.length];
			const at = sent(terms(`${emoji}${tail}`)).indexOf(emoji);
			const value = `${'a'.repeat(position - at)}${emoji}${tail}`;
			expect(sent(terms(value)).indexOf(emoji)).toBe(position);
			return value;
		});
	}

	it(
		'CI lookup by host: one name condition per host, and no CI',
		async () => {
			sn.reset();
			const hosts = straddling((h) => [cond('name', '=', h)]);
			const { outputs, error } = await runAction({
				items: [
					alertGroup(
						hosts.map((instance, k) => ({ alertname: `A${k}`, instance, user: 'abel.tuter' })),
					),
				],
				credentials: BASIC(sn.url),
				parameters: {
					source: 'alertmanager',
					defaultIssueCode: '101',
					resolveCiFromHost: true,
					options: { dryRun: true },
				},
			});
			expect(error).toBeUndefined();
			expect(hosts.map(hostName)).toEqual(hosts);
			expectQueries(
				tableQueries(),
				hosts.map((h) => [cond('name', '=', h)]),
			);
			expect(outputs.Created.length).toBeGreaterThan(0);
			for (const item of outputs.Created)
				expect((item.json.request as IDataObject).endpoint).toEqual({ user_name: 'abel.tuter' });
		},
		TIMEOUT,
	);

	it.each(['experience_id', 'sys_id'])(
		'Get by %s',
		async (findBy) => {
			sn.reset();
			await postJson(
				sn.url,
				{ endpoint: { user_id: BETH.sys_id }, issue_code: '100', provider: 'sn' },
				{ authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` },
			);
			const ids = straddling((id) => [cond(findBy, '=', id)]);
			const { outputs } = await runAction({
				items: ids.map((id) => ({ id })),
				credentials: BASIC(sn.url),
				onError: 'continueRegularOutput',
				parameters: { operation: 'get', findBy, issueId: '={{ $json.id }}' },
			});
			expectQueries(
				tableQueries(),
				ids.map((id) => [cond(findBy, '=', id.trim())]),
			);
			// No issue has such an ID: Beth's is not found by any of them.
			expect(
				Object.values(outputs)
					.flat()
					.map((i) => Object.keys(i.json)),
			).toEqual(ids.map(() => ['error']));
		},
		TIMEOUT,
	);

	it(
		'Chain with Check State First',
		async () => {
			sn.reset();
			const ids = straddling((id) => [cond('experience_id', '=', id)]);
			const { outputs } = await runAction({
				items: ids.map((experience_id) => ({ experience_id, code: '101' })),
				credentials: BASIC(sn.url),
				parameters: {
					operation: 'chain',
					experienceId: '={{ $json.experience_id }}',
					issueCode: '={{ $json.code }}',
				},
			});
			expectQueries(
				tableQueries(),
				ids.map((id) => [cond('experience_id', '=', id.trim())]),
			);
			expect(outputs.Chained ?? []).toEqual([]);
			expect(sn.journal().filter((e) => e.route === 'create')).toEqual([]);
		},
		TIMEOUT,
	);

	it.each<[keyof typeof actionType.methods.listSearch, string[], string[], string]>([
		['issueCodeSearch', ['active=true'], ['issue_code', 'name'], 'issue_code'],
		['providerSearch', [], ['provider_code', 'name'], 'name'],
		['computerSearch', [], ['name'], 'name'],
		['userSearch', ['active=true'], ['user_name', 'email', 'name'], 'user_name'],
	])(
		'picker %s',
		async (method, base, fields, order) => {
			const intended = (typed: string): Term[] => [
				...base,
				...fields.map((f, i) => cond(f, 'LIKE', typed, i > 0 ? 'OR' : undefined)),
				`ORDERBY${order}`,
			];
			for (const typed of straddling(intended)) {
				sn.reset();
				const { results } = await search(method, typed);
				expect(tableQueries()).toHaveLength(1);
				expectQuery(tableQueries()[0], intended(typed));
				expect(results).toEqual([]);
			}
		},
		TIMEOUT,
	);

	describe('recovery reads after a lost answer', () => {
		const SHORT = {
			code: '100',
			provider: 'sn',
			user_id: ABEL.sys_id,
			user_name: 'abel.tuter',
			email: 'abel.tuter@example.com',
			ci: 'x',
		};

		it.each(['code', 'user_name', 'ci'] as const)(
			'Create, the long value as %s',
			async (field) => {
				for (const value of straddling((v) => recoveryTerms({ ...SHORT, [field]: v }))) {
					sn.reset();
					const values = { ...SHORT, [field]: value };
					await withAnswerLost(values, { endpointEmail: '={{ $json.email }}' });
					const queries = tableQueries();
					expect(queries.length).toBeGreaterThanOrEqual(1);
					for (const q of queries) expectQuery(q, recoveryTerms(values));
				}
			},
			TIMEOUT,
		);

		it.each(['create', 'chain'])(
			'%s with an experience_id',
			async (operation) => {
				for (const experienceId of straddling((id) => [cond('experience_id', '=', id)])) {
					sn.reset();
					await withAnswerLost(
						{ experience_id: experienceId, code: '100', user_id: ABEL.sys_id },
						{ operation, checkState: false },
					);
					const queries = tableQueries();
					expect(queries.length).toBeGreaterThanOrEqual(1);
					for (const q of queries)
						expectQuery(q, [cond('experience_id', '=', experienceId.trim())]);
					expect(sn.issues().length).toBeLessThanOrEqual(1);
					if (sn.issues().length === 1)
						expect(sn.issues()[0].experience_id).toBe(experienceId.trim());
				}
			},
			TIMEOUT,
		);
	});
});

describe('a lone surrogate or a cut emoji before ^ adds no condition', () => {
	beforeEach(() => sn.reset());
	const sentBodies = () =>
		sn
			.journal()
			.filter((e) => e.route === 'create')
			.map((e) => JSON.parse(e.body));

	it('an Alertmanager instance "zz\\ud800^NQname=ABEL-LAPTOP:9100" resolves to no CI: the issue is not made on ABEL-LAPTOP', async () => {
		const { outputs, error } = await runAction({
			items: [
				alertGroup([
					{
						alertname: 'NodeDown',
						instance: 'zz\ud800^NQname=ABEL-LAPTOP:9100',
						user: 'beth.anglin',
					},
				]),
			],
			credentials: BASIC(sn.url),
			parameters: { source: 'alertmanager', defaultIssueCode: '101', resolveCiFromHost: true },
		});
		expect(error).toBeUndefined();
		expect(sn.issues().map((i) => [i.user, i.configuration_item])).toEqual([[BETH.sys_id, '']]);
		expect(sentBodies().map((b) => b.endpoint)).toEqual([{ user_name: 'beth.anglin' }]);
		expect(routed(outputs)).toEqual({ Created: [0] });
		expect(outputs.Created[0].json).toMatchObject({
			ciNotFoundForHost: 'zz\ud800^NQname=ABEL-LAPTOP',
		});
		expect(tableQueries()).toEqual(['name=zz\ufffd^^NQname=ABEL-LAPTOP']);
	});

	it('an Alertmanager host with an emoji cut at the end of a 1,024-unit block before "^NQnameISNOTEMPTY" resolves to no CI', async () => {
		// The emoji's high half is the 1,024th unit of `name=<host>`: qs encoded its low half with the
		// next `^`, the escape's second `^` reached the instance bare, and any computer matched.
		const host = `${'a'.repeat(1018)}\u{1F600}^NQnameISNOTEMPTY`;
		const { outputs, error } = await runAction({
			items: [alertGroup([{ alertname: 'NodeDown', instance: host, user: 'beth.anglin' }])],
			credentials: BASIC(sn.url),
			parameters: { source: 'alertmanager', defaultIssueCode: '101', resolveCiFromHost: true },
		});
		expect(error).toBeUndefined();
		expect(tableQueries()).toEqual([`name=${'a'.repeat(1018)}\u{1F600}^^NQnameISNOTEMPTY`]);
		expect(sn.issues().map((i) => [i.user, i.configuration_item])).toEqual([[BETH.sys_id, '']]);
		expect(sentBodies().map((b) => b.endpoint)).toEqual([{ user_name: 'beth.anglin' }]);
		expect(routed(outputs)).toEqual({ Created: [0] });
	});

	it('Get by an experience_id with an emoji cut at the end of a 1,024-unit block before "^NQsys_idISNOTEMPTY" finds no issue, not another user\'s', async () => {
		await postJson(
			sn.url,
			{ endpoint: { user_id: BETH.sys_id }, issue_code: '100', provider: 'sn' },
			{ authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` },
		);
		const id = `${'a'.repeat(1009)}\u{1F600}^NQsys_idISNOTEMPTY`;
		const { outputs, error } = await runAction({
			items: [{ id }],
			credentials: BASIC(sn.url),
			onError: 'continueRegularOutput',
			parameters: { operation: 'get', findBy: 'experience_id', issueId: '={{ $json.id }}' },
		});
		expect(error).toBeUndefined();
		expect(tableQueries()).toEqual([
			`experience_id=${'a'.repeat(1009)}\u{1F600}^^NQsys_idISNOTEMPTY`,
		]);
		expect(outputs.Issue.map((i) => i.json)).toEqual([
			{ error: expect.stringMatching(/no issue has experience_id/) },
		]);
	});

	it("a recovery read does not claim another user's issue as the item's own", async () => {
		// Beth's issue of code 100, made a moment ago.
		await postJson(
			sn.url,
			{ endpoint: { user_id: BETH.sys_id }, issue_code: '100', provider: 'sn' },
			{ authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` },
		);
		const beths = sn.issues()[0].experience_id;
		sn.injectFault({ drop: 'after', match: { route: 'create' } });
		const { outputs } = await runAction({
			items: [{ user_name: 'nobody\ud800^NQissue_code=100', code: '100' }],
			credentials: BASIC(sn.url),
			parameters: { options: FAST },
		});
		expect(
			Object.values(outputs)
				.flat()
				.map((i) => i.json.experience_id),
		).not.toContain(beths);
		expect(outputs.Created ?? []).toEqual([]);
		// The user name cannot be queried exactly: no read claims anything.
		expect(tableQueries()).toEqual([]);
	});

	it('the user picker lists no one for "\\ud800^NQuser_nameISNOTEMPTY", inactive users least of all', async () => {
		expect((await search('userSearch', '\ud800^NQuser_nameISNOTEMPTY')).results).toEqual([]);
		expect(tableQueries()).toEqual([
			'active=true^user_nameLIKE\ufffd^^NQuser_nameISNOTEMPTY^ORemailLIKE\ufffd^^NQuser_nameISNOTEMPTY^ORnameLIKE\ufffd^^NQuser_nameISNOTEMPTY^ORDERBYuser_name',
		]);
	});
});
