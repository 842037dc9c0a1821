import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DOCUMENTED_ERRORS } from '../../../../contract/errors';
import { defaultSeed } from '../../../../emulator/core';
import { startEmulator, type RunningEmulator } from '../../../../emulator/server';
import { ABEL, BETH } from '../../../helpers/http';
import { CredentialStore } from '../../../helpers/n8n';
import { BASIC, CREDENTIAL_TYPES, routed, runAction } from '../../../helpers/action';

let sn: RunningEmulator;
beforeAll(async () => {
	sn = await startEmulator({ port: 0, auth: 'basic' });
});
afterAll(() => sn.close());
beforeEach(() => sn.reset());

const DAVID = '46d44a23a9fe19810012d100cca80667';
type RunOptions = Parameters<typeof runAction>[0];

/** One input item per documented error (in branch order), plus a created one first. */
const ALL_OUTCOMES = [
	{ user_id: ABEL.sys_id, code: '100', experience_id: 'EXP-A', cpu: '78%' }, // 0 Created
	{ code: '100' }, // 1 Missing Endpoint (not sent)
	{ user_name: 'abel.tuter', code: '' }, // 2 Invalid Issue Code (not sent)
	{ user_name: 'abel.tuter', code: '100', provider: '' }, // 3 Invalid Provider (not sent)
	{ user_name: 'abel.tuter', code: '999' }, // 4 Unknown Issue Code or Provider
	{ user_name: 'abel.tuter', code: '300' }, // 5 No Resolution
	{ user_name: 'nobody', code: '100' }, // 6 Unknown User
	{ ci: ABEL.ci, code: '100' }, // 7 Already Being Resolved (Abel, via his CI)
	{ user_id: BETH.sys_id, code: '101', experience_id: 'EXP-A' }, // 8 Chain Conflict
	{ user_id: DAVID, code: '102' }, // 9 Creation Failed (forced)
];

const MODES = [
	['json', 'perItem'],
	['xml', 'perItem'],
	['json', 'batch'],
	['xml', 'batch'],
] as const;

describe.each(MODES)(
	'every documented error lands on its branch (%s requests, send mode %s)',
	(format, sendMode) => {
		beforeEach(() => {
			sn.injectFault({ error: 'CREATION_FAILED', match: { route: 'create', issue_code: '102' } });
		});
		/** Every outcome through the node, one request at a time, in this block's format and send mode. */
		const runAll = (routing: RunOptions['routing'], onError: RunOptions['onError']) =>
			runAction({
				items: ALL_OUTCOMES,
				credentials: BASIC(sn.url),
				routing,
				parameters: { options: { requestFormat: format, concurrency: 1, sendMode } },
				onError,
			});

		it('Output per Documented Error: one output each, in order', async () => {
			const { outputs, error } = await runAll('perError', 'continueRegularOutput');
			expect(error).toBeUndefined();
			expect(routed(outputs)).toEqual({
				Created: [0],
				'Missing Endpoint': [1],
				'Invalid Issue Code': [2],
				'Invalid Provider': [3],
				'Unknown Issue Code or Provider': [4],
				'No Resolution': [5],
				'Unknown User': [6],
				'Already Being Resolved': [7],
				'Chain Conflict': [8],
				'Creation Failed': [9],
			});
			expect(outputs.Created[0].json).toMatchObject({
				outcome: 'created',
				experience_id: 'EXP-A',
				httpStatus: 200,
				attempts: 1,
				request: {
					endpoint: { user_id: ABEL.sys_id },
					issue_code: '100',
					provider: 'sn',
					experience_id: 'EXP-A',
					investigative_details: { cpu_usage: '78%' },
				},
				input: ALL_OUTCOMES[0],
			});
			// Each routed error carries the catalogue code, the instance's words, status, request and input.
			expect(outputs['Unknown User'][0].json).toMatchObject({
				outcome: 'error',
				errorCode: 'USER_NOT_RESOLVED',
				message: DOCUMENTED_ERRORS.USER_NOT_RESOLVED.message,
				detail: DOCUMENTED_ERRORS.USER_NOT_RESOLVED.detail,
				httpStatus: 400,
				sent: true,
				input: ALL_OUTCOMES[6],
			});
			expect(outputs['Missing Endpoint'][0].json).toMatchObject({
				errorCode: 'ENDPOINT_MISSING',
				sent: false,
				field: 'endpoint',
			});
			// What reached the emulator: the 7 sendable items, in the chosen format.
			const creates = sn.journal().filter((e) => e.route === 'create');
			expect(creates).toHaveLength(7);
			expect(creates.every((e) => e.headers['content-type'] === `application/${format}`)).toBe(
				true,
			);
			// Batch API: the 7 creates travelled in one request, each answered on its own.
			expect(sn.journal().filter((e) => e.route === 'batch')).toHaveLength(
				sendMode === 'batch' ? 1 : 0,
			);
			expect(outputs.Created[0].json.sentInBatch).toBe(sendMode === 'batch' ? true : undefined);
		});

		it('Grouped: Created / Already Being Resolved / Fix Input / Failed', async () => {
			const { outputs } = await runAll('grouped', 'continueRegularOutput');
			expect(routed(outputs)).toEqual({
				Created: [0],
				'Already Being Resolved': [7],
				'Fix Input': [1, 2, 3, 4, 5, 6],
				Failed: [8, 9],
			});
		});

		it("Single output: errors go to n8n's error output when the node continues on error", async () => {
			const { outputs } = await runAll('single', 'continueErrorOutput');
			expect(routed(outputs)).toEqual({ Created: [0], Error: [1, 2, 3, 4, 5, 6, 7, 8, 9] });
			expect(outputs.Error[5].json.error).toBe(DOCUMENTED_ERRORS.USER_NOT_RESOLVED.message);
		});
	},
);

describe('failures the document does not list go to Other with the raw answer', () => {
	it('routes 401, an unknown resource and an unreachable instance to Other', async () => {
		const wrong = await runAction({
			items: [{ user_id: ABEL.sys_id, code: '100' }],
			credentials: BASIC(sn.url, 'pe.integration', 'wrong'),
		});
		expect(wrong.outputs.Other[0].json).toMatchObject({
			errorCode: 'UNAUTHENTICATED',
			httpStatus: 401,
			message: 'User Not Authenticated',
		});
		expect(wrong.outputs.Other[0].json.response).toContain('User Not Authenticated');

		const path = await runAction({
			items: [{ user_id: ABEL.sys_id, code: '100' }],
			credentials: BASIC(`${sn.url}/not-here`),
		});
		expect(path.outputs.Other[0].json).toMatchObject({
			errorCode: 'UNKNOWN_RESOURCE',
			httpStatus: 400,
		});

		const closed = await startEmulator({ port: 0 });
		const deadUrl = closed.url;
		await closed.close();
		const dead = await runAction({
			items: [{ user_id: ABEL.sys_id, code: '100' }],
			credentials: BASIC(deadUrl),
			parameters: { options: { maxAttempts: 2, retryBaseDelayMs: 10 } },
		});
		expect(dead.outputs.Other[0].json).toMatchObject({
			errorCode: 'NETWORK_ERROR',
			httpStatus: 0,
			attempts: 2,
		});
		expect(String(dead.outputs.Other[0].json.detail)).toMatch(/ECONNREFUSED/);
	});

	it('answers a redirect instead of following it: Other, with where it pointed; nothing resent', async () => {
		const target = `${sn.url}/api/sn_pren/self_remediation/experience_issue/create`;
		const seen: Array<string | undefined> = [];
		const redirector = createServer((req, res) => {
			seen.push(req.headers.authorization);
			req.resume();
			res.writeHead(302, { location: target, 'content-type': 'text/html' });
			res.end('<html>moved</html>');
		});
		await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve));
		try {
			const { port } = redirector.address() as AddressInfo;
			const { outputs } = await runAction({
				items: [{ user_id: ABEL.sys_id, code: '100' }],
				credentials: BASIC(`http://127.0.0.1:${port}`),
			});
			expect(outputs.Other[0].json).toMatchObject({
				errorCode: 'UNRECOGNISED_ANSWER',
				httpStatus: 302,
				message: 'The instance redirected the request (HTTP 302)',
			});
			expect(String(outputs.Other[0].json.detail)).toContain(`To ${target}.`);
			expect(seen).toHaveLength(1);
			expect(sn.journal()).toEqual([]);
			expect(sn.issues()).toEqual([]);
		} finally {
			await new Promise((resolve) => redirector.close(resolve));
		}
	});

	it('sends an unknown 400 message to Other instead of dropping it', async () => {
		sn.injectFault({ status: 500 });
		const { outputs } = await runAction({
			items: [{ user_id: ABEL.sys_id, code: '100' }],
			credentials: BASIC(sn.url),
			parameters: { options: { maxAttempts: 1 } },
		});
		expect(outputs.Other[0].json).toMatchObject({ errorCode: 'SERVER_ERROR', httpStatus: 500 });
	});
});

describe('bad items', () => {
	it('fail the node with a message naming the item and the field, sending nothing', async () => {
		const { error, run } = await runAction({
			items: [{ user_id: ABEL.sys_id, code: '100' }, { code: '100' }],
			credentials: BASIC(sn.url),
			parameters: { options: { concurrency: 1 } },
		});
		expect(error).toBe(
			'No endpoint field is set: give at least one of Endpoint CI (sys_id), Email, User ID (sys_id) or User Name.',
		);
		const nodeError = run.data.resultData.error as unknown as {
			context?: { itemIndex?: number };
			description?: string;
		};
		expect(nodeError.context?.itemIndex).toBe(1);
		expect(nodeError.description).toMatch(/^Item 2 cannot be sent; nothing was sent\./);
		// Checked before anything leaves: the good item before it was not sent either.
		expect(sn.journal().filter((e) => e.route === 'create')).toEqual([]);
	});

	it("fail the node in single-output mode with the instance's message", async () => {
		const { error, run } = await runAction({
			items: [{ user_name: 'nobody', code: '100' }],
			credentials: BASIC(sn.url),
			routing: 'single',
		});
		expect(error).toBe(
			`ServiceNow refused the experience issue: ${DOCUMENTED_ERRORS.USER_NOT_RESOLVED.message}`,
		);
		expect((run.data.resultData.error as unknown as { description?: string }).description).toMatch(
			/USER_NOT_RESOLVED, HTTP 400/,
		);
	});

	it('take the Instance URL as people type it, and name what is wrong with one it cannot use', async () => {
		// Without its scheme, a local emulator is http:// (an instance name would be https://<name>.service-now.com).
		const typed = await runAction({
			items: [{ user_id: ABEL.sys_id, code: '100' }],
			credentials: BASIC(sn.url.replace('http://', '')),
		});
		expect(routed(typed.outputs)).toEqual({ Created: [0] });
		const { error } = await runAction({
			items: [{ user_id: ABEL.sys_id, code: '100' }],
			credentials: BASIC(`ftp://${sn.url.replace('http://', '')}`),
		});
		expect(error).toBe('Instance URL must start with https:// or http:// (got "ftp:").');
	});
});

describe('Chain without a readable issue or endpoint, and a refused connection', () => {
	it('Chain whose state check cannot read the issue says so (not "no endpoint"), and sends nothing', async () => {
		await runAction({
			items: [{ user_id: ABEL.sys_id, code: '100', experience_id: 'READ-1' }],
			credentials: BASIC(sn.url),
		});
		sn.emulator.setIssueState('READ-1', 'action_wait');
		sn.injectFault({ status: 403, count: 0, match: { route: 'table' } });
		const { outputs, error } = await runAction({
			items: [{ experience_id: 'READ-1', code: '101' }],
			credentials: BASIC(sn.url),
			parameters: {
				operation: 'chain',
				experienceId: '={{ $json.experience_id }}',
				issueCode: '={{ $json.code }}',
				endpointUserId: '',
				endpointUserName: '',
				endpointCi: '',
			},
		});
		expect(error).toBeUndefined();
		expect(routed(outputs)).toEqual({ Other: [0] });
		expect(outputs.Other[0].json).toMatchObject({
			errorCode: 'FORBIDDEN',
			sent: false,
			message: 'Reading the issue before chaining failed (HTTP 403).',
		});
		expect(String(outputs.Other[0].json.detail)).toContain(
			'read access to sn_pren_experience_issue',
		);
		expect(sn.journal().filter((e) => e.route === 'create')).toHaveLength(1);
	});

	it("Chain without an endpoint sends the issue's own user, also from an instance that gives references as {link, value} regardless", async () => {
		// In front of the emulator, a proxy that drops sysparm_exclude_reference_link: the emulator then
		// answers references as instances do by default.
		const proxy = createServer((req, res) => {
			const chunks: Buffer[] = [];
			req.on('data', (c: Buffer) => chunks.push(c));
			req.on('end', async () => {
				const url = (req.url ?? '/').replace(/[?&]sysparm_exclude_reference_link=true/, (m) =>
					m.startsWith('?') ? '?' : '',
				);
				const answer = await fetch(sn.url + url, {
					method: req.method,
					headers: req.headers as Record<string, string>,
					body: req.method === 'GET' ? undefined : Buffer.concat(chunks),
				});
				res.writeHead(answer.status, {
					'content-type': answer.headers.get('content-type') ?? 'application/json',
				});
				res.end(await answer.text());
			});
		});
		await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
		try {
			const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
			await runAction({
				items: [{ user_id: ABEL.sys_id, code: '102', experience_id: 'LINK-1' }],
				credentials: BASIC(url),
			});
			sn.emulator.setIssueState('LINK-1', 'action_wait');
			const raw = await fetch(
				`${url}/api/now/table/sn_pren_experience_issue?sysparm_query=experience_id=LINK-1&sysparm_exclude_reference_link=true`,
				{
					headers: {
						authorization: `Basic ${Buffer.from('pe.integration:integration').toString('base64')}`,
					},
				},
			);
			expect(
				((await raw.json()) as { result: Array<{ user: unknown }> }).result[0].user,
			).toMatchObject({ value: ABEL.sys_id });
			const chained = await runAction({
				items: [{ experience_id: 'LINK-1', code: '103' }],
				credentials: BASIC(url),
				parameters: {
					operation: 'chain',
					experienceId: '={{ $json.experience_id }}',
					issueCode: '={{ $json.code }}',
					endpointUserId: '',
					endpointUserName: '',
					endpointCi: '',
				},
			});
			expect(chained.error).toBeUndefined();
			expect(routed(chained.outputs)).toEqual({ Chained: [0] });
			expect(chained.outputs.Chained[0].json.request).toMatchObject({
				endpoint: { user_id: ABEL.sys_id },
			});
		} finally {
			proxy.close();
		}
	});

	it('does not say an issue may have been created when the connection was refused (nothing arrived)', async () => {
		const { outputs } = await runAction({
			items: [{ user_id: ABEL.sys_id, code: '100', experience_id: 'REFUSED-1' }],
			credentials: BASIC('http://127.0.0.1:1'),
			parameters: { options: { maxAttempts: 2, retryBaseDelayMs: 10 } },
		});
		expect(routed(outputs)).toEqual({ Other: [0] });
		expect(outputs.Other[0].json).toMatchObject({ errorCode: 'NETWORK_ERROR', attempts: 2 });
		expect(outputs.Other[0].json.mayHaveBeenCreated).toBeUndefined();
	});
});

describe('retries', () => {
	it('waits out 429 with Retry-After and retries 500/503: every item ends in one output, no duplicate issue', async () => {
		sn.injectFault({ status: 429, retryAfter: 1, count: 2, match: { route: 'create' } });
		sn.injectFault({ status: 503, retryAfter: 0, count: 1, match: { route: 'create' } });
		sn.injectFault({ status: 500, count: 1, match: { route: 'create' } });
		const items = [ABEL.sys_id, BETH.sys_id, DAVID].map((user_id) => ({ user_id, code: '100' }));
		const started = Date.now();
		const { outputs } = await runAction({
			items,
			credentials: BASIC(sn.url),
			parameters: { options: { concurrency: 2, maxAttempts: 5, retryBaseDelayMs: 20 } },
		});
		expect(Date.now() - started).toBeGreaterThanOrEqual(1000); // Retry-After: 1
		expect(routed(outputs)).toEqual({ Created: [0, 1, 2] });
		const attempts = outputs.Created.map((i) => Number(i.json.attempts));
		expect(attempts.reduce((a, b) => a + b)).toBe(7); // 4 failed answers spread over the items, 3 successes
		expect(sn.issues()).toHaveLength(3);
		const statuses = sn
			.journal()
			.filter((e) => e.route === 'create')
			.map((e) => e.status);
		expect([...statuses].sort()).toEqual([200, 200, 200, 429, 429, 500, 503]);
	});

	it('finds the issue a lost answer created instead of resending: by experience_id, or by user, code and time', async () => {
		for (const item of [
			{ user_id: ABEL.sys_id, code: '100', experience_id: 'LOST-1' },
			{ user_id: BETH.sys_id, code: '100' },
		]) {
			sn.reset();
			sn.injectFault({ drop: 'after', count: 1, match: { route: 'create' } });
			const { outputs } = await runAction({
				items: [item],
				credentials: BASIC(sn.url),
				parameters: { options: { retryBaseDelayMs: 10 } },
			});
			expect(routed(outputs)).toEqual({ Created: [0] });
			const [issue] = sn.issues();
			expect(outputs.Created[0].json).toMatchObject({
				experience_id: issue.experience_id,
				recoveredAfterRetry: true,
				attempts: 1,
			});
			expect(outputs.Created[0].json.mayHaveBeenCreated).toBeUndefined();
			expect(sn.issues()).toHaveLength(1);
			expect(sn.journal().filter((e) => e.route === 'create')).toHaveLength(1);
		}
	});

	it('flags an item when it cannot tell whether a lost answer created the issue (the issue table cannot be read)', async () => {
		sn.injectFault({ drop: 'after', count: 1, match: { route: 'create' } });
		sn.injectFault({ status: 403, count: 0, match: { route: 'table' } });
		const { outputs } = await runAction({
			items: [{ user_id: ABEL.sys_id, code: '100' }],
			credentials: BASIC(sn.url),
			parameters: { options: { retryBaseDelayMs: 10 } },
		});
		expect(routed(outputs)).toEqual({ 'Already Being Resolved': [0] });
		expect(outputs['Already Being Resolved'][0].json).toMatchObject({
			mayHaveBeenCreated: true,
			attempts: 2,
		});
		expect(sn.issues()).toHaveLength(1);
		sn.emulator.clearFaults();
	});

	it('gives up after the attempts allowed and routes the last answer', async () => {
		sn.injectFault({ status: 503, retryAfter: 0, count: 5, match: { route: 'create' } });
		const { outputs } = await runAction({
			items: [{ user_id: ABEL.sys_id, code: '100' }],
			credentials: BASIC(sn.url),
			parameters: { options: { maxAttempts: 3, retryBaseDelayMs: 5 } },
		});
		expect(outputs.Other[0].json).toMatchObject({
			errorCode: 'SERVICE_UNAVAILABLE',
			httpStatus: 503,
			attempts: 3,
		});
	});
});

describe('concurrency', () => {
	it('sends items in parallel and keeps output order and pairedItem', async () => {
		const users = [
			'6816f79cc0a8016401c5a33be04be441',
			'a8f98bb0eb32010045e1a5115206fe3a',
			'46d44a23a9fe19810012d100cca80666',
			ABEL.sys_id,
			BETH.sys_id,
			DAVID,
		];
		const items = users.flatMap((user_id, u) =>
			['100', '101', '102'].map((code) => ({ user_id, code, experience_id: `PAR-${u}-${code}` })),
		);
		// The first items answer late, so later ones finish first.
		sn.injectFault({ delayMs: 300, count: 3, match: { route: 'create' } });
		const { outputs } = await runAction({
			items,
			credentials: BASIC(sn.url),
			parameters: { options: { concurrency: 6 } },
		});
		expect(routed(outputs)).toEqual({ Created: items.map((_, i) => i) });
		expect(outputs.Created.map((o) => o.json.experience_id)).toEqual(
			items.map((i) => i.experience_id),
		);
		// While the first three answers were held back, the other slots went on sending.
		const received = sn
			.journal()
			.filter((e) => e.route === 'create')
			.map((e) => Date.parse(e.time));
		expect(received.filter((t) => t - received[0] < 250).length).toBeGreaterThanOrEqual(6);
	});
});

describe('credentials', () => {
	let oauth: RunningEmulator;
	beforeAll(async () => {
		oauth = await startEmulator({ port: 0, auth: 'oauth' });
	});
	afterAll(() => oauth.close());

	const grants = {
		password: { authType: 'oauth2Password', username: 'pe.integration', password: 'integration' },
		clientCredentials: { authType: 'oauth2ClientCredentials' },
	};

	it.each(Object.entries(grants))(
		'OAuth2 %s grant: fetches a token, and refreshes it when it expired',
		async (_name, grant) => {
			oauth.reset();
			const store = new CredentialStore(
				{
					serviceNowPeApi: {
						instanceUrl: `${oauth.url}/`,
						clientId: 'pe-emulator-client',
						clientSecret: 'pe-emulator-secret',
						accessToken: '',
						refreshToken: '',
						...grant,
					},
				},
				CREDENTIAL_TYPES,
			);
			const first = await runAction({
				items: [{ user_id: ABEL.sys_id, code: '100' }],
				credentials: store,
			});
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
			expect(
				oauth
					.journal()
					.filter((e) => e.route === 'create')
					.map((e) => e.status),
			).toEqual([200, 200, 401, 200]);
		},
	);

	const tokenStore = () =>
		new CredentialStore(
			{
				serviceNowPeApi: {
					instanceUrl: oauth.url,
					clientId: 'pe-emulator-client',
					clientSecret: 'pe-emulator-secret',
					accessToken: '',
					refreshToken: '',
					...grants.clientCredentials,
				},
			},
			CREDENTIAL_TYPES,
		);

	it('asks the token route again after a 503 or a lost answer, and gets the token', async () => {
		oauth.reset();
		oauth.injectFault({ status: 503, count: 1, match: { route: 'token' } });
		oauth.injectFault({ drop: 'before', count: 1, match: { route: 'token' } });
		const run = await runAction({
			items: [{ user_id: ABEL.sys_id, code: '100' }],
			credentials: tokenStore(),
		});
		expect(routed(run.outputs)).toEqual({ Created: [0] });
		expect(
			oauth
				.journal()
				.filter((e) => e.route === 'token')
				.map((e) => e.status),
		).toEqual([503, 0, 200]); // 0: the connection dropped
	});

	it("says the instance's own words when the token route keeps failing, never [object Object]", async () => {
		oauth.reset();
		oauth.injectFault({ status: 500, count: 0, match: { route: 'token' } });
		const run = await runAction({
			items: [{ user_id: ABEL.sys_id, code: '100' }],
			credentials: tokenStore(),
		});
		expect(run.error).toMatch(
			/^ServiceNow refused the OAuth token request \(HTTP 500: Internal Server Error/,
		);
		expect(run.error).toContain('try again later');
		expect(run.error).not.toContain('[object Object]');
		expect(run.error).not.toContain('pe-emulator-secret');
		expect(oauth.journal().filter((e) => e.route === 'token')).toHaveLength(3);
	});

	it('OAuth2 authorization code credential: uses the token n8n holds and refreshes it on 401', async () => {
		oauth.reset();
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
		const first = await runAction({
			items: [{ user_id: ABEL.sys_id, code: '100' }],
			credentials: store,
			parameters,
		});
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
		const sealed = await startEmulator({ port: 0, auth: 'oauth', seed });
		try {
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
			const bad = await runAction({
				items: [{ user_id: ABEL.sys_id, code: '100' }],
				credentials: new CredentialStore(
					{ serviceNowPeApi: { ...credentials, password: secrets.wrong } },
					CREDENTIAL_TYPES,
				),
			});
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
		} finally {
			await sealed.close();
		}
	});
});
