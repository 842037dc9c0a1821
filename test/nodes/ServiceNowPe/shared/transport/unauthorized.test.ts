import { startEmulator, type RunningEmulator } from '../../../../../emulator/server';
import { ABEL } from '../../../../helpers/http';
import { CredentialStore } from '../../../../helpers/n8n';
import { BASIC, CREDENTIAL_TYPES, routed, runAction } from '../../../../helpers/action';

/**
 * A 401 is answered before the instance processes anything. The transport reads every answer
 * whole (n8n 1.x keeps nothing of a thrown one but its status) and sends again only when that can
 * change the answer: with a renewed OAuth token.
 */
const CLIENT_CREDENTIALS = { authType: 'oauth2ClientCredentials' };

describe('a request refused as unauthenticated (401)', () => {
	let basic: RunningEmulator;
	let oauth: RunningEmulator;
	beforeAll(async () => {
		basic = await startEmulator({ port: 0, auth: 'basic' });
		oauth = await startEmulator({ port: 0, auth: 'oauth' });
	});
	afterAll(async () => {
		await basic.close();
		await oauth.close();
	});

	it('with a wrong basic password is sent once and routed to Other with the answer', async () => {
		basic.reset();
		const run = await runAction({
			items: [{ user_id: ABEL.sys_id, code: '100' }],
			credentials: BASIC(basic.url, 'pe.integration', 'wrong'),
		});
		expect(run.outputs.Other[0].json).toMatchObject({
			errorCode: 'UNAUTHENTICATED',
			httpStatus: 401,
			message: 'User Not Authenticated',
		});
		expect(
			basic
				.journal()
				.filter((e) => e.route === 'create')
				.map((e) => e.status),
		).toEqual([401]);
	});

	it('with an expired OAuth token is sent again once with a renewed token, and that answer is read whole', async () => {
		oauth.reset();
		const store = new CredentialStore(
			{
				serviceNowPeApi: {
					instanceUrl: oauth.url,
					clientId: 'pe-emulator-client',
					clientSecret: 'pe-emulator-secret',
					accessToken: '',
					refreshToken: '',
					...CLIENT_CREDENTIALS,
				},
			},
			CREDENTIAL_TYPES,
		);
		await runAction({ items: [{ user_id: ABEL.sys_id, code: '100' }], credentials: store });
		oauth.emulator.expireAccessTokens();
		const after = await runAction({
			items: [{ user_name: 'nobody', code: '100' }],
			credentials: store,
		});
		expect(routed(after.outputs)).toEqual({ 'Unknown User': [0] });
		expect(
			oauth
				.journal()
				.filter((e) => e.route === 'create')
				.map((e) => e.status),
		).toEqual([200, 401, 400]);
		expect(oauth.journal().filter((e) => e.route === 'token')).toHaveLength(2);
	});
});
