/**
 * Long query values: an emoji (a surrogate pair) at every position around the ends of the
 * 1,024-unit blocks in which n8n's `qs` serialiser encoded a string (it cut the pair there), each
 * followed by query syntax; every kind of query value the nodes build, read back term by term.
 */
import type { IDataObject } from 'n8n-workflow';
import { hostName } from '../../../../../nodes/ServiceNowPe/sources/types';
import { searchList } from '../../../../helpers/action';
import { ABEL, emulatorForSuite, tableQueries } from '../../../../helpers/http';
import {
	PICKERS,
	TIMEOUT,
	bethsIssue,
	chainOnto,
	cond,
	expectAtMostIssue,
	expectEveryRead,
	expectQueries,
	expectQuery,
	getBy,
	lookUpHosts,
	pickerTerms,
	recoveryTerms,
	withAnswerLost,
	type Term,
} from '../../../../helpers/queries';

const sn = emulatorForSuite({ auth: 'basic' });

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
			const hosts = straddling((h) => [cond('name', '=', h)]);
			const { outputs, error } = await lookUpHosts(sn.url, hosts);
			expect(error).toBeUndefined();
			expect(hosts.map(hostName)).toEqual(hosts);
			expectQueries(
				tableQueries(sn),
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
			await bethsIssue(sn.url);
			const ids = straddling((id) => [cond(findBy, '=', id)]);
			const { outputs } = await getBy(sn.url, findBy, ids);
			expectQueries(
				tableQueries(sn),
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
			const ids = straddling((id) => [cond('experience_id', '=', id)]);
			const { outputs } = await chainOnto(sn.url, ids);
			expectQueries(
				tableQueries(sn),
				ids.map((id) => [cond('experience_id', '=', id.trim())]),
			);
			expect(outputs.Chained ?? []).toEqual([]);
			expect(sn.journal().filter((e) => e.route === 'create')).toEqual([]);
		},
		TIMEOUT,
	);

	it.each(PICKERS)(
		'picker %s',
		async (method, base, fields, order) => {
			const intended = (typed: string) => pickerTerms(base, fields, order, typed);
			for (const typed of straddling(intended)) {
				sn.reset();
				const { results } = await searchList(sn.url, method, typed);
				expect(tableQueries(sn)).toHaveLength(1);
				expectQuery(tableQueries(sn)[0], intended(typed));
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
					await withAnswerLost(sn, values, { endpointEmail: '={{ $json.email }}' });
					expectEveryRead(sn, recoveryTerms(values));
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
						sn,
						{ experience_id: experienceId, code: '100', user_id: ABEL.sys_id },
						{ operation, checkState: false },
					);
					expectEveryRead(sn, [cond('experience_id', '=', experienceId.trim())]);
					expectAtMostIssue(sn, experienceId.trim());
				}
			},
			TIMEOUT,
		);
	});
});
