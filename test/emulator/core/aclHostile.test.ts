/**
 * The emulator's read ACLs under attack: Batch API items mixing refused reads with allowed
 * creates, queries on sys_user_has_role that try to reach other users' rows (dot-walks, `^NQ`,
 * `^OR`, ORDERBY, offsets, X-Total-Count, by sys_id, inside a batch, in XML), OAuth token users,
 * and role names that only look like the read role.
 */
import { TABLES } from '../../../contract/api';
import { defaultSeed } from '../../../emulator/core';
import {
	ADMIN_AUTH,
	INTEGRATION_AUTH,
	basicAuth,
	emulatorForSuite,
	send,
	withEmulator,
} from '../../helpers/http';
import { issueBody } from '../../helpers/issues';

const seed = defaultSeed();
const lookalike = (user_name: string, roles: string[]) => ({
	...seed.users.find((u) => u.user_name === 'pe.noroles')!,
	sys_id: `${user_name.replace(/[^a-z]/g, '').padEnd(32, '0')}`.slice(0, 32),
	user_name,
	email: `${user_name}@example.com`,
	password: 'x',
	roles,
});
seed.users.push(
	lookalike('upper.case', ['SN_PREN.EXPERIENCE_ISSUE_READ']),
	lookalike('spaced.role', [' sn_pren.experience_issue_read', 'admin ']),
	lookalike('wild.card', ['sn_pren.*', 'sn_pren.experience_issue_read.extra']),
);
seed.oauth_clients.push({
	client_id: 'createonly-client',
	client_secret: 'secret',
	user: 'pe.createonly',
});
const sn = emulatorForSuite({ auth: 'basic', seed });

const CREATE_ONLY = basicAuth('pe.createonly', 'createonly');
const ADMIN_ID = '6816f79cc0a8016401c5a33be04be441';
const INTEGRATION_ID = 'a8f98bb0eb32010045e1a5115206fe3a';

const get = (url: string, path: string, headers: Record<string, string>) =>
	send(`${url}/api/now/table/${path}`, { headers: { accept: 'application/json', ...headers } });
const hasRole = (query: string, extra = '') =>
	`${TABLES.userHasRole}?sysparm_exclude_reference_link=true&sysparm_query=${encodeURIComponent(query)}${extra}`;

type Item = { id: string; method: string; url: string; body?: string };
async function batch(auth: Record<string, string>, items: Item[]) {
	const res = await send(`${sn.url}/api/now/v1/batch`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', accept: 'application/json', ...auth },
		body: JSON.stringify({
			batch_request_id: 'hostile',
			rest_requests: items.map((i) => ({
				...i,
				...(i.body ? { body: Buffer.from(i.body).toString('base64') } : {}),
				headers: [
					{ name: 'Accept', value: 'application/json' },
					{ name: 'Content-Type', value: 'application/json' },
				],
			})),
		}),
	});
	expect(res.status).toBe(200);
	const answer = res.json() as {
		serviced_requests: Array<{ id: string; status_code: number; body: string }>;
		unserviced_requests: string[];
	};
	expect(answer.unserviced_requests).toEqual([]);
	return answer.serviced_requests.map((r) => ({
		id: r.id,
		status: r.status_code,
		json: JSON.parse(Buffer.from(r.body, 'base64').toString('utf8')),
	}));
}

describe('Batch API: refused reads beside allowed creates', () => {
	it('a create-only user: each create is made once, each read refused, in the order sent', async () => {
		const create = (id: string, experience: string, code: string): Item => ({
			id,
			method: 'POST',
			url: '/api/sn_pren/self_remediation/experience_issue/create',
			body: JSON.stringify(issueBody({ experience_id: experience, issue_code: code })),
		});
		const read = (id: string, table: string): Item => ({
			id,
			method: 'GET',
			url: `/api/now/table/${table}?sysparm_query=experience_id=HB-1`,
		});
		const answers = await batch(CREATE_ONLY, [
			read('r1', TABLES.experienceIssue),
			create('c1', 'HB-1', '100'),
			read('r2', TABLES.experienceIssue),
			read('r3', TABLES.issueRegistry),
			create('c2', 'HB-2', '101'),
		]);
		expect(answers.map((a) => [a.id, a.status])).toEqual([
			['r1', 403],
			['c1', 200],
			['r2', 403],
			['r3', 403],
			['c2', 200],
		]);
		expect(answers[1].json).toEqual({ result: { experience_id: 'HB-1' } });
		expect(answers[2].json.error.detail).toBe(
			`User is unauthorized to access table: ${TABLES.experienceIssue}`,
		);
		expect(
			sn
				.issues()
				.map((i) => i.experience_id)
				.sort(),
		).toEqual(['HB-1', 'HB-2']);
	});
});

describe('sys_user_has_role: no other user’s row leaks', () => {
	const own = async (query: string, extra = '', auth = INTEGRATION_AUTH) => {
		const res = await get(sn.url, hasRole(query, extra), auth);
		expect(res.status).toBe(200);
		const rows = res.json().result as Array<Record<string, string>>;
		expect(rows.every((r) => r.user === INTEGRATION_ID)).toBe(true);
		return { rows, total: res.headers['x-total-count'] };
	};

	it.each([
		['by role name', 'role.name=admin'],
		['by another user', 'user.user_name=admin'],
		['^NQ a second query', 'user.user_name=admin^NQsys_idISNOTEMPTY'],
		['^OR', 'user=6816f79cc0a8016401c5a33be04be441^ORuser.user_nameSTARTSWITHa'],
		['a dot-walk through the user', 'user.rolesLIKEadmin'],
		['ORDERBY on a dot-walk', 'ORDERBYDESCuser.user_name^ORDERBYrole.name'],
		['a field that does not exist', 'nosuchfield=1'],
		['an empty query', ''],
	])('%s: only the caller’s own rows, X-Total-Count counting only them', async (_, q) => {
		const { rows, total } = await own(q);
		expect(Number(total)).toBe(rows.length);
		expect(rows.length).toBeLessThanOrEqual(2);
	});

	it('an offset past the caller’s rows gives none, and the count stays theirs', async () => {
		const { rows, total } = await own('', '&sysparm_offset=2&sysparm_limit=50');
		expect([rows, total]).toEqual([[], '2']);
	});

	it('another user’s row by sys_id: 404, in JSON, in XML and in a batch; the admin gets it', async () => {
		const all = (await get(sn.url, hasRole(''), ADMIN_AUTH)).json().result as Array<
			Record<string, string>
		>;
		const adminRow = all.find((r) => r.user === ADMIN_ID)!;
		const path = `${TABLES.userHasRole}/${adminRow.sys_id}`;
		expect((await get(sn.url, path, INTEGRATION_AUTH)).status).toBe(404);
		const xml = await get(sn.url, path, { ...INTEGRATION_AUTH, accept: 'application/xml' });
		expect(xml.status).toBe(404);
		expect(xml.text).not.toContain(ADMIN_ID);
		const [inBatch, listed] = await batch(INTEGRATION_AUTH, [
			{ id: 'one', method: 'GET', url: `/api/now/table/${path}` },
			{ id: 'all', method: 'GET', url: `/api/now/table/${hasRole('role.name=admin')}` },
		]);
		expect(inBatch.status).toBe(404);
		expect(JSON.stringify(inBatch.json)).not.toContain(ADMIN_ID);
		expect([listed.status, listed.json.result]).toEqual([200, []]);
		expect((await get(sn.url, path, ADMIN_AUTH)).json().result.user.value).toBe(ADMIN_ID);
	});

	it('in XML the list holds only the caller’s rows', async () => {
		const res = await get(sn.url, hasRole('user.user_name=admin^NQsys_idISNOTEMPTY'), {
			...INTEGRATION_AUTH,
			accept: 'application/xml',
		});
		expect(res.status).toBe(200);
		expect(res.text).not.toContain(ADMIN_ID);
		expect(res.text).toContain(INTEGRATION_ID);
	});
});

describe('roles that only look like the read role', () => {
	it.each([
		['upper.case', 'SN_PREN.EXPERIENCE_ISSUE_READ'],
		['spaced.role', "' sn_pren.experience_issue_read' and 'admin '"],
		['wild.card', 'sn_pren.* and a longer name'],
	])('%s (%s) may not read experience issues, nor others’ role rows', async (user) => {
		const auth = basicAuth(user, 'x');
		const res = await get(sn.url, TABLES.experienceIssue, auth);
		expect(res.status).toBe(403);
		const rows = (await get(sn.url, hasRole(''), auth)).json().result as Array<
			Record<string, string>
		>;
		expect(new Set(rows.map((r) => r.user)).size).toBeLessThanOrEqual(1);
		expect(rows.some((r) => r.user === ADMIN_ID)).toBe(false);
	});
});

describe('OAuth token users', () => {
	const token = async (url: string, client: string, secret: string) =>
		(
			await send(`${url}/oauth_token.do`, {
				method: 'POST',
				headers: { 'content-type': 'application/x-www-form-urlencoded' },
				body: `grant_type=client_credentials&client_id=${client}&client_secret=${secret}`,
			})
		).json().access_token as string;

	it('a token reads as its OAuth Application User: create-only is refused, its role rows only its own', async () =>
		withEmulator({ auth: 'oauth', seed }, async (e) => {
			const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
			const integration = bearer(await token(e.url, 'pe-emulator-client', 'pe-emulator-secret'));
			const createOnly = bearer(await token(e.url, 'createonly-client', 'secret'));
			expect((await get(e.url, TABLES.experienceIssue, integration)).status).toBe(200);
			const refused = await get(e.url, TABLES.experienceIssue, createOnly);
			expect(refused.status).toBe(403);
			const rows = (
				await get(e.url, hasRole('user.user_name=admin^NQsys_idISNOTEMPTY'), integration)
			).json().result as Array<Record<string, string>>;
			expect(rows.map((r) => r.user)).toEqual([INTEGRATION_ID, INTEGRATION_ID]);
		}));
});
