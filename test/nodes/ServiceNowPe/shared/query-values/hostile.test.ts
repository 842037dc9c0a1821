/**
 * Every Table API query the action node builds from input carries that input as data. Generated
 * hostile values (test/helpers/queries.ts) go as every kind of query value through the real node
 * code — pickers, CI lookup by host, Get and Chain by ID, the recovery reads after a lost answer —
 * to the emulator over HTTP; the sysparm_query it received is read back term by term, and holds
 * exactly the intended terms: each field, operator and value as given, made well-formed (a lone
 * surrogate as U+FFFD). A recovery read, where finding nothing is a proof, is not made for a value
 * it cannot carry exactly.
 */
import fc from 'fast-check';
import type { IDataObject } from 'n8n-workflow';
import { isQueryableValue } from '../../../../../contract/encodedQuery';
import { defaultSeed } from '../../../../../emulator/core';
import { hostName } from '../../../../../nodes/ServiceNowPe/sources/types';
import { searchList } from '../../../../helpers/action';
import { ABEL, emulatorForSuite, tableQueries } from '../../../../helpers/http';
import {
	PICKERS,
	TIMEOUT,
	chainOnto,
	cond,
	exact,
	expectAtMostIssue,
	expectEveryRead,
	expectQueries,
	expectQuery,
	getBy,
	hostile,
	lookUpHosts,
	pickerTerms,
	property,
	recoveryTerms,
	wellFormedHostile,
	withAnswerLost,
} from '../../../../helpers/queries';

const FORMER_EMPLOYEE = '46c6f9efa9fe198101ddf5eed9adf6e7';
const COMPUTERS = defaultSeed().cis;

const sn = emulatorForSuite({ auth: 'basic' });
/** IDs as the node reads them (trimmed), of those a query can hold. */
const queryable = (ids: string[]) => ids.map((id) => id.trim()).filter(isQueryableValue);

describe('pickers: what is typed is one LIKE value per searched field', () => {
	it.each(PICKERS)(
		'%s',
		async (method, base, fields, order) => {
			await property(sn, hostile, async (typed) => {
				const { results } = await searchList(sn.url, method, typed);
				const value = typed.trim();
				if (!isQueryableValue(value)) return expect(tableQueries(sn)).toEqual([]);
				expect(tableQueries(sn)).toHaveLength(1);
				expectQuery(tableQueries(sn)[0], pickerTerms(base, fields, order, value));
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
			await property(sn, fc.array(hostile, { minLength: 1, maxLength: 4 }), async (instances) => {
				const { outputs, error } = await lookUpHosts(sn.url, instances);
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
					tableQueries(sn),
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
	const ids = fc.array(hostile, { minLength: 1, maxLength: 3 });

	it.each(['experience_id', 'sys_id'])(
		'Get by %s',
		async (findBy) => {
			await property(sn, ids, async (generated) => {
				await getBy(sn.url, findBy, generated);
				expectQueries(
					tableQueries(sn),
					queryable(generated).map((id) => [cond(findBy, '=', id)]),
				);
			});
		},
		TIMEOUT,
	);

	it(
		'Chain with Check State First',
		async () => {
			await property(sn, ids, async (generated) => {
				const { outputs } = await chainOnto(sn.url, generated);
				expectQueries(
					tableQueries(sn),
					queryable(generated).map((id) => [cond('experience_id', '=', id)]),
				);
				// No issue has such an ID: nothing is chained, nothing sent.
				expect(outputs.Chained ?? []).toEqual([]);
				expect(sn.journal().filter((e) => e.route === 'create')).toEqual([]);
			});
		},
		TIMEOUT,
	);
});

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
			await property(sn, body, async (values) => {
				await withAnswerLost(sn, values, { endpointEmail: '={{ $json.email }}' });
				const v = Object.fromEntries(
					Object.entries(values).map(([k, x]) => [k, x.trim()]),
				) as typeof values;
				if (![v.code, v.provider, v.user_id, v.user_name, v.email, v.ci].every(exact)) {
					// Not carried exactly: nothing can be proven from what a read finds, so none is made.
					expect(tableQueries(sn)).toEqual([]);
					return;
				}
				expectEveryRead(sn, recoveryTerms(v));
			});
		},
		TIMEOUT,
	);

	it.each(['create', 'chain'])(
		'%s with an experience_id',
		async (operation) => {
			await property(sn, fc.oneof(wellFormedHostile, hostile), async (experienceId) => {
				const outputs = await withAnswerLost(
					sn,
					{ experience_id: experienceId, code: '100', user_id: ABEL.sys_id },
					{ operation, checkState: false },
				);
				const id = experienceId.trim();
				const [item] = Object.values(outputs).flat();
				if (!exact(id)) {
					expect(tableQueries(sn)).toEqual([]);
					// Unprovable: not sent again, and said so.
					expect(item.json).toMatchObject({ mayHaveBeenCreated: true });
					expect(sn.journal().filter((e) => e.route === 'create')).toHaveLength(1);
					return;
				}
				expectEveryRead(sn, [cond('experience_id', '=', id)]);
				expectAtMostIssue(sn, id);
			});
		},
		TIMEOUT,
	);
});
