/**
 * The emulator under 10,000+ generated requests (JSON and XML, wrong types,
 * huge strings, unicode, deep nesting, __proto__/constructor keys). No crash, no 5xx, every
 * refusal a catalogue message, and the state afterwards still obeys the emulator's invariants.
 */
import fc from 'fast-check';
import { ISSUE_STATES } from '../../../contract/api';
import { ERROR_CATALOGUE } from '../../../contract/errors';
import { Emulator } from '../../../emulator/core';
import { parseXmlBody } from '../../../contract/xml';
import { startEmulator } from '../../../emulator/server';
import { StateFile } from '../../../emulator/store/stateFile';
import { ABEL, CREATE_PATH, DOCUMENT_EXAMPLE_BODY, send } from '../../helpers/http';
import { tempPath } from '../../helpers/temp';

const MESSAGES = new Set(Object.values(ERROR_CATALOGUE).map((e) => e.message));
const KEYS = [
	'endpoint',
	'issue_code',
	'provider',
	'experience_id',
	'experienceId',
	'input_parameters',
	'investigative_details',
	'__proto__',
	'constructor',
	'prototype',
	'CI',
	'user_id',
	'user_name',
	'email',
];
const SEED_VALUES = [
	'100',
	'101',
	'300',
	'999',
	'sn',
	'tanium',
	'abel.tuter',
	ABEL.sys_id,
	ABEL.ci,
	'beth.anglin',
	'',
	' ',
	'action_wait',
];

const scalar = fc.oneof(
	fc.constantFrom(...SEED_VALUES),
	fc.string({ unit: 'grapheme', maxLength: 40 }),
	fc.integer(),
	fc.double(),
	fc.boolean(),
	fc.constant(null),
	// Huge strings, cheaply: a short unicode piece repeated.
	fc
		.tuple(
			fc.string({ unit: 'grapheme', minLength: 1, maxLength: 3 }),
			fc.integer({ min: 1_000, max: 20_000 }),
		)
		.map(([piece, n]) => piece.repeat(n)),
);
const { tree } = fc.letrec((tie) => ({
	tree: fc.oneof(
		{ depthSize: 'small', withCrossShrink: true },
		scalar,
		fc.array(tie('tree'), { maxLength: 4 }),
		tie('node'),
	),
	node: fc.dictionary(
		fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 12 })),
		tie('tree'),
		{ maxKeys: 6 },
	),
}));
const createish = fc.record(
	{
		endpoint: fc.oneof(
			fc.record(
				{ CI: scalar, email: scalar, user_id: scalar, user_name: scalar },
				{ requiredKeys: [] },
			),
			tree,
		),
		issue_code: fc.oneof(scalar, tree),
		provider: fc.oneof(scalar, tree),
		experience_id: fc.oneof(fc.constantFrom('FZ-1', 'FZ-2', ''), scalar, tree),
		input_parameters: tree,
		investigative_details: tree,
	},
	{ requiredKeys: [] },
);
/** A body the seed accepts… */
const valid = fc.record({
	endpoint: fc.constantFrom(
		{ user_name: 'abel.tuter' },
		{ user_id: ABEL.sys_id },
		{ CI: ABEL.ci },
		{ email: 'beth.anglin@example.com' },
		{ user_name: 'david.miller', email: '' },
	),
	issue_code: fc.constantFrom('100', '101', '102', '103', 'T-100'),
	provider: fc.constantFrom('sn', 'tanium'),
	experience_id: fc.constantFrom(undefined, 'FZ-1', 'FZ-2', 'FZ-3'),
	investigative_details: fc.constantFrom(undefined, { 'cpu usage': '78%' }, { cpu_usage: '1' }),
});
/** …and the same with one field replaced by anything (or removed). */
const mutated = fc
	.tuple(valid, fc.constantFrom(...KEYS), fc.option(tree, { nil: undefined }))
	.map(([body, key, value]) => {
		const copy: Record<string, unknown> = JSON.parse(JSON.stringify(body));
		if (value === undefined) delete copy[key];
		else
			Object.defineProperty(copy, key, {
				value,
				enumerable: true,
				writable: true,
				configurable: true,
			});
		return copy;
	});

/** Deeply nested arrays/objects, past what a recursive walker would survive. */
const deep = fc.integer({ min: 50, max: 20_000 }).map((n) => '['.repeat(n) + ']'.repeat(n));

function xmlOf(value: unknown, name = 'request'): string {
	if (value === null || typeof value !== 'object') {
		return `<${name}>${String(value).replace(/&/g, '&amp;').replace(/</g, '&lt;')}</${name}>`;
	}
	const entries = Array.isArray(value)
		? value.map((v) => ['item', v] as const)
		: Object.entries(value);
	return `<${name}>${entries.map(([k, v]) => xmlOf(v, /^[A-Za-z_][\w.-]*$/.test(k) ? k : 'bad-name')).join('')}</${name}>`;
}

const request = fc.oneof(
	{
		weight: 3,
		arbitrary: valid.map((b) => ({ type: 'application/json', body: JSON.stringify(b) })),
	},
	{
		weight: 5,
		arbitrary: mutated.map((b) => ({ type: 'application/json', body: JSON.stringify(b) })),
	},
	{
		weight: 2,
		arbitrary: mutated.map((b) => ({ type: 'application/xml', body: xmlOf(b, 'anything') })),
	},
	{
		weight: 3,
		arbitrary: createish.map((b) => ({ type: 'application/json', body: JSON.stringify(b) })),
	},
	{
		weight: 2,
		arbitrary: createish.map((b) => ({ type: 'application/xml', body: xmlOf(b, 'anything') })),
	},
	{
		weight: 1,
		arbitrary: tree.map((b) => ({ type: 'application/json', body: JSON.stringify(b) ?? '' })),
	},
	{
		weight: 1,
		arbitrary: fc
			.string({ unit: 'binary', maxLength: 300 })
			.map((body) => ({ type: 'text/xml', body: `<r>${body}` })),
	},
	{
		weight: 1,
		arbitrary: fc.string({ unit: 'binary', maxLength: 300 }).map((body) => ({ type: '', body })),
	},
	{ weight: 1, arbitrary: deep.map((body) => ({ type: 'application/json', body })) },
	{
		weight: 1,
		arbitrary: fc
			.integer({ min: 10, max: 200 })
			.map((n) => ({ type: 'application/xml', body: '<a>'.repeat(n) + '</a>'.repeat(n) })),
	},
	// Shapes that made a nesting check quadratic: unclosed tag openers by the thousand.
	{
		weight: 1,
		arbitrary: fc
			.integer({ min: 1_000, max: 30_000 })
			.map((n) => ({ type: 'application/xml', body: `<r>${'<a'.repeat(n)}` })),
	},
);

/** Table API calls with field, order and query names an object inherits, and any state. */
const NAMES = [
	'constructor',
	'__proto__',
	'toString',
	'hasOwnProperty',
	'valueOf',
	'state',
	'issue_code',
	'user.user_name',
	'user.password',
	'sys_id',
];
const tableCall = fc.oneof(
	fc
		.tuple(fc.constantFrom(...NAMES), fc.constantFrom(...NAMES), fc.string({ maxLength: 12 }))
		.map(([field, order, value]) => ({
			method: 'GET',
			path: `/api/now/table/sn_pren_experience_issue?sysparm_fields=${encodeURIComponent(field)}&sysparm_query=${encodeURIComponent(`${order}=${value}^ORDERBYDESC${order}`)}`,
			body: undefined as string | undefined,
		})),
	fc
		.tuple(fc.constantFrom(...NAMES), fc.oneof(fc.constantFrom(...ISSUE_STATES), scalar, tree))
		.map(([key, value]) => ({
			method: 'PATCH',
			path: '/api/now/table/sn_pren_experience_issue/',
			body: JSON.stringify({ [key]: value }) ?? '{}',
		})),
);

function messageOf(status: number, body: string, xml: boolean): string | undefined {
	if (status < 400) return undefined;
	const parsed = xml ? parseXmlBody(body) : (JSON.parse(body) as Record<string, unknown>);
	return (parsed.error as { message?: string } | undefined)?.message;
}

/** What must hold of an emulator's state, whatever it was sent. */
function assertInvariants(emulator: Emulator): void {
	const issues = emulator.listIssues();
	const users = new Set(emulator.seed.users.map((u) => u.sys_id));
	const active = new Set<string>();
	const ids = new Set<string>();
	for (const issue of issues) {
		expect(issue.sys_id).toMatch(/^[0-9a-f]{32}$/);
		expect(ISSUE_STATES).toContain(issue.state);
		expect(users.has(issue.user)).toBe(true);
		expect(typeof issue.issue_code).toBe('string');
		expect(ids.has(issue.experience_id)).toBe(false);
		ids.add(issue.experience_id);
		if (issue.state === 'open' || issue.state === 'in_progress') {
			const key = `${issue.user}|${issue.provider}|${issue.issue_code}`;
			expect(active.has(key)).toBe(false); // never two issues being resolved for one user and code
			active.add(key);
		}
	}
	// The state survives a snapshot round trip unchanged.
	const copy = new Emulator({ state: emulator.snapshot() });
	expect(copy.listIssues()).toEqual(issues);
	expect(({} as Record<string, unknown>).polluted).toBeUndefined();
	expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'issue_code')).toBe(false);
}

describe('any request: answered without a crash or a 5xx, refusals from the catalogue, the state intact', () => {
	it('takes 10,000 generated requests: no crash, no 5xx, every refusal a catalogue message, state intact', () => {
		const emulator = new Emulator({ maxBodyBytes: 64 * 1024 });
		const statuses = new Map<number, number>();
		fc.assert(
			fc.property(request, fc.boolean(), (req, xmlAnswer) => {
				const res = emulator.handle({
					method: 'POST',
					url: CREATE_PATH,
					headers: {
						...(req.type ? { 'content-type': req.type } : {}),
						accept: xmlAnswer ? 'application/xml' : 'application/json',
					},
					body: req.body,
				});
				statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
				expect(res.status).toBeLessThan(500);
				const message = messageOf(res.status, res.body, xmlAnswer);
				if (res.status >= 400) expect(MESSAGES.has(message as string)).toBe(true);
				return true;
			}),
			{ numRuns: 10_000, seed: 20261128 },
		);
		// The generator reaches success and refusals alike.
		expect(statuses.get(200)).toBeGreaterThan(0);
		expect(statuses.get(400)).toBeGreaterThan(1000);
		assertInvariants(emulator);
		// And the emulator still does its job.
		emulator.reset();
		const ok = emulator.handle({
			method: 'POST',
			url: '//api/sn_srf/self_remediation/experience_issue/create',
			headers: {},
			body: DOCUMENT_EXAMPLE_BODY,
		});
		expect(ok.body).toBe('{"result":{"experience_id":"09ed4830f393739df33"}}');
	});

	it('holds the same over real HTTP for 500 generated requests and table calls, and the state file holds what is held', async () => {
		const statePath = tempPath('pe-fuzz', 'state.db');
		const sn = await startEmulator({ port: 0, maxBodyBytes: 64 * 1024, statePath });
		try {
			await fc.assert(
				fc.asyncProperty(request, tableCall, async (req, call) => {
					const res = await send(sn.url + CREATE_PATH, {
						method: 'POST',
						headers: req.type ? { 'content-type': req.type } : {},
						body: req.body,
					});
					expect(res.status).toBeLessThan(500);
					if (res.status >= 400) expect(MESSAGES.has(res.json().error.message)).toBe(true);
					const target =
						call.method === 'PATCH' ? `${call.path}${sn.issues()[0]?.sys_id ?? 'none'}` : call.path;
					const table = await send(sn.url + target, {
						method: call.method,
						headers: { 'content-type': 'application/json' },
						body: call.body,
					});
					expect([target, table.status < 500]).toEqual([target, true]);
					expect(table.text).not.toMatch(/"password"\s*:/);
				}),
				{ numRuns: 500, seed: 7 },
			);
			assertInvariants(sn.emulator);
		} finally {
			await sn.close();
		}
		const { file } = StateFile.open(statePath);
		expect(file.load()?.issues.issues).toEqual(sn.emulator.snapshot().issues.issues);
		file.close();
	});
});
