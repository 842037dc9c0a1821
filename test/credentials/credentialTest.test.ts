/**
 * What the credential says when a request gets no answer. The credential test as users run it (in
 * a real n8n, against the emulator, n8n's editor, a sign-in page, JSON without "result", a host
 * that does not resolve) is test/e2e/credentialTest.e2e.test.ts.
 */
import { NodeApiError, type JsonObject } from 'n8n-workflow';
import { networkErrorMessage } from '../../credentials/instance';
import { CREDENTIAL_TYPES, runAction } from '../helpers/action';
import { CredentialStore, workflowNode } from '../helpers/n8n';

const NODE = workflowNode('serviceNowPe', 'PE');

function failure(code: string, message = `request failed: ${code}`): Error {
	return Object.assign(new Error(message), { code });
}

describe('a request that got no answer', () => {
	it.each([
		[
			'ENOTFOUND',
			'https://dev12345.service-now.com/oauth_token.do',
			/^dev12345\.service-now\.com could not be found \(no such host\): check the instance name in the Instance URL/,
		],
		[
			'EAI_AGAIN',
			'https://dev12345.service-now.com/x',
			/^dev12345\.service-now\.com could not be looked up now/,
		],
		[
			'ECONNREFUSED',
			'http://127.0.0.1:8787/x',
			/^127\.0\.0\.1 refused the connection on port 8787: check the Instance URL and its port/,
		],
		[
			'ECONNRESET',
			'https://acme.example.org/x',
			/^acme\.example\.org closed the connection on port 443/,
		],
		[
			'ETIMEDOUT',
			'https://acme.example.org:8443/x',
			/^No answer from acme\.example\.org on port 8443 in time/,
		],
		[
			'EHOSTUNREACH',
			'https://acme.example.org/x',
			/^acme\.example\.org cannot be reached from this n8n/,
		],
		[
			'CERT_HAS_EXPIRED',
			'https://acme.example.org/x',
			/^The certificate of acme\.example\.org is not trusted \(CERT_HAS_EXPIRED\).*Ignore SSL Issues/,
		],
		[
			'EPROTO',
			'https://127.0.0.1:8787/x',
			/^127\.0\.0\.1 did not answer https on port 8787 \(EPROTO\): a local emulator speaks http/,
		],
		[
			'EWHATEVER',
			'https://acme.example.org/x',
			/^No answer from acme\.example\.org on port 443: check the Instance URL/,
		],
	])('%s names the host it tried, in words n8n keeps as they are', (code, url, expected) => {
		// Found on the error or on its cause, as n8n's request helpers throw them.
		const message = networkErrorMessage(new Error('request failed', { cause: failure(code) }), url);
		expect(message).toMatch(expected);
		// n8n replaces a message that contains one of the codes it knows with a sentence of its own,
		// without the host: this one reaches the user as written.
		// (n8n-core wraps the error a credential throws as it is.)
		expect(new NodeApiError(NODE, new Error(message) as unknown as JsonObject).message).toBe(
			message,
		);
	});
});

describe('the OAuth2 token request (password and client credentials grants)', () => {
	const oauthAt = (instanceUrl: string) =>
		new CredentialStore(
			{
				serviceNowPeApi: {
					instanceUrl,
					authType: 'oauth2ClientCredentials',
					clientId: 'client',
					clientSecret: 'secret',
					accessToken: '',
					refreshToken: '',
				},
			} as never,
			CREDENTIAL_TYPES,
		);

	it.each([
		[
			'does not resolve',
			'https://dev12345.invalid',
			"The OAuth token request to https://dev12345.invalid/oauth_token.do failed: dev12345.invalid could not be found (no such host): check the instance name in the Instance URL (dev12345 stands for dev12345.service-now.com), or the spelling of the instance's own domain.",
		],
		[
			'refuses the connection',
			'http://127.0.0.1:1',
			'The OAuth token request to http://127.0.0.1:1/oauth_token.do failed: 127.0.0.1 refused the connection on port 1: check the Instance URL and its port, and that the instance (or the emulator) is running.',
		],
	])('names a host that %s, without asking again', async (_what, instanceUrl, expected) => {
		const started = Date.now();
		const { error } = await runAction({
			items: [{ user_id: 'u', code: '100' }],
			credentials: oauthAt(instanceUrl),
		});
		expect(error).toBe(expected);
		// Asking again waits 1 s, then 2 s: such a host is not asked again.
		expect(Date.now() - started).toBeLessThan(2500);
	});
});
