import { BASIC, oauthStore, routed, runAction, sendAbel100 } from '../../../../helpers/action';
import { emulatorForSuite, statusesOf } from '../../../../helpers/http';

/**
 * A 401 is answered before the instance processes anything. The transport reads every answer
 * whole (n8n 1.x keeps nothing of a thrown one but its status) and sends again only when that can
 * change the answer: with a renewed OAuth token.
 */
describe('a request refused as unauthenticated (401)', () => {
	const basic = emulatorForSuite({ auth: 'basic' });
	const oauth = emulatorForSuite({ auth: 'oauth' });

	it('with a wrong basic password is sent once and routed to Other with the answer', async () => {
		const run = await sendAbel100(BASIC(basic.url, 'pe.integration', 'wrong'));
		expect(run.outputs.Other[0].json).toMatchObject({
			errorCode: 'UNAUTHENTICATED',
			httpStatus: 401,
			message: 'User Not Authenticated',
		});
		expect(run.outputs.Other[0].json.response).toContain('User Not Authenticated');
		expect(statusesOf(basic, 'create')).toEqual([401]);
	});

	it('with an expired OAuth token is sent again once with a renewed token, and that answer is read whole', async () => {
		const store = oauthStore(oauth.url);
		await sendAbel100(store);
		oauth.emulator.expireAccessTokens();
		const after = await runAction({
			items: [{ user_name: 'nobody', code: '100' }],
			credentials: store,
		});
		expect(routed(after.outputs)).toEqual({ 'Unknown User': [0] });
		expect(statusesOf(oauth, 'create')).toEqual([200, 401, 400]);
		expect(oauth.journal().filter((e) => e.route === 'token')).toHaveLength(2);
	});
});
