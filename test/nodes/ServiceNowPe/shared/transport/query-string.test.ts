/**
 * The query string of a Table API read reaches the instance as the node wrote it, byte for byte:
 * every character but RFC 3986's unreserved ones percent-encoded from its UTF-8 bytes (a space as
 * %20, never '+'), whatever the credential (Basic, an OAuth2 token the credential fetches, n8n's
 * OAuth2 client), and however long the value. n8n's own `qs` serialiser encodes a string in blocks
 * of 1,024 UTF-16 units and cut an emoji in two at a block's end, its low half then swallowing the
 * next character: the first `^` of an escaped `^^`. A query too long for the instance is reported
 * with its reason, the item kept.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TABLES, tablePath } from '../../../../../contract/api';
import { BASIC, CREDENTIAL_TYPES, basicStore, routed, runAction } from '../../../../helpers/action';
import { INTEGRATION_AUTH, emulatorForSuite } from '../../../../helpers/http';
import { alertGroup } from '../../../../helpers/alerts';
import { CredentialStore } from '../../../../helpers/n8n';

/** What the raw server got: the request target as sent, and the credential it carried. */
interface Received {
	method: string;
	url: string;
	authorization: string;
}

let server: Server;
let base: string;
const received: Received[] = [];
const TOKEN = 'tok-2b7e151628aed2a6abf7158809cf4f3c';

beforeAll(async () => {
	server = createServer((req: IncomingMessage, res: ServerResponse) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			received.push({
				method: req.method ?? '',
				url: req.url ?? '',
				authorization: String(req.headers.authorization ?? ''),
			});
			res.setHeader('content-type', 'application/json');
			if (req.url === '/oauth_token.do') {
				res.end(
					JSON.stringify({
						access_token: TOKEN,
						refresh_token: 'refresh-1',
						token_type: 'Bearer',
						expires_in: 1799,
						scope: 'useraccount',
					}),
				);
			} else {
				res.end(JSON.stringify({ result: [] }));
			}
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
	server.closeAllConnections();
	await new Promise((resolve) => server.close(resolve));
});

/** RFC 3986 percent-encoding, written out: unreserved characters as they are, every other one as its UTF-8 bytes. */
const percentEncoded = (value: string): string =>
	[...value]
		.map((ch) =>
			/^[A-Za-z0-9\-._~]$/.test(ch)
				? ch
				: [...Buffer.from(ch, 'utf8')]
						.map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`)
						.join(''),
		)
		.join('');

const EMOJI = '\u{1F600}';
/** An ID whose emoji's high half is the last unit of the first 1,024 of `experience_id=<id>`. */
const ID = `${'a'.repeat(1024 - 1 - 'experience_id='.length)}${EMOJI}^NQsys_idISNOTEMPTY a+b!'()*~&=#?%/é\u0000\n😀^`;

const CREDENTIALS: Array<[string, () => CredentialStore, Record<string, unknown>, string]> = [
	['Basic', () => basicStore(base), {}, INTEGRATION_AUTH.authorization],
	[
		'OAuth2 password grant (token from the instance)',
		() =>
			new CredentialStore(
				{
					serviceNowPeApi: {
						instanceUrl: base,
						authType: 'oauth2Password',
						username: 'pe.integration',
						password: 'integration',
						clientId: 'c',
						clientSecret: 's',
						ignoreSslIssues: false,
						accessToken: '',
						refreshToken: '',
					},
				},
				CREDENTIAL_TYPES,
			),
		{},
		`Bearer ${TOKEN}`,
	],
	[
		"OAuth2 authorization code (n8n's OAuth2 client)",
		() =>
			new CredentialStore(
				{
					serviceNowPeOAuth2Api: {
						instanceUrl: base,
						grantType: 'authorizationCode',
						authUrl: `${base}/oauth_auth.do`,
						accessTokenUrl: `${base}/oauth_token.do`,
						clientId: 'c',
						clientSecret: 's',
						scope: 'useraccount',
						authQueryParameters: '',
						authentication: 'header',
						oauthTokenData: {
							access_token: TOKEN,
							refresh_token: 'refresh-1',
							token_type: 'Bearer',
							expires_in: 1799,
						} as never,
					},
				},
				CREDENTIAL_TYPES,
			),
		{ authentication: 'serviceNowPeOAuth2Api' },
		`Bearer ${TOKEN}`,
	],
];

describe('the query string reaches the instance byte for byte', () => {
	it.each(CREDENTIALS)('%s', async (_name, credentials, parameters, authorization) => {
		received.length = 0;
		const { outputs, error } = await runAction({
			items: [{ id: ID }],
			credentials: credentials(),
			onError: 'continueRegularOutput',
			parameters: {
				operation: 'get',
				findBy: 'experience_id',
				issueId: '={{ $json.id }}',
				...parameters,
			},
		});
		expect(error).toBeUndefined();
		const reads = received.filter((r) => r.url !== '/oauth_token.do');
		// The ID is trimmed (a trailing line break is no part of an ID); every `^` in it doubled.
		const query = `experience_id=${ID.trim().replace(/\^/g, '^^')}`;
		expect(reads).toEqual([
			{
				method: 'GET',
				url: `${tablePath(TABLES.experienceIssue)}?sysparm_query=${percentEncoded(query)}&sysparm_limit=1&sysparm_exclude_reference_link=true`,
				authorization,
			},
		]);
		expect(reads[0].url).not.toContain('+');
		expect(reads[0].url).toContain('%20a%2Bb%21%27%28%29%2A~%26%3D%23%3F%25%2F%C3%A9%00');
		// Nothing found: the item says so, on its output.
		expect(routed(outputs)).toEqual({ Issue: [0] });
	});
});

describe('a query longer than the instance takes', () => {
	const sn = emulatorForSuite({ auth: 'basic' });

	// Node's HTTP server (the emulator's) takes 16 KiB of request line and headers, then answers 431.
	const HOST = 'h'.repeat(20_000);
	const alert = alertGroup([{ alertname: 'NodeDown', instance: HOST, user: 'abel.tuter' }]);

	it('CI lookup of a 20,000-character host: the alert goes to Other saying the query is too long, nothing sent', async () => {
		const { outputs, error } = await runAction({
			items: [alert],
			credentials: BASIC(sn.url),
			parameters: { source: 'alertmanager', defaultIssueCode: '101', resolveCiFromHost: true },
		});
		expect(error).toBeUndefined();
		expect(routed(outputs)).toEqual({ Other: [0] });
		expect(outputs.Other[0].json).toMatchObject({ errorCode: 'CI_LOOKUP_FAILED', sent: false });
		expect(outputs.Other[0].json.message).toContain('(HTTP 431)');
		expect(outputs.Other[0].json.detail).toMatch(
			/^The instance refused the request as too long \(HTTP 431 Request Header Fields Too Large\): the values in its query make a URL of 20,\d{3} characters\. Shorten the value/,
		);
		// Sending it again would be refused again: no "send it again later".
		expect(outputs.Other[0].json.detail).not.toContain('again later');
		expect(sn.issues()).toEqual([]);
	});

	it('Get by a 20,000-character ID: the node fails with the reason, and with continue on fail the item stays', async () => {
		const get = { operation: 'get', findBy: 'experience_id', issueId: '={{ $json.id }}' };
		const failed = await runAction({
			items: [{ id: HOST }],
			credentials: BASIC(sn.url),
			parameters: get,
		});
		expect(failed.error).toBe('Reading the experience issue failed (HTTP 431).');
		expect((failed.run.data.resultData.error as { description?: string }).description).toMatch(
			/^The instance refused the request as too long \(HTTP 431 Request Header Fields Too Large\): the values in its query make a URL of 20,\d{3} characters\. Shorten the value/,
		);
		const kept = await runAction({
			items: [{ id: HOST }],
			credentials: BASIC(sn.url),
			onError: 'continueErrorOutput',
			parameters: get,
		});
		expect(routed(kept.outputs)).toEqual({ Error: [0] });
		expect(kept.outputs.Error[0].json).toEqual({
			error: 'Reading the experience issue failed (HTTP 431).',
		});
	});
});
