/**
 * The credential test as users run it: the Test button of n8n's credential dialog (POST
 * /rest/credentials/test on a saved credential) in a real n8n with the package installed.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startEmulator, type RunningEmulator } from '../../emulator/server';
import {
	EMULATOR_BASIC as BASIC,
	login,
	ownerEnv,
	startRealN8n,
	stopRealN8n,
	type RealN8n,
} from './helpers';

interface Page {
	status: number;
	headers: Record<string, string>;
	body: string;
}

/** A page that answers 200 with this JSON. */
const json = (body: string): Page => ({
	status: 200,
	headers: { 'content-type': 'application/json' },
	body,
});

/** What people paste as Instance URL, served under a prefix on 127.0.0.1: one fixed answer each. */
const PAGES: Record<string, Page> = {
	'/sign-in': {
		status: 200,
		headers: { 'content-type': 'text/html; charset=utf-8' },
		body: '<!DOCTYPE html><html><head><title>Sign in - Corporate SSO</title></head><body><form method="post"><input name="user"></form></body></html>',
	},
	'/other-json': json('{"status":"ok","version":"1.2.3"}'),
	'/json-rpc': json('{"jsonrpc":"2.0","id":1,"result":{}}'),
	'/result-null': json('{"result":null}'),
	'/result-text': json('{"result":"ok"}'),
	'/redirect': {
		status: 302,
		headers: { location: 'https://login.example.com/saml?request=abc' },
		body: '',
	},
};

const WEB_PAGE =
	/^The address answered, but with a web page or text, not with JSON from the Table API .*The Instance URL should be the instance itself, e\.g\. https:\/\/dev12345\.service-now\.com/;

describe('the credential test in a real n8n (the Test button of the credential dialog)', () => {
	let sn: RunningEmulator;
	let pages: Server;
	let pagesUrl: string;
	let n8n: RealN8n;
	let cookie: string;

	beforeAll(async () => {
		sn = await startEmulator({ port: 0, auth: 'basic' });
		pages = createServer((req, res) => {
			const page = Object.entries(PAGES).find(([prefix]) => req.url?.startsWith(`${prefix}/`))?.[1];
			if (!page) res.writeHead(500).end();
			else res.writeHead(page.status, page.headers).end(page.body);
		});
		await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
		pagesUrl = `http://127.0.0.1:${(pages.address() as AddressInfo).port}`;
		n8n = await startRealN8n({ extraEnv: ownerEnv() });
		cookie = await login(n8n.base);
	}, 600_000);

	afterAll(async () => {
		await stopRealN8n(n8n);
		await sn?.close();
		await new Promise((resolve) => pages?.close(resolve));
	});

	/** Saves a credential as the dialog does, then presses Test: n8n's verdict. */
	async function test(
		data: Record<string, unknown>,
		type = 'serviceNowPeApi',
	): Promise<{ status: string; message: string }> {
		const headers = { 'content-type': 'application/json', cookie };
		const name = `${type} ${Math.random().toString(36).slice(2)}`;
		const saved = await fetch(`${n8n.base}/rest/credentials`, {
			method: 'POST',
			headers,
			body: JSON.stringify({ name, type, data }),
		});
		const text = await saved.text();
		if (saved.status !== 200) throw new Error(`saving the credential: ${saved.status} ${text}`);
		const { id } = JSON.parse(text).data;
		const tested = await fetch(`${n8n.base}/rest/credentials/test`, {
			method: 'POST',
			headers,
			body: JSON.stringify({ credentials: { id, name, type, data } }),
		});
		const answer = await tested.text();
		if (tested.status !== 200)
			throw new Error(`testing the credential: ${tested.status} ${answer}`);
		return JSON.parse(answer).data;
	}

	it('passes against an instance (the emulator), and says so when the password is wrong', async () => {
		expect(await test({ instanceUrl: sn.url, ...BASIC })).toEqual({
			status: 'OK',
			message: 'Connection successful!',
		});
		expect(await test({ instanceUrl: sn.url, ...BASIC, password: 'wrong' })).toEqual({
			status: 'Error',
			message: expect.stringMatching(/^The instance refused the sign-in \(HTTP 401\)/),
		});
	});

	it("fails against n8n's own editor, its root or a page of it copied from the browser", async () => {
		// Asked for JSON, n8n answers 404 (asked for anything, it would answer its editor page with 200).
		for (const instanceUrl of [n8n.base, `${n8n.base}/home/workflows`]) {
			expect(await test({ instanceUrl, ...BASIC })).toEqual({
				status: 'Error',
				message:
					"No ServiceNow Table API at this address (HTTP 404): the Instance URL should be the instance itself, e.g. https://dev12345.service-now.com, not a page of it or another application's address.",
			});
		}
	});

	it('fails against a sign-in page that answers HTTP 200, and against JSON without "result"', async () => {
		expect(await test({ instanceUrl: `${pagesUrl}/sign-in`, ...BASIC })).toEqual({
			status: 'Error',
			message: expect.stringMatching(WEB_PAGE),
		});
		expect(await test({ instanceUrl: `${pagesUrl}/other-json`, ...BASIC })).toEqual({
			status: 'Error',
			message: expect.stringMatching(
				/^The address answered with JSON without "result", so not from the Table API of a ServiceNow instance/,
			),
		});
	});

	it('fails against JSON whose "result" is no list (JSON-RPC, null, text): a Table API read answers a list', async () => {
		for (const page of ['json-rpc', 'result-null', 'result-text']) {
			expect(await test({ instanceUrl: `${pagesUrl}/${page}`, ...BASIC })).toEqual({
				status: 'Error',
				message: expect.stringMatching(
					/^The address answered with JSON whose "result" is no list, so not from the Table API of a ServiceNow instance/,
				),
			});
		}
	});

	it('reports a redirect instead of following it', async () => {
		expect(await test({ instanceUrl: `${pagesUrl}/redirect`, ...BASIC })).toEqual({
			status: 'Error',
			message: expect.stringMatching(/^The instance redirected the request \(HTTP 302\)/),
		});
	});

	it('names a host that does not resolve when it asks for an OAuth2 token; with Basic, n8n reports the code alone', async () => {
		const oauth = {
			...BASIC,
			authType: 'oauth2ClientCredentials',
			clientId: 'client',
			clientSecret: 'secret',
		};
		expect(await test({ ...oauth, instanceUrl: 'https://dev12345.invalid' })).toEqual({
			status: 'Error',
			message:
				"The OAuth token request to https://dev12345.invalid/oauth_token.do failed: dev12345.invalid could not be found (no such host): check the instance name in the Instance URL (dev12345 stands for dev12345.service-now.com), or the spelling of the instance's own domain.",
		});
		// n8n's tester answers a request that got no answer with the error code only.
		expect(await test({ ...BASIC, instanceUrl: 'https://dev12345.invalid' })).toEqual({
			status: 'Error',
			message: 'ENOTFOUND',
		});
	});

	it('says what is wrong with an Instance URL it cannot use before asking anything', async () => {
		expect(await test({ ...BASIC, instanceUrl: 'ftp://dev12345.service-now.com' })).toEqual({
			status: 'Error',
			message: 'Instance URL must start with https:// or http:// (got "ftp:").',
		});
	});
});
