/**
 * Read ACLs of the Proactive Engagement tables, as an instance enforces them through the Table
 * API: a caller without a role that may read a table gets 403 "User Not Authorized" naming the
 * table (list, by sys_id, and per item of a Batch API request, in JSON and XML); roles count
 * through the roles that contain them; admin and auth mode none read everything. sys_user_has_role
 * has a row-level ACL: an admin sees every row, anyone else only their own (200 with fewer rows).
 */
import { PE_ROLES, TABLES, TABLE_READ_ROLES, type TableName } from '../../../contract/api';
import {
	ADMIN_AUTH,
	INTEGRATION_AUTH,
	basicAuth,
	emulatorForSuite,
	postJson,
	send,
	type RawResponse,
} from '../../helpers/http';
import { issueBody } from '../../helpers/issues';

const sn = emulatorForSuite({ auth: 'basic' });
const open = emulatorForSuite({ auth: 'none' });

const CREATE_ONLY = basicAuth('pe.createonly', 'createonly');
const NO_ROLES = basicAuth('pe.noroles', 'noroles');
const ITIL = basicAuth('itil.user', 'itil');
const ENGAGEMENT_ADMIN = basicAuth('pe.engagement.admin', 'engagement');

/** Every table whose reading needs a Proactive Engagement role. */
const PE_TABLES = Object.keys(TABLE_READ_ROLES) as TableName[];

const createIssue = (
	url: string,
	over: Record<string, unknown>,
	auth: Record<string, string> = {},
) => postJson(url, issueBody(over), auth);

const get = (url: string, path: string, headers: Record<string, string>) =>
	send(`${url}/api/now/table/${path}`, { headers: { accept: 'application/json', ...headers } });

const denied = (table: string) => ({
	error: {
		message: 'User Not Authorized',
		detail: `User is unauthorized to access table: ${table}`,
	},
	status: 'failure',
});

function expectDenied(res: RawResponse, table: string): void {
	expect([res.status, res.json()]).toEqual([403, denied(table)]);
}

describe('read ACLs of the sn_pren tables', () => {
	it('answer 403 "User Not Authorized" naming the table to a caller without a read role, listing or by sys_id', async () => {
		expect(PE_TABLES.sort()).toEqual(
			[
				TABLES.experienceIssue,
				TABLES.provider,
				TABLES.issueRegistry,
				TABLES.issueRegistryTemplate,
				TABLES.resolution,
				TABLES.notificationContent,
			].sort(),
		);
		const made = await createIssue(sn.url, { experience_id: 'ACL-1' }, INTEGRATION_AUTH);
		expect(made.status).toBe(200);
		const issueId = sn.issues()[0].sys_id;
		for (const auth of [CREATE_ONLY, NO_ROLES, ITIL]) {
			for (const table of PE_TABLES) {
				expectDenied(await get(sn.url, table, auth), table);
				expectDenied(await get(sn.url, `${table}?sysparm_query=sys_idISNOTEMPTY`, auth), table);
			}
			// By sys_id: 403 whether or not the record exists (the table is refused, not the row).
			expectDenied(
				await get(sn.url, `${TABLES.experienceIssue}/${issueId}`, auth),
				TABLES.experienceIssue,
			);
			expectDenied(
				await get(sn.url, `${TABLES.provider}/${'f'.repeat(32)}`, auth),
				TABLES.provider,
			);
		}
		// Tables of no Proactive Engagement role stay readable.
		for (const table of [TABLES.user, TABLES.role, TABLES.computer, TABLES.incident])
			expect((await get(sn.url, table, NO_ROLES)).status).toBe(200);
	});

	it('answer the same refusal in XML', async () => {
		const res = await get(sn.url, TABLES.experienceIssue, {
			...CREATE_ONLY,
			accept: 'application/xml',
		});
		expect(res.status).toBe(403);
		expect(res.headers['content-type']).toBe('application/xml;charset=UTF-8');
		expect(res.text).toContain('<message>User Not Authorized</message>');
		expect(res.text).toContain(
			'<detail>User is unauthorized to access table: sn_pren_experience_issue</detail>',
		);
		expect(res.text).toContain('<status>failure</status>');
	});

	it('let the integration user (create and read), admin, a role containing the read role, and auth mode none read', async () => {
		await createIssue(sn.url, { experience_id: 'ACL-2' }, INTEGRATION_AUTH);
		await createIssue(open.url, { experience_id: 'ACL-3' });
		for (const [url, auth] of [
			[sn.url, INTEGRATION_AUTH],
			[sn.url, ADMIN_AUTH],
			// sn_pren.engagement_admin contains sn_pren.experience_issue_read and the registry roles.
			[sn.url, ENGAGEMENT_ADMIN],
			[open.url, {}],
		] as const) {
			for (const table of PE_TABLES) {
				const res = await get(url, table, auth);
				expect([table, res.status]).toEqual([table, 200]);
			}
			const issues = (await get(url, TABLES.experienceIssue, auth)).json().result;
			expect(issues).toHaveLength(1);
		}
	});

	it('a create-only user still creates (the read ACL is no create rule), and the engagement admin may not create', async () => {
		expect((await createIssue(sn.url, { experience_id: 'C-1' }, CREATE_ONLY)).status).toBe(200);
		const admin = await createIssue(sn.url, { experience_id: 'C-2' }, ENGAGEMENT_ADMIN);
		expect(admin.status).toBe(403);
		expect(admin.json().error.message).toBe('User Not Authorized');
	});

	it('hold in each item of a Batch API request, which applies ACLs per call', async () => {
		await createIssue(sn.url, { experience_id: 'B-1' }, INTEGRATION_AUTH);
		const item = (id: string, url: string) => ({
			id,
			method: 'GET',
			url,
			headers: [{ name: 'Accept', value: 'application/json' }],
		});
		const run = async (auth: Record<string, string>) =>
			(
				await send(`${sn.url}/api/now/v1/batch`, {
					method: 'POST',
					headers: { 'content-type': 'application/json', accept: 'application/json', ...auth },
					body: JSON.stringify({
						batch_request_id: 'acl',
						rest_requests: [
							item('issues', '/api/now/table/sn_pren_experience_issue?sysparm_limit=1'),
							item('users', '/api/now/table/sys_user?sysparm_limit=1'),
							item('registry', '/api/now/table/sn_pren_issue_registry?sysparm_limit=1'),
						],
					}),
				})
			).json();
		const refused = await run(CREATE_ONLY);
		const decoded = refused.serviced_requests.map(
			(r: { id: string; status_code: number; body: string }) => [
				r.id,
				r.status_code,
				JSON.parse(Buffer.from(r.body, 'base64').toString('utf8')),
			],
		);
		expect(decoded[0]).toEqual(['issues', 403, denied(TABLES.experienceIssue)]);
		expect(decoded[1].slice(0, 2)).toEqual(['users', 200]);
		expect(decoded[2]).toEqual(['registry', 403, denied(TABLES.issueRegistry)]);
		const allowed = await run(INTEGRATION_AUTH);
		expect(allowed.serviced_requests.map((r: { status_code: number }) => r.status_code)).toEqual([
			200, 200, 200,
		]);
	});

	it('are journalled as the 403 they are', async () => {
		await get(sn.url, TABLES.resolution, NO_ROLES);
		const [entry] = sn.journal();
		expect([entry.route, entry.status]).toEqual(['table', 403]);
	});
});

describe('sys_user_has_role', () => {
	const rolesOf = async (auth: Record<string, string>, query: string, url = sn.url) => {
		const res = await get(
			url,
			`${TABLES.userHasRole}?sysparm_exclude_reference_link=true&sysparm_query=${encodeURIComponent(query)}`,
			auth,
		);
		expect(res.status).toBe(200);
		return res;
	};
	const roleNames = async () =>
		new Map(
			(await get(sn.url, TABLES.role, ADMIN_AUTH))
				.json()
				.result.map((r: { sys_id: string; name: string }) => [r.sys_id, r.name]),
		);

	it('holds one row per user and role, references dot-walked; contained roles inherited', async () => {
		const names = await roleNames();
		const res = await rolesOf(ADMIN_AUTH, 'user.user_name=pe.engagement.admin^ORDERBYrole.name');
		const rows = res.json().result as Array<Record<string, string>>;
		expect(rows.map((r) => [names.get(r.role), r.inherited])).toEqual([
			[PE_ROLES.engagementAdmin, 'false'],
			[PE_ROLES.read, 'true'],
			[PE_ROLES.templateWrite, 'true'],
			[PE_ROLES.registryWrite, 'true'],
		]);
		expect(res.headers['x-total-count']).toBe('4');
		for (const row of rows) expect(row.user).toBe('8e10618374544a2f7d723f2864a68c82');
		// By role name, across users.
		const readers = (
			await rolesOf(ADMIN_AUTH, `role.name=${PE_ROLES.read}^inherited=false^ORDERBYuser.user_name`)
		).json().result as Array<Record<string, string>>;
		expect(readers.map((r) => r.user)).toEqual(['a8f98bb0eb32010045e1a5115206fe3a']); // pe.integration
		// References as instances give them.
		const linked = (
			await get(
				sn.url,
				`${TABLES.userHasRole}?sysparm_query=user.user_name=pe.integration^role.name=${PE_ROLES.create}`,
				ADMIN_AUTH,
			)
		).json().result;
		expect(linked).toEqual([
			{
				sys_id: expect.stringMatching(/^[0-9a-f]{32}$/),
				user: {
					link: `${sn.url}/api/now/table/sys_user/a8f98bb0eb32010045e1a5115206fe3a`,
					value: 'a8f98bb0eb32010045e1a5115206fe3a',
				},
				role: {
					link: `${sn.url}/api/now/table/sys_user_role/9d6e30b4c0a8016401dc8e1d1c3e3ac4`,
					value: '9d6e30b4c0a8016401dc8e1d1c3e3ac4',
				},
				inherited: 'false',
				state: 'active',
			},
		]);
	});

	it('shows a caller other than an admin only their own rows (200, fewer rows); admin and auth mode none see all', async () => {
		const all = (await rolesOf(ADMIN_AUTH, '')).json().result as Array<Record<string, string>>;
		expect(new Set(all.map((r) => r.user)).size).toBeGreaterThan(3);
		const mine = await rolesOf(INTEGRATION_AUTH, '');
		const names = await roleNames();
		expect(
			(mine.json().result as Array<Record<string, string>>).map((r) => [r.user, names.get(r.role)]),
		).toEqual([
			['a8f98bb0eb32010045e1a5115206fe3a', PE_ROLES.create],
			['a8f98bb0eb32010045e1a5115206fe3a', PE_ROLES.read],
		]);
		expect(mine.headers['x-total-count']).toBe('2');
		// Asking for someone else's rows gives none; a row of someone else by sys_id is not found.
		expect((await rolesOf(INTEGRATION_AUTH, 'user.user_name=admin')).json().result).toEqual([]);
		const adminRow = all.find((r) => r.user === '6816f79cc0a8016401c5a33be04be441')!;
		expect(
			(await get(sn.url, `${TABLES.userHasRole}/${adminRow.sys_id}`, INTEGRATION_AUTH)).status,
		).toBe(404);
		expect((await get(sn.url, `${TABLES.userHasRole}/${adminRow.sys_id}`, ADMIN_AUTH)).status).toBe(
			200,
		);
		// A user of no role has no rows, and is not refused.
		expect((await rolesOf(NO_ROLES, '')).json().result).toEqual([]);
		expect((await rolesOf({}, '', open.url)).json().result).toHaveLength(all.length);
	});

	it('gives every Proactive Engagement role a sys_user_role record in the built-in seed', async () => {
		const names = [...(await roleNames()).values()];
		for (const role of Object.values(PE_ROLES)) expect(names).toContain(role);
	});
});
