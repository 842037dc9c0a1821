/**
 * The pickers (resource locators): issue codes, providers, computers and users listed from the
 * instance's Table API (here the emulator) through n8n's own list-search context, filtered as the
 * user types and a page at a time; and a picked value reaches the request body.
 */
import { defaultSeed } from '../../../../../emulator/core';
import { BASIC, routed, runAction, searchList } from '../../../../helpers/action';
import { ABEL, emulatorForSuite, tableQueries } from '../../../../helpers/http';

const seed = defaultSeed();
// Enough issue codes for two pages of the list.
for (let i = 0; i < 55; i++)
	seed.issue_codes.push({
		issue_code: `P-${String(i).padStart(2, '0')}`,
		provider: 'sn',
		name: `Paged code ${i}`,
		deployed: true,
		resolution: 'Restart',
	});
const sn = emulatorForSuite({ auth: 'basic', seed });

const search = (method: Parameters<typeof searchList>[1], filter?: string, token?: string) =>
	searchList(sn.url, method, filter, token);

describe('pickers', () => {
	it('lists deployed issue codes with their names, a page at a time, and filters by code or name', async () => {
		const first = await search('issueCodeSearch');
		expect(first.results).toHaveLength(50);
		expect(first.results[0]).toEqual({ name: '100 – High CPU usage by a process', value: '100' });
		expect(first.results.map((r) => r.value)).not.toContain('200'); // a template never deployed
		const second = await search('issueCodeSearch', undefined, first.paginationToken);
		expect(second.paginationToken).toBeUndefined();
		expect([...first.results, ...second.results]).toHaveLength(61);
		expect((await search('issueCodeSearch', 'memory')).results).toEqual([
			{ name: '101 – Low available memory', value: '101' },
		]);
		expect((await search('issueCodeSearch', 't-1')).results.map((r) => r.value)).toEqual(['T-100']);
	});

	it('lists providers, computers by name and active users by user name, name or email', async () => {
		expect((await search('providerSearch')).results).toEqual([
			{ name: 'ServiceNow (sn)', value: 'sn' },
			{ name: 'Tanium (tanium)', value: 'tanium' },
		]);
		expect((await search('computerSearch', 'laptop')).results).toEqual([
			{ name: 'ABEL-LAPTOP', value: ABEL.ci },
			{ name: 'SPARE-LAPTOP', value: 'e2a9a3b5c0a8000b0048be7e1e3f8e13' },
		]);
		expect((await search('userSearch', 'beth')).results).toEqual([
			{
				name: 'Beth Anglin (beth.anglin, beth.anglin@example.com)',
				value: 'a8f98bb0eb32010045e1a5115206fe3b',
			},
		]);
		expect((await search('userSearch', 'former')).results).toEqual([]); // inactive users are not offered
	});

	it('takes what is typed as data: a ^ cannot add conditions, a javascript: filter is not sent', async () => {
		expect((await search('userSearch', 'x^ORuser_name=admin')).results).toEqual([]);
		expect((await search('userSearch', 'javascript:gs.getUserID()')).results).toEqual([]);
		expect(sn.journal().map((e) => e.route)).toEqual(['table']);
		expect(tableQueries(sn)).toEqual([
			'active=true^user_nameLIKEx^^ORuser_name=admin^ORemailLIKEx^^ORuser_name=admin^ORnameLIKEx^^ORuser_name=admin^ORDERBYuser_name',
		]);
	});

	it('says what to do when the list cannot be read', async () => {
		sn.injectFault({ status: 403, count: 0, match: { route: 'table' } });
		await expect(search('computerSearch')).rejects.toThrow(
			'Reading cmdb_ci_computer for the list failed (HTTP 403).',
		);
	});

	it('sends what was picked: from the list, or by ID from an expression', async () => {
		const { outputs } = await runAction({
			items: [{ code: '101' }],
			credentials: BASIC(sn.url),
			parameters: {
				endpointUserId: {
					__rl: true,
					mode: 'list',
					value: ABEL.sys_id,
					cachedResultName: 'Abel Tuter',
				},
				endpointCi: { __rl: true, mode: 'id', value: ABEL.ci },
				issueCode: { __rl: true, mode: 'id', value: '={{ $json.code }}' },
				provider: { __rl: true, mode: 'list', value: 'sn' },
				experienceId: '',
			},
		});
		expect(routed(outputs)).toEqual({ Created: [0] });
		expect(JSON.parse(sn.journal().filter((e) => e.route === 'create')[0].body)).toMatchObject({
			endpoint: { user_id: ABEL.sys_id, CI: ABEL.ci },
			issue_code: '101',
			provider: 'sn',
		});
	});
});
