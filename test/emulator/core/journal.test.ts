/**
 * The journal: what was received and answered, bounded (each body and answer cut at
 * JOURNAL_TEXT_LIMIT characters) and without secrets: every credential-bearing header, query or
 * path parameter and token request or answer field is masked as it is recorded.
 */
import { JOURNAL_TEXT_LIMIT, maskPath } from '../../../emulator/core/journal';
import { startEmulator } from '../../../emulator/server';
import { CREATE_PATH, emulatorForSuite, postJson, send } from '../../helpers/http';
import { issueBody } from '../../helpers/issues';
import { bearer } from '../../helpers/oauth';

const sn = emulatorForSuite();

const valid = issueBody();
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const CLIENT = 'client_id=pe-emulator-client&client_secret=pe-emulator-secret';
const TABLE = '/api/now/table/sn_pren_experience_issue';

describe('bounded entries', () => {
	it(`keeps at most ${JOURNAL_TEXT_LIMIT} characters of each body and answer in the journal`, async () => {
		const big = JSON.stringify({ ...valid, investigative_details: { note: 'n'.repeat(900_000) } });
		expect((await postJson(sn.url, big)).status).toBe(200);
		const [entry] = sn.journal();
		expect(entry.body.length).toBeLessThan(JOURNAL_TEXT_LIMIT + 40);
		expect(entry.body).toMatch(/… \(\d+ bytes in all\)$/);
	});
});

describe('secrets are never kept', () => {
	it('masks every credential-bearing header, query parameter and token field in the journal', async () => {
		const locked = await startEmulator({ port: 0, auth: 'oauth' });
		try {
			// (The password "integration" is also part of the user name pe.integration: looked for as a value.)
			const secrets = [
				's3cret-bare-token',
				's3cret-proxy',
				's3cret-usertoken',
				's3cret-auth-token',
				's3cret-query-token',
				's3cret-api-key',
				'pe-emulator-secret',
				'password=integration',
				'\\"password\\":\\"integration',
			];
			await send(`${locked.url}${TABLE}?access_token=s3cret-query-token&sysparm_limit=1`, {
				headers: {
					authorization: 's3cret-bare-token',
					'proxy-authorization': 'Basic s3cret-proxy',
					'x-usertoken': 's3cret-usertoken',
					'x-auth-token': 's3cret-auth-token',
					'x-api-key': 's3cret-api-key',
				},
			});
			const token = await send(
				`${locked.url}/oauth_token.do?client_secret=pe-emulator-secret&password=integration`,
				{
					method: 'POST',
					headers: { 'content-type': 'application/x-www-form-urlencoded' },
					body: 'grant_type=password&client_id=pe-emulator-client&client_secret=pe-emulator-secret&username=pe.integration&password=integration',
				},
			);
			const issued = token.json().access_token as string;
			await send(`${locked.url}/oauth_token.do`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: '{"grant_type":"password","client_secret":"pe-emulator-secret","password":"integration"}',
			});
			const dump = JSON.stringify(locked.journal());
			for (const secret of [...secrets, issued])
				expect([secret, dump.includes(secret)]).toEqual([secret, false]);
			expect(locked.journal()[0].headers).toMatchObject({
				authorization: '***',
				'proxy-authorization': 'Basic ***',
				'x-usertoken': '***',
			});
		} finally {
			await locked.close();
		}
	});
});

describe('token request bodies in the journal', () => {
	const locked = emulatorForSuite({ auth: 'oauth' });
	const tokenEntries = () => locked.journal().filter((e) => e.route === 'token');

	it('masks a form that starts with "{" as the form it is read as', async () => {
		const body = `{=1&grant_type=password&${CLIENT}&username=admin&password=admin`;
		expect(
			(await send(`${locked.url}/oauth_token.do`, { method: 'POST', headers: FORM, body })).status,
		).toBe(200);
		const [entry] = tokenEntries();
		expect(entry.body).not.toContain('pe-emulator-secret');
		expect(entry.body).not.toContain('password=admin');
		expect(new URLSearchParams(entry.body).get('client_secret')).toBe('***');
		expect(new URLSearchParams(entry.body).get('username')).toBe('admin');
	});

	it('masks JSON fields by name in any case or escape, of any value type, and forms inside JSON', async () => {
		const bodies = [
			'{"grant_type":"password","Password":"HUNTER2-JSONCASE","client_secret":["S3CR3T-ARRAY"],"pass\\u0077ord":"ESC-PW","refresh_token":12345678,"nested":{"Client_Secret":{"v":"NESTED-S"}}}',
			'{"note":"1&client_secret=FORM-IN-JSON&grant_type=password"}',
			'"password=TOP-LEVEL-STRING"',
		];
		for (const body of bodies)
			await send(`${locked.url}/oauth_token.do`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body,
			});
		const dump = JSON.stringify(locked.journal());
		for (const secret of [
			'HUNTER2-JSONCASE',
			'S3CR3T-ARRAY',
			'ESC-PW',
			'12345678',
			'NESTED-S',
			'FORM-IN-JSON',
			'TOP-LEVEL-STRING',
		])
			expect(dump).not.toContain(secret);
		const [first] = tokenEntries();
		expect(JSON.parse(first.body)).toEqual({
			grant_type: 'password',
			Password: '***',
			client_secret: '***',
			password: '***',
			refresh_token: '***',
			nested: { Client_Secret: '***' },
		});
	});
});

describe('credentials in other places of a request', () => {
	const locked = emulatorForSuite({ auth: 'oauth' });

	it('masks path parameters and headers that carry them, and the 415 detail quotes no header', async () => {
		const auth = await bearer(locked.url);
		await send(
			`${locked.url}${TABLE};access_token=PATH-SECRET-1;jsessionid=PATH-SECRET-2?sysparm_limit=1`,
			{ headers: { ...auth, 'x-authentication': 'HDR-SECRET-1', 'x-access-key': 'HDR-SECRET-2' } },
		);
		const odd = await send(locked.url + CREATE_PATH, {
			method: 'POST',
			headers: { ...auth, 'content-type': 'text/plain; secret=CT-SECRET' },
			body: 'hello',
		});
		expect(odd.status).toBe(415);
		expect(odd.text).not.toContain('CT-SECRET');
		const journal = JSON.stringify(locked.journal());
		for (const secret of ['PATH-SECRET-1', 'PATH-SECRET-2', 'HDR-SECRET-1', 'HDR-SECRET-2'])
			expect(journal).not.toContain(secret);
		expect(journal).toContain(';access_token=***');
	});

	it('masks path parameters of a path without a query too', async () => {
		const auth = await bearer(locked.url);
		await send(`${locked.url}${TABLE};access_token=PATH-SECRET-3`, { headers: auth });
		const journal = JSON.stringify(locked.journal());
		expect(journal).not.toContain('PATH-SECRET-3');
		expect(journal).toContain(`${TABLE};access_token=***`);
	});

	it.each([
		[
			'a `;` sent percent-encoded',
			`${TABLE}%3Baccess_token=PATH-SECRET-4`,
			`${TABLE}%3Baccess_token=***`,
		],
		[
			'in lower case, before a query',
			`${TABLE}%3baccess_token=PATH-SECRET-4?sysparm_limit=1`,
			`${TABLE}%3baccess_token=***?sysparm_limit=1`,
		],
		[
			'after a plain parameter whose value holds it',
			`${TABLE};a=1%3Btoken=PATH-SECRET-4`,
			`${TABLE};a=1%3Btoken=***`,
		],
		['a name percent-encoded', `${TABLE};pass%77ord=PATH-SECRET-4`, `${TABLE};pass%77ord=***`],
		[
			'upper case, several, in a segment before the last',
			`/api;A=1;ACCESS_TOKEN=PATH-SECRET-4;b=2/now/table/x`,
			`/api;A=1;ACCESS_TOKEN=***;b=2/now/table/x`,
		],
	])('masks a path parameter with %s', async (_, path, masked) => {
		const auth = await bearer(locked.url);
		await send(`${locked.url}${path}`, { headers: auth });
		const [entry] = locked.journal().slice(-1);
		expect(entry.path).toBe(masked);
		expect(JSON.stringify(locked.journal())).not.toContain('PATH-SECRET-4');
	});

	it('masks a huge path of many parameters in linear time', () => {
		const n = 200_000;
		const shapes = [
			';'.repeat(n),
			';x'.repeat(n / 2),
			'%3Bx'.repeat(n / 4),
			'%3B'.repeat(n / 3),
			';='.repeat(n / 2),
			';token=1'.repeat(n / 8),
			`;${'x'.repeat(n)}`,
			`;token=${'%3B'.repeat(n / 3)}`,
		];
		for (const tail of shapes) {
			const started = performance.now();
			const masked = maskPath(`/api${tail}?a=1`);
			// quadratic work on 200,000 characters takes minutes; linear, milliseconds
			expect(performance.now() - started).toBeLessThan(2_000);
			expect(masked).not.toMatch(/token=1/);
		}
	});
});
