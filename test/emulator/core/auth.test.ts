/** The caller, checked by the auth mode: Basic against the registry's users (401, 403), on every API route. */
import { PLATFORM_ERRORS } from '../../../contract/errors';
import { startEmulator, type RunningEmulator } from '../../../emulator/server';
import { CREATE_PATH, postJson, send } from '../../helpers/http';
import { issueBody } from '../../helpers/issues';

const body = issueBody();
const basic = (user: string, password: string) => ({
	authorization: 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64'),
});

describe('Basic auth', () => {
	let sn: RunningEmulator;
	beforeAll(async () => {
		sn = await startEmulator({ port: 0, auth: 'basic' });
	});
	afterAll(() => sn.close());
	beforeEach(() => sn.reset());

	it('answers 401 "User Not Authenticated" without credentials or with wrong ones', async () => {
		for (const headers of [
			{},
			basic('pe.integration', 'wrong'),
			basic('nobody', 'x'),
			{ authorization: 'Bearer abc' },
		]) {
			const res = await postJson(sn.url, body, headers);
			expect(res.status).toBe(401);
			expect(res.json().error.message).toBe(PLATFORM_ERRORS.UNAUTHENTICATED.message);
			expect(res.headers['www-authenticate']).toBe('Basic realm="Service-now"');
		}
		const table = await send(sn.url + '/api/now/table/sys_user');
		expect(table.status).toBe(401);
		expect(sn.issues()).toHaveLength(0);
	});

	it('answers 403 to a user without the sn_pren.experience_issue_create role', async () => {
		const res = await postJson(sn.url, body, basic('itil.user', 'itil'));
		expect(res.status).toBe(403);
		expect(res.json().error.message).toBe(PLATFORM_ERRORS.FORBIDDEN.message);
		// Reading the Table API needs no such role.
		expect(
			(await send(sn.url + '/api/now/table/sys_user_role', { headers: basic('itil.user', 'itil') }))
				.status,
		).toBe(200);
	});

	it('creates for a user with the role, and for admin', async () => {
		expect((await postJson(sn.url, body, basic('pe.integration', 'integration'))).status).toBe(200);
		expect(
			(await postJson(sn.url, { ...body, issue_code: '101' }, basic('admin', 'admin'))).status,
		).toBe(200);
	});

	it('keeps passwords out of the journal', async () => {
		await postJson(sn.url, body, basic('pe.integration', 'integration'));
		const dump = JSON.stringify(sn.journal());
		expect(dump).toContain('"authorization":"Basic ***"');
		expect(dump).not.toContain(Buffer.from('pe.integration:integration').toString('base64'));
	});

	it('requires authentication for every API route when configured, and never lists passwords', async () => {
		const locked = await startEmulator({ port: 0, auth: 'basic' });
		try {
			for (const [method, path] of [
				['POST', CREATE_PATH],
				['POST', '/api/sn_srf/self_remediation/experience_issue/create'],
				['GET', '/api/now/table/sys_user'],
				['GET', '/api/now/table/sn_pren_experience_issue'],
				['PATCH', `/api/now/table/sn_pren_experience_issue/${'a'.repeat(32)}`],
				['GET', '/api/anything/else'],
			]) {
				const res = await send(locked.url + path, {
					method,
					headers: { 'content-type': 'application/json' },
					body: method === 'GET' ? undefined : '{}',
				});
				expect([path, res.status]).toEqual([path, PLATFORM_ERRORS.UNAUTHENTICATED.status]);
			}
			const users = await send(`${locked.url}/api/now/table/sys_user`, {
				headers: { authorization: 'Basic ' + Buffer.from('admin:admin').toString('base64') },
			});
			expect(users.status).toBe(200);
			expect(users.text).not.toContain('"password"');
			expect(users.text).not.toContain(':"integration"');
		} finally {
			await locked.close();
		}
	});
});
