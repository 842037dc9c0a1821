/** OAuth tokens held: expired ones swept as new ones are issued, each kind capped at MAX_TOKENS. */
import { Emulator } from '../../../emulator/core';
import { MAX_TOKENS } from '../../../emulator/core/tokens';

describe('bounded memory: tokens', () => {
	it(`sweeps expired tokens as new ones are issued and keeps at most ${MAX_TOKENS} of each kind`, () => {
		let now = 1_000_000;
		const emulator = new Emulator({ auth: 'oauth', tokenTtlSeconds: 1, now: () => now });
		const grant = () =>
			emulator.handle({
				method: 'POST',
				url: '/oauth_token.do',
				headers: { 'content-type': 'application/x-www-form-urlencoded' },
				body: 'grant_type=client_credentials&client_id=pe-emulator-client&client_secret=pe-emulator-secret',
			});
		for (let i = 0; i < 5; i++) grant();
		expect(emulator.snapshot().tokens.access).toHaveLength(5);
		now += 2_000;
		grant();
		expect(emulator.snapshot().tokens.access).toHaveLength(1);
		for (let i = 0; i < MAX_TOKENS + 50; i++) grant();
		expect(emulator.snapshot().tokens.access).toHaveLength(MAX_TOKENS);
		expect(emulator.snapshot().tokens.refresh).toHaveLength(MAX_TOKENS);
	});
});
