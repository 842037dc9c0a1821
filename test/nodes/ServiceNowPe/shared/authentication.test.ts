/**
 * How the action node authenticates: OAuth2 tokens fetched, kept while good and refreshed when
 * expired (password and client credentials grants, and n8n's own OAuth2 credential), the token
 * route asked again after a failure, its refusals said in the instance's words, and no secret in
 * any output, error or request journal.
 */
import { defaultSeed } from '../../../../emulator/core';
import {
	CREDENTIAL_TYPES,
	oauthStore,
	routed,
	runAction,
	sendAbel100,
} from '../../../helpers/action';
import { ABEL, emulatorForSuite, statusesOf, withEmulator } from '../../../helpers/http';
import { CredentialStore } from '../../../helpers/n8n';

describe('credentials', () => {
	const oauth = emulatorForSuite({ auth: 'oauth' });

	const grants = {
		password: { authType: 'oauth2Password', username: 'pe.integration', password: 'integration' },
		clientCredentials: { authType: 'oauth2ClientCredentials' },
	};

	it.each(Object.entries(grants))(
		'OAuth2 %s grant: fetches a token, and refreshes it when it expired',
		async (_name, grant) => {
			const store = oauthStore(`${oauth.url}/`, grant);
			const first = await sendAbel100(store);
			expect(routed(first.outputs)).toEqual({ Created: [0] });
			expect(store.data.serviceNowPeApi.accessToken).toMatch(/^[\w-]{40,}$/);
			const firstToken = store.data.serviceNowPeApi.accessToken;

			// Stored token still good: no new token request.
			await runAction({ items: [{ user_id: ABEL.sys_id, code: '101' }], credentials: store });
			expect(oauth.journal().filter((e) => e.route === 'token')).toHaveLength(1);

			oauth.emulator.expireAccessTokens();
			const after = await runAction({
				items: [{ user_id: ABEL.sys_id, code: '102' }],
				credentials: store,
			});
			expect(routed(after.outputs)).toEqual({ Created: [0] });
			expect(store.data.serviceNowPeApi.accessToken).not.toBe(firstToken);
			const tokenCalls = oauth.journal().filter((e) => e.route === 'token');
			expect(tokenCalls).toHaveLength(2);
			expect(tokenCalls[1].body).toContain('grant_type=refresh_token');
			expect(statusesOf(oauth, 'create')).toEqual([200, 200, 401, 200]);
		},
	);

	it('asks the token route again after a 503 or a lost answer, and gets the token', async () => {
		oauth.injectFault({ status: 503, count: 1, match: { route: 'token' } });
		oauth.injectFault({ drop: 'before', count: 1, match: { route: 'token' } });
		const run = await sendAbel100(oauthStore(oauth.url));
		expect(routed(run.outputs)).toEqual({ Created: [0] });
		expect(statusesOf(oauth, 'token')).toEqual([503, 0, 200]); // 0: the connection dropped
	});

	it("says the instance's own words when the token route keeps failing, never [object Object]", async () => {
		oauth.injectFault({ status: 500, count: 0, match: { route: 'token' } });
		const run = await sendAbel100(oauthStore(oauth.url));
		expect(run.error).toMatch(
			/^ServiceNow refused the OAuth token request \(HTTP 500: Internal Server Error/,
		);
		expect(run.error).toContain('try again later');
		expect(run.error).not.toContain('[object Object]');
		expect(run.error).not.toContain('pe-emulator-secret');
		expect(oauth.journal().filter((e) => e.route === 'token')).toHaveLength(3);
	});

	it('OAuth2 authorization code credential: uses the token n8n holds and refreshes it on 401', async () => {
		const token = await fetch(`${oauth.url}/oauth_token.do`, {
			method: 'POST',
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
			body: 'grant_type=client_credentials&client_id=pe-emulator-client&client_secret=pe-emulator-secret',
		}).then((r) => r.json() as Promise<Record<string, unknown>>);
		const store = new CredentialStore(
			{
				serviceNowPeOAuth2Api: {
					instanceUrl: oauth.url,
					grantType: 'authorizationCode',
					authUrl: `${oauth.url}/oauth_auth.do`,
					accessTokenUrl: `${oauth.url}/oauth_token.do`,
					clientId: 'pe-emulator-client',
					clientSecret: 'pe-emulator-secret',
					scope: 'useraccount',
					authQueryParameters: '',
					authentication: 'header',
					oauthTokenData: token as never,
				},
			},
			CREDENTIAL_TYPES,
		);
		const parameters = { authentication: 'serviceNowPeOAuth2Api' };
		const first = await sendAbel100(store, parameters);
		expect(first.error).toBeUndefined();
		expect(routed(first.outputs)).toEqual({ Created: [0] });
		oauth.emulator.expireAccessTokens();
		const second = await runAction({
			items: [{ user_id: ABEL.sys_id, code: '101' }],
			credentials: store,
			parameters,
		});
		expect(routed(second.outputs)).toEqual({ Created: [0] });
		expect(
			(store.data.serviceNowPeOAuth2Api.oauthTokenData as Record<string, unknown>).access_token,
		).not.toBe(token.access_token);
	});

	it('keeps every secret out of outputs, errors and the emulator journal', async () => {
		const secrets = {
			password: 'Pa55-w0rd-never-shown',
			clientSecret: 'c1ient-s3cret-never-shown',
			wrong: 'Wr0ng-pa55-never-shown',
		};
		const seed = defaultSeed();
		seed.users.push({
			sys_id: 'f'.repeat(32),
			user_name: 'svc.pe',
			name: 'Service',
			email: '',
			roles: ['sn_pren.experience_issue_create'],
			password: secrets.password,
			active: true,
		});
		seed.oauth_clients.push({
			client_id: 'svc-client',
			client_secret: secrets.clientSecret,
			user: 'svc.pe',
		});
		await withEmulator({ auth: 'oauth', seed }, async (sealed) => {
			const credentials = {
				instanceUrl: sealed.url,
				authType: 'oauth2Password',
				username: 'svc.pe',
				password: secrets.password,
				clientId: 'svc-client',
				clientSecret: secrets.clientSecret,
				accessToken: '',
				refreshToken: '',
			};
			const store = new CredentialStore({ serviceNowPeApi: credentials }, CREDENTIAL_TYPES);
			const ok = await runAction({
				items: [
					{ user_id: ABEL.sys_id, code: '100' },
					{ user_name: 'nobody', code: '100' },
				],
				credentials: store,
			});
			expect(routed(ok.outputs)).toEqual({ Created: [0], 'Unknown User': [1] });
			const bad = await sendAbel100(
				new CredentialStore(
					{ serviceNowPeApi: { ...credentials, password: secrets.wrong } },
					CREDENTIAL_TYPES,
				),
			);
			expect(bad.error).toMatch(
				/ServiceNow refused the OAuth token request \(HTTP 401: access_denied/,
			);
			const token = String(store.data.serviceNowPeApi.accessToken);
			expect(token.length).toBeGreaterThan(20);
			const dumps = [
				JSON.stringify(ok.run.data.resultData),
				JSON.stringify(bad.run.data.resultData),
				String(bad.error),
				JSON.stringify(sealed.journal()),
			];
			for (const dump of dumps) {
				for (const secret of [secrets.password, secrets.clientSecret, secrets.wrong, token])
					expect(dump).not.toContain(secret);
			}
			// A wrong password is not retried as if the network had failed.
			expect(sealed.journal().filter((e) => e.route === 'token' && e.status === 401)).toHaveLength(
				1,
			);
		});
	});
});
