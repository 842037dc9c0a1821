import { ServiceNowPeEmulatorTrigger } from '../../../../nodes/ServiceNowPe/ServiceNowPeEmulatorTrigger.node';
import { forgetEmulator } from '../../../../nodes/ServiceNowPe/emulatorTrigger/live';
import { DOCUMENTED_ERRORS, PLATFORM_ERRORS } from '../../../../contract/errors';
import {
	ABEL,
	BETH,
	DOCUMENT_EXAMPLE_BODY,
	INTEGRATION_AUTH,
	basicAuth,
	send,
	toXml,
	xmlText,
} from '../../../helpers/http';
import { issueBody } from '../../../helpers/issues';
import { nodeTypesOf, outputOf, workflowNode } from '../../../helpers/n8n';
import { WebhookHost } from '../../../helpers/webhookHost';

const TYPE = 'n8n-nodes-servicenow-proactive-engagement.serviceNowPeEmulatorTrigger';
const WEBHOOK_ID = '0b5c1a4e-9f7e-4a51-a0a2-6d4c1e2f3a70';
const nodeTypes = nodeTypesOf({ [TYPE]: new ServiceNowPeEmulatorTrigger() });

const trigger = (parameters: Record<string, unknown> = {}) =>
	workflowNode(
		TYPE,
		'Emulator',
		{ path: 'servicenow-emulator', ...parameters },
		{ id: 'trigger-node-1', webhookId: WEBHOOK_ID },
	);

async function host(
	parameters: Record<string, unknown> = {},
	id = 'wf-' + Math.random().toString(36).slice(2),
) {
	const h = new WebhookHost({ id, nodes: [trigger(parameters)], connections: {} }, nodeTypes);
	await h.activate();
	await h.start();
	return h;
}

const BASE = '/webhook/servicenow-emulator';
const CREATE = `${BASE}/api/sn_pren/self_remediation/experience_issue/create`;
const valid = issueBody;
const post = (h: WebhookHost, body: unknown, headers: Record<string, string> = {}, path = CREATE) =>
	send(h.url + path, {
		method: 'POST',
		headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
		body: typeof body === 'string' ? body : JSON.stringify(body),
	});

let h: WebhookHost;
afterEach(async () => {
	await h?.stop();
});

describe('the emulator trigger answers as the instance would', () => {
	it("answers the document's cURL example with 200 on both paths and starts the workflow with the issue", async () => {
		h = await host();
		const res = await post(
			h,
			DOCUMENT_EXAMPLE_BODY,
			{ 'content-type': 'application/x-www-form-urlencoded' },
			`${BASE}/api/sn_srf/self_remediation/experience_issue/create`,
		);
		expect(res.status).toBe(200);
		expect(res.text).toBe('{"result":{"experience_id":"09ed4830f393739df33"}}');

		expect(h.executions).toHaveLength(1);
		const [accepted] = outputOf(h.executions[0], 'Emulator', 0);
		expect(outputOf(h.executions[0], 'Emulator', 1)).toEqual([]);
		expect(accepted.json).toMatchObject({
			experience_id: '09ed4830f393739df33',
			state: 'open',
			chained: false,
			issue_code: '100',
			user: { sys_id: ABEL.sys_id, user_name: 'abel.tuter', name: 'Abel Tuter' },
			request: { investigative_details: { 'cpu usage': '78%' } },
		});

		const second = await post(h, valid({ issue_code: '101' }));
		expect(second.status).toBe(200);
	});

	it.each(
		Object.values(DOCUMENTED_ERRORS).filter(
			(e) => !['BEING_RESOLVED', 'CHAIN_CONFLICT'].includes(e.code),
		),
	)('answers $code verbatim in JSON and XML and sends it to Rejected', async (entry) => {
		h = await host();
		const bodies: Record<string, Record<string, unknown>> = {
			ENDPOINT_MISSING: { issue_code: '100', provider: 'sn' },
			ISSUE_CODE_EMPTY: valid({ issue_code: '' }),
			PROVIDER_EMPTY: valid({ provider: '' }),
			ISSUE_CODE_OR_PROVIDER_UNKNOWN: valid({ issue_code: '999' }),
			NO_RESOLUTION: valid({ issue_code: '300' }),
			USER_NOT_RESOLVED: valid({ endpoint: { user_name: 'nobody' } }),
			CREATION_FAILED: valid({ investigative_details: 'cpu 78%' }),
		};
		const json = await post(h, bodies[entry.code]);
		expect(json.status).toBe(400);
		expect(json.json().error.message).toBe(entry.message);
		const xml = await post(h, toXml('request', bodies[entry.code]), {
			'content-type': 'application/xml',
			accept: 'application/xml',
		});
		expect(xml.status).toBe(400);
		expect(xmlText(xml.text, 'message')).toBe(entry.message);

		expect(h.executions).toHaveLength(2);
		for (const run of h.executions) {
			expect(outputOf(run, 'Emulator', 0)).toEqual([]);
			const [rejected] = outputOf(run, 'Emulator', 1);
			expect(rejected.json).toMatchObject({
				errorCode: entry.code,
				message: entry.message,
				httpStatus: 400,
				documented: true,
			});
			// The instance's explanation travels with the item, from JSON and XML answers alike.
			expect(rejected.json.detail).toBe(
				entry.code === 'CREATION_FAILED'
					? 'investigative_details must be an object of key/value pairs, e.g. {"cpu_usage": "…"}.'
					: entry.detail,
			);
		}
		expect(outputOf(h.executions[0], 'Emulator', 1)[0].json.request).toEqual(bodies[entry.code]);
	});

	it('refuses a second issue for the same user and code, and chains after a Table API state change', async () => {
		h = await host();
		expect((await post(h, valid({ experience_id: 'CH-1' }))).status).toBe(200);
		const busy = await post(h, valid({ endpoint: { CI: ABEL.ci } }));
		expect(busy.json().error.message).toBe(DOCUMENTED_ERRORS.BEING_RESOLVED.message);
		const conflict = await post(h, valid({ experience_id: 'CH-1', issue_code: '101' }));
		expect(conflict.json().error.message).toBe(DOCUMENTED_ERRORS.CHAIN_CONFLICT.message);

		const list = await send(
			`${h.url}${BASE}/api/now/table/sn_pren_experience_issue?sysparm_query=experience_id=CH-1`,
		);
		const sysId = list.json().result[0].sys_id;
		// n8n serves paths with a variable part under the node's webhook ID.
		const patched = await send(
			`${h.url}/webhook/${WEBHOOK_ID}/servicenow-emulator/api/now/table/sn_pren_experience_issue/${sysId}`,
			{
				method: 'PATCH',
				headers: { 'content-type': 'application/json' },
				body: '{"state":"action_wait"}',
			},
		);
		expect(patched.json().result.state).toBe('action_wait');
		const one = await send(
			`${h.url}/webhook/${WEBHOOK_ID}/servicenow-emulator/api/now/table/sn_pren_experience_issue/${sysId}?sysparm_fields=state`,
		);
		expect(one.json()).toEqual({ result: { state: 'action_wait' } });

		const chained = await post(h, valid({ experience_id: 'CH-1', issue_code: '101' }));
		expect(chained.json()).toEqual({ result: { experience_id: 'CH-1' } });
		const last = outputOf(h.executions.at(-1)!, 'Emulator', 0)[0].json;
		expect(last).toMatchObject({
			chained: true,
			issue_code: '101',
			issue_code_history: ['100', '101'],
			sys_id: sysId,
		});
		// Table API calls start no execution; creates do (accepted or rejected).
		expect(h.executions).toHaveLength(4);
	});

	it('keeps the one-issue rule under 20 simultaneous identical creates', async () => {
		h = await host();
		const answers = await Promise.all(
			Array.from({ length: 20 }, () => post(h, valid({ endpoint: { user_id: BETH.sys_id } }))),
		);
		expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
		expect(answers.filter((a) => a.status === 400)).toHaveLength(19);
		const rows = await send(`${h.url}${BASE}/api/now/table/sn_pren_experience_issue`);
		expect(rows.json().result).toHaveLength(1);
	});

	it("keeps issues in the workflow's static data: they survive a restart of n8n", async () => {
		const id = 'wf-persist';
		h = await host({}, id);
		expect((await post(h, valid({ experience_id: 'KEEP-1' }))).status).toBe(200);
		const stored = structuredClone(h.storedStaticData);
		expect(JSON.stringify(stored)).toContain('KEEP-1');
		await h.stop();

		forgetEmulator(''); // a new n8n process: nothing in memory
		h = new WebhookHost({ id, nodes: [trigger()], connections: {}, staticData: stored }, nodeTypes);
		await h.activate();
		await h.start();
		const again = await post(h, valid({ experience_id: 'KEEP-1', issue_code: '101' }));
		expect(again.json().error.message).toBe(DOCUMENTED_ERRORS.CHAIN_CONFLICT.message);
	});

	it('enforces Basic auth when set, and sends refused creates to Rejected', async () => {
		h = await host({ authentication: 'basic' });
		const none = await post(h, valid());
		expect(none.status).toBe(401);
		expect(none.json().error.message).toBe(PLATFORM_ERRORS.UNAUTHENTICATED.message);
		expect(outputOf(h.executions[0], 'Emulator', 1)[0].json).toMatchObject({
			errorCode: 'UNAUTHENTICATED',
			httpStatus: 401,
			documented: false,
		});
		const forbidden = await post(h, valid(), basicAuth('itil.user', 'itil'));
		expect(forbidden.status).toBe(403);
		const ok = await post(h, valid(), INTEGRATION_AUTH);
		expect(ok.status).toBe(200);
		expect((await send(`${h.url}${BASE}/api/now/table/sys_user`)).status).toBe(401);
	});

	it('enforces OAuth when set, with tokens from <prefix>/oauth_token.do', async () => {
		h = await host({ authentication: 'oauth' });
		const token = await send(`${h.url}${BASE}/oauth_token.do`, {
			method: 'POST',
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
			body: 'grant_type=password&client_id=pe-emulator-client&client_secret=pe-emulator-secret&username=pe.integration&password=integration',
		});
		expect(token.status).toBe(200);
		const { access_token } = token.json();
		expect((await post(h, valid(), { authorization: 'Bearer wrong' })).status).toBe(401);
		expect((await post(h, valid(), { authorization: `Bearer ${access_token}` })).status).toBe(200);
		// Token requests start no execution and never show secrets in an output.
		expect(JSON.stringify(h.executions.map((r) => r.data.resultData.runData))).not.toContain(
			access_token,
		);
	});

	it('answers create requests with a forced outcome for the chosen issue code', async () => {
		h = await host({
			forcedOutcomes: {
				rules: [
					{ issueCode: '101', outcome: 'CREATION_FAILED' },
					{ issueCode: '102', outcome: 'status:429' },
				],
			},
		});
		expect((await post(h, valid())).status).toBe(200);
		for (let i = 0; i < 2; i++) {
			const forced = await post(h, valid({ issue_code: '101' }));
			expect(forced.json().error.message).toBe(DOCUMENTED_ERRORS.CREATION_FAILED.message);
		}
		const limited = await post(h, valid({ issue_code: '102' }));
		expect(limited.status).toBe(429);
		expect(limited.headers['retry-after']).toBe('1');
	});

	it('starts new issues in the configured state, so a flow can chain at once', async () => {
		h = await host({ initialState: 'action_wait' });
		expect((await post(h, valid({ experience_id: 'AW-1' }))).status).toBe(200);
		expect((await post(h, valid({ experience_id: 'AW-1', issue_code: '101' }))).status).toBe(200);
	});

	it('uses a custom registry, and answers a broken one with a 500 that names the field', async () => {
		const seed = {
			providers: [{ provider_code: 'tanium', name: 'Tanium' }],
			issue_codes: [{ issue_code: 'T1', provider: 'tanium', deployed: true, resolution: 'Fix' }],
			users: [{ sys_id: 'u1', user_name: 'sam', email: 'sam@example.com', roles: [] }],
			cis: [],
		};
		h = await host({ registry: 'custom', registryJson: JSON.stringify(seed) });
		expect(
			(await post(h, { endpoint: { user_name: 'sam' }, issue_code: 'T1', provider: 'tanium' }))
				.status,
		).toBe(200);
		expect((await post(h, valid())).json().error.message).toBe(
			DOCUMENTED_ERRORS.ISSUE_CODE_OR_PROVIDER_UNKNOWN.message,
		);
		await h.stop();

		h = await host({
			registry: 'custom',
			registryJson: JSON.stringify({ ...seed, users: [{ user_name: 'sam' }] }),
		});
		const broken = await post(h, valid());
		expect(broken.status).toBe(500);
		expect(broken.json().error.detail).toBe(
			'Registry JSON: Invalid seed: users[0].sys_id must be a string (got nothing).',
		);
		expect(h.executions).toHaveLength(0);
	});

	it('plays the engagement of a scenario as the standalone emulator does: in progress, failed, fallback incident, kept across a restart', async () => {
		const id = 'wf-engagement';
		const seed = {
			providers: [{ provider_code: 'sn', name: 'ServiceNow' }],
			issue_codes: [
				{
					issue_code: 'FAIL',
					provider: 'sn',
					name: 'Disk cleanup',
					deployed: true,
					resolution: 'Clean',
					scenario: {
						engagement: 'silent',
						outcome: 'failed',
						fallback: 'incident',
						engage_after_seconds: 0,
						resolve_after_seconds: 1,
					},
				},
			],
			users: [{ sys_id: 'u1', user_name: 'sam', email: 'sam@example.com', roles: [] }],
			cis: [],
		};
		h = await host({ registry: 'custom', registryJson: JSON.stringify(seed) }, id);
		expect(
			(
				await post(h, {
					endpoint: { user_name: 'sam' },
					issue_code: 'FAIL',
					provider: 'sn',
					experience_id: 'ENG-1',
					investigative_details: { disk_free: '2%' },
				})
			).status,
		).toBe(200);
		const issue = async () =>
			(
				await send(
					`${h.url}${BASE}/api/now/table/sn_pren_experience_issue?sysparm_query=experience_id=ENG-1`,
				)
			).json().result[0];
		expect((await issue()).state).toBe('in_progress'); // engaged at once (0 s)
		await new Promise((r) => setTimeout(r, 1200)); // the resolution takes 1 s and fails
		const closed = await issue();
		expect(closed).toMatchObject({
			state: 'closed',
			end_reason: 'resolution_failed',
			fallback_result: 'incident_created',
		});
		const incidents = (
			await send(`${h.url}${BASE}/api/now/table/incident?sysparm_query=origin_id=${closed.sys_id}`)
		).json().result;
		expect(incidents).toHaveLength(1);
		// References as instances give them: {link, value}.
		expect(incidents[0]).toMatchObject({
			sys_id: closed.fallback_incident.value,
			caller_id: { value: 'u1', link: expect.stringMatching(/\/api\/now\/table\/sys_user\/u1$/) },
			origin_table: 'sn_pren_experience_issue',
		});
		expect(incidents[0].description).toContain('disk_free: 2%');

		const stored = structuredClone(h.storedStaticData);
		await h.stop();
		forgetEmulator('');
		h = new WebhookHost(
			{
				id,
				nodes: [trigger({ registry: 'custom', registryJson: JSON.stringify(seed) })],
				connections: {},
				staticData: stored,
			},
			nodeTypes,
		);
		await h.activate();
		await h.start();
		expect(await issue()).toMatchObject({
			state: 'closed',
			end_reason: 'resolution_failed',
			fallback_incident: { value: incidents[0].sys_id },
		});
		expect((await send(`${h.url}${BASE}/api/now/table/incident`)).json().result).toHaveLength(1);
	});

	it('serves under a custom prefix and answers experienceId when so set', async () => {
		h = await host({ path: '/my/instance/', settings: { responseIdKey: 'experienceId' } });
		const res = await post(
			h,
			valid({ experience_id: 'E-1' }),
			{},
			'/webhook/my/instance/api/sn_pren/self_remediation/experience_issue/create',
		);
		expect(res.json()).toEqual({ result: { experienceId: 'E-1' } });
	});
});
