/**
 * The trigger's filters (issue code, provider, user) with generated hostile values
 * (test/helpers/queries.ts): each is one condition in every read of the poll, as given, made
 * well-formed; a filter with a lone surrogate is refused before anything is read.
 */
import fc from 'fast-check';
import { isQueryableValue, splitQuery } from '../../../../../contract/encodedQuery';
import { readCondition } from '../../../../../emulator/core/query';
import { emulatorForSuite } from '../../../../helpers/http';
import { poller } from '../../../../helpers/trigger';
import {
	TIMEOUT,
	cond,
	exact,
	expectTerms,
	hostile,
	property,
	wellFormedHostile,
	type Term,
} from '../../../../helpers/queries';

describe('trigger filters: issue code, provider and user, each one condition', () => {
	const sn = emulatorForSuite({ auth: 'basic' });
	/** A literal in an expression, whatever it holds (n8n reads a value starting with "=" as an expression). */
	const literal = (v: string) =>
		`={{ ${JSON.stringify(v).replace(/[{}]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`)} }}`;
	const locator = (v: string) => ({ __rl: true, mode: 'id', value: literal(v) });
	type Filters = { issueCode: string; provider: string; user: string };

	/** Polls of a trigger with these filters, in these modes: each finds nothing. */
	async function polls(
		f: Filters,
		events: string[],
		modes: Array<'trigger' | 'manual'>,
	): Promise<void> {
		const t = poller(
			{
				events,
				states: ['action_wait'],
				filters: {
					issueCode: locator(f.issueCode),
					provider: locator(f.provider),
					user: locator(f.user),
				},
			},
			sn.url,
		);
		for (const mode of modes) expect(await t.poll(mode)).toEqual([]);
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
			await property(sn, filters, async (f) => {
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
			await property(sn, filters, async (f) => {
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
