/**
 * No Table API read holds the emulator: a query past the limits (README, "Limits") is refused with
 * 400 naming the limit, before any row is read, and other requests are answered meanwhile. Queries
 * within them keep their meaning: orders in sequence, IN lists, case-insensitive text operators.
 */
import { QUERY_LIMITS, parseEncodedQuery, queryRows } from '../../../emulator/core/query';
import { startEmulator, type RunningEmulator } from '../../../emulator/server';
import { ABEL, BETH, emulatorForSuite, postJson, send } from '../../helpers/http';
import { issueBody } from '../../helpers/issues';

const TABLE = '/api/now/table/sn_pren_experience_issue';
const CREATE = '/api/sn_pren/self_remediation/experience_issue/create';

let sn: RunningEmulator;
beforeAll(async () => {
	// Issues start closed, so every create makes one.
	sn = await startEmulator({ port: 0, initialState: 'closed' });
	const create = (user: string, code: string, input: Record<string, string>) =>
		send(sn.url + CREATE, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({
				endpoint: { user_id: user },
				issue_code: code,
				provider: 'sn',
				input_parameters: input,
			}),
		});
	for (let i = 0; i < 6; i++)
		expect(
			(await create(i % 2 ? BETH.sys_id : ABEL.sys_id, String(100 + (i % 3)), { n: String(i) }))
				.status,
		).toBe(200);
	// One large issue, as LIKE on large fields was where the time went.
	expect(
		(await create(ABEL.sys_id, '100', { log: `${'a'.repeat(900 * 1024)}ZZ-Marker` })).status,
	).toBe(200);
});
afterAll(() => sn.close());

// Commas and carets as clients send them: the longest hostile queries still fit the header limit.
const get = (query: string, extra = '') =>
	send(
		`${sn.url}${TABLE}?sysparm_query=${encodeURIComponent(query).replace(/%2C/g, ',').replace(/%5E/g, '^')}${extra}`,
	);

describe('queries past the limits', () => {
	const hostile: Array<[string, string, RegExp]> = [
		[
			'700 alternating ORDERBY terms',
			Array.from({ length: 700 }, (_, i) => (i % 2 ? 'ORDERBYsys_id' : 'ORDERBYnumber')).join('^'),
			/more than 100 terms/,
		],
		[
			'11 ORDERBY terms',
			Array.from({ length: 11 }, (_, i) => (i % 2 ? 'ORDERBYDESCsys_id' : 'ORDERBYnumber')).join(
				'^',
			),
			/more than 10 ORDERBY terms/,
		],
		[
			'600 LIKE alternatives on a large field',
			`input_parametersLIKEzz${'^ORinput_parametersLIKEzz'.repeat(600)}`,
			/more than 100 terms/,
		],
		[
			'an IN list of 1,500 values',
			`sys_idIN${Array(1500).fill('abcdefgh').join(',')}`,
			/IN or NOT IN list .* more than 1000 values/,
		],
		[
			'a NOT IN list of 1,001 values',
			`numberNOT IN${Array.from({ length: 1001 }, (_, i) => `PREN${i}`).join(',')}`,
			/more than 1000 values/,
		],
	];

	it.each(hostile)(
		'refuses %s with 400 naming the limit, while a health check is answered',
		async (_name, query, limit) => {
			const [answer, health] = await Promise.all([
				get(query, '&sysparm_limit=1'),
				send(`${sn.url}/_emulator/health`),
			]);
			expect(answer.status).toBe(400);
			expect(answer.json().error.message).toBe('Invalid field value');
			expect(answer.json().error.detail).toMatch(limit);
			expect(answer.json().error.detail).toMatch(/sysparm_query/);
			// The limit is named, the query is not quoted back.
			expect(answer.text).not.toContain('abcdefgh');
			expect(answer.text).not.toContain('LIKEzz');
			expect(health.status).toBe(200);
		},
	);

	it('accepts a query at every limit', async () => {
		const atTerms = [
			'issue_code=100',
			...Array.from({ length: 89 }, (_, i) => `ORnumber=X${i}`),
			...Array.from({ length: 10 }, (_, i) => `ORDERBY${i % 2 ? 'number' : 'sys_id'}`),
		];
		expect(atTerms).toHaveLength(QUERY_LIMITS.terms);
		expect((await get(atTerms.join('^'))).status).toBe(200);
		const atIn = `issue_codeIN${['100', ...Array.from({ length: QUERY_LIMITS.inValues - 1 }, (_, i) => `x${i}`)].join(',')}`;
		const res = await get(atIn, '&sysparm_fields=issue_code');
		expect(res.status).toBe(200);
		expect(res.json().result).toHaveLength(3);
	});
});

describe('queries within the limits keep their meaning', () => {
	it('orders by every ORDERBY term in sequence, a repeated field changing nothing', async () => {
		const fields = '&sysparm_fields=issue_code,number';
		const res = await get(
			'ORDERBYDESCissue_code^ORDERBYnumber^ORDERBYDESCissue_code^ORDERBYDESCnumber',
			fields,
		);
		const rows: Array<{ issue_code: string; number: string }> = res.json().result;
		const expected = [...rows].sort(
			(a, b) => b.issue_code.localeCompare(a.issue_code) || a.number.localeCompare(b.number),
		);
		expect(rows).toEqual(expected);
		expect(new Set(rows.map((r) => r.issue_code))).toEqual(new Set(['100', '101', '102']));
	});

	it('matches IN and NOT IN lists, text operators in any case, dot-walks, and OR repeats once', async () => {
		const count = async (query: string) =>
			Number((await get(query, '&sysparm_limit=1')).headers['x-total-count']);
		expect(await count('issue_codeIN100,102')).toBe(5);
		expect(await count('issue_codeNOT IN100,102')).toBe(2);
		expect(await count('input_parametersLIKEzz-marker')).toBe(1);
		expect(
			await count(`input_parametersLIKEnothing${'^ORinput_parametersLIKEZZ-MARKER'.repeat(50)}`),
		).toBe(1);
		expect(await count('user.user_name=ABEL.TUTER^issue_code=100')).toBe(2);
		expect(await count('user.user_name=beth.anglin^ORuser.user_name=beth.anglin')).toBe(3);
		expect(await count('input_parametersLIKEzz-marker^NQissue_code=101')).toBe(3);
	});

	it('gives every field of the rows it answers, however few the query read', async () => {
		const [row] = (await get('input_parametersLIKEzz-marker')).json().result;
		expect(Object.keys(row)).toEqual(
			expect.arrayContaining([
				'sys_id',
				'number',
				'endpoint',
				'input_parameters',
				'investigative_details',
				'sys_updated_on',
			]),
		);
		expect(JSON.parse(row.input_parameters).log).toMatch(/ZZ-Marker$/);
		expect(JSON.parse(row.endpoint)).toEqual({ user_id: ABEL.sys_id });
	});

	it('reads rows in the pure core the same way', () => {
		const rows = [
			{ sys_id: '1', name: 'b', code: 'X' },
			{ sys_id: '2', name: 'a', code: 'y' },
			{ sys_id: '3', name: 'a', code: 'x' },
		];
		const query = parseEncodedQuery(
			'code=x^ORcode=Y^ORDERBYname^ORDERBYDESCsys_id',
			new Set(['sys_id', 'name', 'code']),
		);
		expect(queryRows(rows, query).map((r) => r.sys_id)).toEqual(['3', '2', '1']);
	});
});

describe('queries are data', () => {
	const fresh = emulatorForSuite();
	const valid = issueBody();

	it('treats Table API queries as data: no injection through sysparm_query or the path', async () => {
		await postJson(fresh.url, valid);
		for (const query of [
			'user=x^ORuser!=x',
			'javascript:gs.getUser()',
			"name=x' OR '1'='1",
			'user_name=x^^ORuser_name!=x',
		]) {
			const res = await send(
				`${fresh.url}/api/now/table/sys_user?sysparm_query=${encodeURIComponent(query)}`,
			);
			expect(res.status).toBe(200);
			expect(res.json().result).toEqual([]);
		}
		// A reference can be dot-walked to the fields the referenced table serves, never to a password.
		expect(
			(await postJson(fresh.url, { ...valid, endpoint: { user_name: 'pe.integration' } })).status,
		).toBe(200);
		const walked = async (q: string) =>
			(
				await send(
					`${fresh.url}/api/now/table/sn_pren_experience_issue?sysparm_query=${encodeURIComponent(q)}`,
				)
			).json().result;
		expect(await walked('user.user_name=pe.integration')).toHaveLength(1);
		expect(await walked('user.password=integration')).toEqual([]);
		expect(await walked('user.passwordSTARTSWITHi')).toEqual([]);
		// ^OR and ^NQ are the query language itself, read as an instance reads them.
		const all = await send(
			`${fresh.url}/api/now/table/sys_user?sysparm_query=${encodeURIComponent('sys_idISNOTEMPTY^NQsys_id=1')}`,
		);
		expect(all.json().result).toHaveLength(fresh.emulator.seed.users.length);
		const traversal = await send(`${fresh.url}/api/now/table/../../_emulator/reset`, {
			method: 'POST',
		});
		expect(traversal.status).toBe(400);
		expect(fresh.issues()).toHaveLength(2);
	});
});
