/** /oauth_token.do and /oauth_auth.do: every grant, Bearer tokens that authorise API calls, refresh and expiry. */
import { startEmulator, type RunningEmulator } from '../../../../emulator/server';
import { postJson, send } from '../../../helpers/http';
import { issueBody } from '../../../helpers/issues';
import { grant } from '../../../helpers/oauth';

const body = issueBody();
const basic = (user: string, password: string) => ({
	authorization: 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64'),
});
const CLIENT = { client_id: 'pe-emulator-client', client_secret: 'pe-emulator-secret' };

function token(base: string, params: Record<string, string>, headers: Record<string, string> = {}) {
	return send(base + '/oauth_token.do', {
		method: 'POST',
		headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
		body: new URLSearchParams(params).toString(),
	});
}

describe('OAuth', () => {
	let sn: RunningEmulator;
	beforeAll(async () => {
		sn = await startEmulator({ port: 0, auth: 'oauth', tokenTtlSeconds: 1800 });
	});
	afterAll(() => sn.close());
	beforeEach(() => sn.reset());

	it('issues tokens for the password grant that authorise creates', async () => {
		const res = await token(sn.url, {
			grant_type: 'password',
			...CLIENT,
			username: 'pe.integration',
			password: 'integration',
		});
		expect(res.status).toBe(200);
		const t = res.json();
		expect(t).toMatchObject({ token_type: 'Bearer', expires_in: 1800, scope: 'useraccount' });
		expect(t.access_token).toMatch(/^[\w-]{40,}$/);
		expect(t.refresh_token).toMatch(/^[\w-]{40,}$/);
		const created = await postJson(sn.url, body, { authorization: `Bearer ${t.access_token}` });
		expect(created.status).toBe(200);
	});

	it('issues tokens for the client credentials grant (client authenticated by Basic header too)', async () => {
		const res = await token(
			sn.url,
			{ grant_type: 'client_credentials' },
			basic(CLIENT.client_id, CLIENT.client_secret),
		);
		expect(res.status).toBe(200);
		const created = await postJson(sn.url, body, {
			authorization: `Bearer ${res.json().access_token}`,
		});
		expect(created.status).toBe(200);
	});

	it('refuses Basic credentials, unknown tokens and expired tokens with 401; a refresh token gets a new one', async () => {
		expect((await postJson(sn.url, body, basic('pe.integration', 'integration'))).status).toBe(401);
		expect((await postJson(sn.url, body, { authorization: 'Bearer not-a-token' })).status).toBe(
			401,
		);

		const t = await grant(sn.url);
		const expired = await send(sn.url + '/_emulator/tokens/expire', { method: 'POST' });
		expect(expired.json().result.expired).toBe(1);
		const refused = await postJson(sn.url, body, { authorization: `Bearer ${t.access_token}` });
		expect(refused.status).toBe(401);
		expect(refused.headers['www-authenticate']).toBe('Bearer realm="Service-now"');

		const refreshed = await token(sn.url, {
			grant_type: 'refresh_token',
			...CLIENT,
			refresh_token: t.refresh_token!,
		});
		expect(refreshed.status).toBe(200);
		expect(refreshed.json().access_token).not.toBe(t.access_token);
		expect(refreshed.json().refresh_token).toBe(t.refresh_token);
		expect(
			(await postJson(sn.url, body, { authorization: `Bearer ${refreshed.json().access_token}` }))
				.status,
		).toBe(200);
	});

	it('expires access tokens after their lifetime', async () => {
		const short = await startEmulator({ port: 0, auth: 'oauth', tokenTtlSeconds: 1 });
		try {
			const t = (await token(short.url, { grant_type: 'client_credentials', ...CLIENT })).json();
			expect(t.expires_in).toBe(1);
			expect(
				(await postJson(short.url, body, { authorization: `Bearer ${t.access_token}` })).status,
			).toBe(200);
			await new Promise((r) => setTimeout(r, 1100));
			expect(
				(
					await postJson(
						short.url,
						{ ...body, issue_code: '101' },
						{ authorization: `Bearer ${t.access_token}` },
					)
				).status,
			).toBe(401);
		} finally {
			await short.close();
		}
	});

	it('runs the authorization-code grant: /oauth_auth.do redirects with a one-time code', async () => {
		const auth = await send(
			`${sn.url}/oauth_auth.do?response_type=code&client_id=${CLIENT.client_id}&redirect_uri=${encodeURIComponent('http://127.0.0.1:5678/rest/oauth2-credential/callback')}&state=xyz&scope=useraccount`,
		);
		expect(auth.status).toBe(302);
		const location = new URL(String(auth.headers.location));
		expect(location.origin + location.pathname).toBe(
			'http://127.0.0.1:5678/rest/oauth2-credential/callback',
		);
		expect(location.searchParams.get('state')).toBe('xyz');
		const code = location.searchParams.get('code') ?? '';
		const first = await token(
			sn.url,
			{
				grant_type: 'authorization_code',
				code,
				redirect_uri: 'http://127.0.0.1:5678/rest/oauth2-credential/callback',
			},
			basic(CLIENT.client_id, CLIENT.client_secret),
		);
		expect(first.status).toBe(200);
		expect(
			(await postJson(sn.url, body, { authorization: `Bearer ${first.json().access_token}` }))
				.status,
		).toBe(200);
		const again = await token(
			sn.url,
			{ grant_type: 'authorization_code', code },
			basic(CLIENT.client_id, CLIENT.client_secret),
		);
		expect(again.json().error).toBe('invalid_grant');
		const badClient = await send(
			`${sn.url}/oauth_auth.do?response_type=code&client_id=nope&redirect_uri=http://127.0.0.1/cb`,
		);
		expect(badClient.status).toBe(400);
		expect(badClient.text).toContain('Unknown client_id');
	});

	it.each([
		[
			'a wrong client secret',
			{ grant_type: 'client_credentials', client_id: CLIENT.client_id, client_secret: 'x' },
			401,
			'invalid_client',
		],
		[
			'a wrong user password',
			{ grant_type: 'password', ...CLIENT, username: 'admin', password: 'x' },
			401,
			'access_denied',
		],
		[
			'an unknown refresh token',
			{ grant_type: 'refresh_token', ...CLIENT, refresh_token: 'x' },
			401,
			'invalid_grant',
		],
		['an unsupported grant', { grant_type: 'implicit', ...CLIENT }, 400, 'unsupported_grant_type'],
	])('refuses %s with an OAuth error', async (_label, params, status, error) => {
		const res = await token(sn.url, params as Record<string, string>);
		expect(res.status).toBe(status);
		expect(res.json().error).toBe(error);
		expect(res.json().error_description).toEqual(expect.any(String));
	});

	it('keeps client secrets, passwords and tokens out of the journal', async () => {
		const t = await grant(sn.url);
		await postJson(sn.url, body, { authorization: `Bearer ${t.access_token}` });
		const dump = JSON.stringify(sn.journal());
		for (const secret of [
			CLIENT.client_secret,
			'password=admin',
			t.access_token,
			t.refresh_token,
		]) {
			expect(dump).not.toContain(secret);
		}
		const registry = await send(sn.url + '/_emulator/registry');
		expect(registry.text).not.toContain(CLIENT.client_secret);
		expect(registry.text).not.toContain('"password"');
	});

	it('answers a Basic client header with a bad % escape on /oauth_token.do with invalid_client', async () => {
		const res = await send(`${sn.url}/oauth_token.do`, {
			method: 'POST',
			headers: {
				'content-type': 'application/x-www-form-urlencoded',
				authorization: `Basic ${Buffer.from('pe-emulator-client:%E0%A4%A').toString('base64')}`,
			},
			body: 'grant_type=client_credentials',
		});
		expect(res.status).toBe(401);
		expect(res.json()).toMatchObject({ error: 'invalid_client' });
	});
});
