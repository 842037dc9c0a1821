import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BRANCH_ORDER, DOCUMENTED_ERRORS } from '../../contract/errors';
import { defaultSeed } from '../../emulator/core';
import { startEmulator, type RunningEmulator } from '../../emulator/server';
import { DOCUMENT_EXAMPLE_BODY } from '../helpers/http';
import {
	ROOT,
	emulatorCredential,
	example,
	executionsOf,
	importAll,
	login,
	ownerEnv,
	post,
	rt,
	runChainExample,
	startRealN8n,
	stopRealN8n,
	waitForWebhook,
	type RealN8n,
} from './helpers';

const PACKAGE = 'n8n-nodes-servicenow-proactive-engagement';

/** The demo alert with the fields that decide the outcome replaced. */
function alert(labels: Record<string, string>): string {
	const base = example('alertmanager-alert.json') as any;
	base.commonLabels = { ...base.commonLabels, ...labels };
	if (!labels.ci_sys_id) delete base.commonLabels.ci_sys_id;
	return JSON.stringify(base);
}

/** A webhook (POST /webhook/<path>) feeding one action node: ids `<id>1` and `<id>2`. */
function webhookToAction(w: {
	name: string;
	id: string;
	webhookId: string;
	path: string;
	responseMode: string;
	webhook: string;
	action: string;
	parameters: Record<string, unknown>;
	credential: { id: string; name: string };
}) {
	return {
		name: w.name,
		nodes: [
			{
				id: `${w.id}1`,
				name: w.webhook,
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: w.webhookId,
				parameters: { httpMethod: 'POST', path: w.path, responseMode: w.responseMode, options: {} },
			},
			{
				id: `${w.id}2`,
				name: w.action,
				type: `${PACKAGE}.serviceNowPe`,
				typeVersion: 1,
				position: [300, 0],
				parameters: w.parameters,
				credentials: { serviceNowPeApi: w.credential },
			},
		],
		connections: { [w.webhook]: { main: [[{ node: w.action, type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
}

const SELF_WORKFLOW = webhookToAction({
	name: 'Action node against the emulator trigger of the same n8n',
	id: 'a',
	webhook: 'Self Webhook',
	webhookId: '3c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c401',
	path: 'self-test',
	responseMode: 'lastNode',
	action: 'Create Through Trigger',
	parameters: {
		endpointUserName: '={{ $json.body.user }}',
		issueCode: '={{ $json.body.code }}',
		provider: 'sn',
		experienceId: '={{ $json.body.experience_id }}',
		options: {},
	},
	credential: { id: 'snPeTriggerCred', name: 'ServiceNow PE (trigger)' },
});

/** The action node against an address where nothing listens: the item ends on Other, the node does not fail. */
const REFUSED_WORKFLOW = webhookToAction({
	name: 'Action node against a refused connection',
	id: 'r',
	webhook: 'Refused Webhook',
	webhookId: '3c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c402',
	path: 'refused-test',
	responseMode: 'onReceived',
	action: 'Create Against Nothing',
	parameters: {
		endpointUserName: 'abel.tuter',
		issueCode: '100',
		provider: 'sn',
		options: { maxAttempts: 1 },
	},
	credential: { id: 'snPeRefusedCred', name: 'ServiceNow PE (nothing listens)' },
});

/**
 * AWS CloudWatch alarms through an SNS HTTPS subscription: SNS posts `text/plain`, which n8n's
 * Webhook node hands on as text in `body`.
 */
const SNS_WORKFLOW = webhookToAction({
	name: 'AWS CloudWatch through SNS',
	id: 's',
	webhook: 'SNS Webhook',
	webhookId: '3c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c403',
	path: 'cloudwatch-sns',
	responseMode: 'onReceived',
	action: 'CloudWatch Alarm',
	parameters: {
		source: 'cloudwatch',
		provider: 'sn',
		defaultIssueCode: '100',
		resolveCiFromHost: true,
		options: {},
	},
	credential: { id: 'snPeEmulatorCred', name: 'ServiceNow PE (standalone emulator)' },
});

/** Check Setup, an admin's first run, against the standalone emulator. */
const CHECK_SETUP_WORKFLOW = webhookToAction({
	name: 'Check Setup',
	id: 'c',
	webhook: 'Check Webhook',
	webhookId: '3c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c404',
	path: 'check-setup',
	responseMode: 'onReceived',
	action: 'Check Setup',
	parameters: {
		operation: 'checkSetup',
		checkFor: { issueCode: '={{ $json.body.issue_code }}', userName: 'abel.tuter' },
		options: {},
	},
	credential: { id: 'snPeEmulatorCred', name: 'ServiceNow PE (standalone emulator)' },
});

/** A sample of test/fixtures/vendors, as text. */
const vendorSample = (path: string) =>
	readFileSync(join(ROOT, 'test', 'fixtures', 'vendors', path), 'utf8');

/** CIs for the hosts of the vendor sample the preset example is fed. */
const VENDOR_HOSTS = {
	example2: 'e2e0000000000000000000000000e002',
	example3: 'e2e0000000000000000000000000e003',
	'i-0f672ea50a80cda4b': 'e2e0000000000000000000000000e004',
};

describe('the package inside a real n8n', () => {
	let sn: RunningEmulator;
	let n8n: RealN8n;

	beforeAll(async () => {
		const seed = defaultSeed();
		seed.cis.push(
			{ sys_id: VENDOR_HOSTS.example2, name: 'example2', assigned_to: seed.users[4].sys_id },
			{ sys_id: VENDOR_HOSTS.example3, name: 'example3', assigned_to: seed.users[5].sys_id },
			{
				sys_id: VENDOR_HOSTS['i-0f672ea50a80cda4b'],
				name: 'i-0f672ea50a80cda4b',
				assigned_to: seed.users[4].sys_id,
			},
		);
		sn = await startEmulator({ port: 0, seed });
		n8n = await startRealN8n({
			extraEnv: ownerEnv(),
			prepare: (folder, n8nBase) =>
				importAll(
					folder,
					[
						emulatorCredential('snPeEmulatorCred', 'ServiceNow PE (standalone emulator)', sn.url),
						emulatorCredential(
							'snPeTriggerCred',
							'ServiceNow PE (trigger)',
							`${n8nBase}/webhook/servicenow-emulator`,
						),
						emulatorCredential(
							'snPeRefusedCred',
							'ServiceNow PE (nothing listens)',
							'http://127.0.0.1:1',
						),
					],
					[
						{ id: 'e2eAlert', json: example('alert-to-experience-issue.json') },
						{ id: 'e2eEmulator', json: example('emulator-in-n8n.json') },
						{ id: 'e2eSelf', json: SELF_WORKFLOW },
						{ id: 'e2eRefused', json: REFUSED_WORKFLOW },
						{ id: 'e2eSns', json: SNS_WORKFLOW },
						{ id: 'e2eCheckSetup', json: CHECK_SETUP_WORKFLOW },
						{ id: 'e2ePreset', json: example('alertmanager-to-experience-issues.json') },
						{ id: 'e2eChainAuto', json: example('chain-issue-codes-automatically.json') },
					],
				),
		});
		await waitForWebhook(
			n8n.base,
			'servicenow-emulator/api/now/table/sys_user_role',
			(res) => res.status === 200,
		);
	}, 900_000);

	afterAll(async () => {
		await stopRealN8n(n8n);
		await sn?.close();
	});

	it('lists our node and credential types, loaded from the installed package without its own n8n-workflow', async () => {
		const installed = join(n8n.userFolder, '.n8n', 'nodes', 'node_modules', PACKAGE);
		expect(
			existsSync(join(installed, 'dist', 'nodes', 'ServiceNowPe', 'ServiceNowPe.node.js')),
		).toBe(true);
		expect(existsSync(join(installed, 'node_modules', 'n8n-workflow'))).toBe(false);
		expect(existsSync(join(n8n.userFolder, '.n8n', 'nodes', 'node_modules', 'n8n-workflow'))).toBe(
			false,
		);
		const cookie = await login(n8n.base);
		const types = async (file: string) => {
			const res = await fetch(`${n8n.base}/types/${file}`, { headers: { cookie } });
			expect(res.status).toBe(200);
			return ((await res.json()) as Array<{ name: string }>).map((t) => t.name);
		};
		const nodes = await types('nodes.json');
		expect(nodes).toEqual(
			expect.arrayContaining([
				`${PACKAGE}.serviceNowPe`,
				`${PACKAGE}.serviceNowPeTrigger`,
				`${PACKAGE}.serviceNowPeEmulatorTrigger`,
				`${PACKAGE}.serviceNowPeTool`,
			]),
		);
		const credentials = await types('credentials.json');
		expect(credentials).toEqual(
			expect.arrayContaining(['serviceNowPeApi', 'serviceNowPeOAuth2Api']),
		);
	});

	it('routes monitoring alerts to Created and to three documented error branches', async () => {
		sn.reset();
		const url = `${n8n.base}/webhook/demo-alert`;
		const answers = [
			await post(url, alert({})), // created
			await post(url, alert({ user: 'nobody', ci_sys_id: '' })), // Unknown User
			await post(url, alert({ issue_code: '300' })), // No Resolution
			await post(url, alert({})), // Already Being Resolved
		];
		expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
		expect(answers.map((a) => JSON.parse(a.text).errorCode ?? JSON.parse(a.text).outcome)).toEqual([
			'created',
			'USER_NOT_RESOLVED',
			'NO_RESOLUTION',
			'BEING_RESOLVED',
		]);
		const runs = await executionsOf(n8n.userFolder, 'e2eAlert', 4);
		const branchOf = (run: any) =>
			['Created', 'Fix the Alert Mapping', 'Needs a Human', 'Already Being Resolved'].filter(
				(n) => rt.nodeOutput(run, n).length > 0,
			);
		// The example sends an unknown user back to the mapping, a missing resolution to a human.
		expect(runs.map(branchOf)).toEqual([
			['Created'],
			['Fix the Alert Mapping'],
			['Needs a Human'],
			['Already Being Resolved'],
		]);
		const node = 'Create Experience Issue';
		expect(rt.nodeOutput(runs[1], node, 6)[0].json.errorCode).toBe('USER_NOT_RESOLVED'); // output 6: Unknown User
		expect(rt.nodeOutput(runs[2], node, 5)[0].json.errorCode).toBe('NO_RESOLUTION');
		expect(rt.nodeOutput(runs[3], node, 7)[0].json.errorCode).toBe('BEING_RESOLVED');
		// The chain example's trigger reads the Table API every minute too: only creates are counted.
		expect(
			sn
				.journal()
				.filter((e) => e.route === 'create')
				.map((e) => e.errorCode ?? e.status),
		).toEqual([200, 'USER_NOT_RESOLVED', 'NO_RESOLUTION', 'BEING_RESOLVED']);
	});

	it('routes an item whose connection is refused to Other (NETWORK_ERROR, not sent), without failing the node', async () => {
		expect((await post(`${n8n.base}/webhook/refused-test`, '{}')).status).toBe(200);
		const [run] = await executionsOf(n8n.userFolder, 'e2eRefused', 1);
		expect(run.status).toBe('success');
		const other = rt.nodeOutput(run, 'Create Against Nothing', BRANCH_ORDER.length + 1);
		expect(other[0].json).toMatchObject({
			errorCode: 'NETWORK_ERROR',
			branch: 'Other',
			httpStatus: 0,
		});
		expect(other[0].json.mayHaveBeenCreated).toBeUndefined();
	});

	it("answers the document's cURL example and a documented 400 from the emulator trigger, starting Accepted and Rejected executions", async () => {
		const create = `${n8n.base}/webhook/servicenow-emulator/api/sn_srf/self_remediation/experience_issue/create`;
		const ok = await post(create, DOCUMENT_EXAMPLE_BODY, {
			accept: 'application/json',
			'content-type': 'application/x-www-form-urlencoded',
			authorization: 'Basic ' + Buffer.from('username:password').toString('base64'),
		});
		expect(ok.status).toBe(200);
		expect(ok.text).toBe('{"result":{"experience_id":"09ed4830f393739df33"}}');
		const refused = await post(
			create,
			'{"endpoint":{"user_name":"abel.tuter"},"issue_code":"300","provider":"sn"}',
		);
		expect(refused.status).toBe(400);
		expect(JSON.parse(refused.text)).toEqual({
			error: {
				message: DOCUMENTED_ERRORS.NO_RESOLUTION.message,
				detail: DOCUMENTED_ERRORS.NO_RESOLUTION.detail,
			},
			status: 'failure',
		});
		const runs = await executionsOf(n8n.userFolder, 'e2eEmulator', 2);
		expect(rt.nodeOutput(runs[0], 'Issue Accepted')[0].json).toMatchObject({
			experience_id: '09ed4830f393739df33',
			state: 'open',
		});
		expect(rt.nodeOutput(runs[1], 'Issue Rejected')[0].json).toMatchObject({
			errorCode: 'NO_RESOLUTION',
			httpStatus: 400,
		});
	});

	it('runs the Alertmanager preset example on what Alertmanager 0.25 sent: one issue per host, repeats and resolved alerts apart', async () => {
		sn.reset();
		// Both hosts of the vendor's sample are in the emulator's CMDB (see beforeAll).
		const payload = readFileSync(
			join(
				ROOT,
				'test',
				'fixtures',
				'vendors',
				'alertmanager',
				'02-mixed-2-resolved-4-firing.json',
			),
			'utf8',
		);
		expect((await post(`${n8n.base}/webhook/alertmanager`, payload)).status).toBe(200);
		const [run] = await executionsOf(n8n.userFolder, 'e2ePreset', 1);
		expect(rt.nodeOutput(run, 'Created')).toHaveLength(2);
		expect(rt.nodeOutput(run, 'Already Being Resolved')).toHaveLength(2);
		expect(rt.nodeOutput(run, 'Resolved Alerts')).toHaveLength(2);
		expect(sn.issues().map((i) => [i.issue_code, i.configuration_item])).toEqual([
			['102', VENDOR_HOSTS.example2],
			['102', VENDOR_HOSTS.example3],
		]);
	});

	it("reads an AWS CloudWatch alarm that SNS posts as text/plain through n8n's Webhook node; the subscription confirmation is Skipped with its URL", async () => {
		sn.reset();
		const sns = { 'content-type': 'text/plain; charset=UTF-8' };
		const alarm = vendorSample('cloudwatch/03-sns-alarm-ec2-cpu-instance-cloudforet.json');
		const confirmation = vendorSample('cloudwatch/01-sns-subscription-confirmation-doc.json');
		expect((await post(`${n8n.base}/webhook/cloudwatch-sns`, confirmation, sns)).status).toBe(200);
		expect((await post(`${n8n.base}/webhook/cloudwatch-sns`, alarm, sns)).status).toBe(200);
		const runs = await executionsOf(n8n.userFolder, 'e2eSns', 2);
		// The Webhook node handed the body on as text: the JSON string SNS sent.
		const bodies = runs.map((r: any) => rt.nodeOutput(r, 'SNS Webhook')[0].json.body);
		expect(bodies.map((b: unknown) => typeof b)).toEqual(['string', 'string']);
		const outputs = runs.map((r: any) =>
			r.data.resultData.runData['CloudWatch Alarm'][0].data.main.map((o: unknown[]) => o.length),
		);
		const skipped = runs
			.flatMap((r: any) => r.data.resultData.runData['CloudWatch Alarm'][0].data.main.at(-1))
			.map((o: any) => o.json);
		expect(outputs.map((o: number[]) => [o[0], o.at(-1)])).toEqual([
			[0, 1],
			[1, 0],
		]);
		expect(skipped[0].notification.subscribeUrl).toBe(JSON.parse(confirmation).SubscribeURL);
		expect(sn.issues().map((i) => [i.issue_code, i.configuration_item])).toEqual([
			['100', VENDOR_HOSTS['i-0f672ea50a80cda4b']],
		]);
	});

	it('runs Check Setup: one item per check, a deployed issue code passes, one without a resolution fails with its fix; nothing created', async () => {
		sn.reset();
		for (const code of ['100', '300'])
			expect(
				(await post(`${n8n.base}/webhook/check-setup`, JSON.stringify({ issue_code: code })))
					.status,
			).toBe(200);
		const runs = await executionsOf(n8n.userFolder, 'e2eCheckSetup', 2);
		const checks = runs.map((r: any) =>
			Object.fromEntries(
				rt.nodeOutput(r, 'Check Setup').map((i: any) => [i.json.check, i.json.status]),
			),
		);
		expect(checks).toContainEqual({
			instance: 'pass',
			readRole: 'pass',
			createRole: 'pass',
			provider: 'pass',
			issueCode: 'pass',
			user: 'pass',
			batchApi: 'pass',
		});
		expect(checks).toContainEqual(expect.objectContaining({ issueCode: 'fail', user: 'pass' }));
		expect(sn.issues()).toEqual([]);
	});

	it('creates an issue with the action node pointed at the emulator trigger of the same n8n', async () => {
		const res = await post(
			`${n8n.base}/webhook/self-test`,
			JSON.stringify({ user: 'beth.anglin', code: '101', experience_id: 'SELF-1' }),
		);
		expect(res.status).toBe(200);
		expect(JSON.parse(res.text)).toMatchObject({ outcome: 'created', experience_id: 'SELF-1' });
		const runs = await executionsOf(n8n.userFolder, 'e2eEmulator', 3);
		expect(rt.nodeOutput(runs[2], 'Issue Accepted')[0].json).toMatchObject({
			experience_id: 'SELF-1',
			issue_code: '101',
			user: { user_name: 'beth.anglin' },
		});
	});

	it('runs "Chain issue codes automatically": alert → issues → trigger on action_wait → chained → resolved; failed resolution → incident', async () => {
		const run = await runChainExample({
			base: n8n.base,
			sn,
			userFolder: n8n.userFolder,
			workflowId: 'e2eChainAuto',
		});
		console.log(`chain example timings (s from the alert): ${JSON.stringify(run.timings)}`);
		expect(run.disk).toMatchObject({ configuration_item: 'd049b28e936aa1106f98f6db5cba10d5' }); // ABEL-LAPTOP
		expect(run.chained).toMatchObject({
			outcome: 'chained',
			issueState: 'action_wait',
			request: { issue_code: '103', experience_id: run.disk.experience_id },
		});
		expect(run.incident).toMatchObject({
			event: 'fallbackIncident',
			issue_code: '101',
			end_reason: 'resolution_failed',
			fallback_result: 'incident_created',
			incident: { number: expect.stringMatching(/^INC\d{7}$/) },
		});
		expect(run.resolved).toMatchObject({
			event: 'stateChanged',
			state: 'closed',
			end_reason: 'resolved',
			issue_code: '103',
			issue_code_history: ['102', '103'],
		});
		expect(run.counts).toMatchObject({ chained: 1, resolved: 1, incident: 1 });
		const disk = run.finalIssues.find((i) => i.experience_id === run.disk.experience_id);
		expect(disk).toMatchObject({
			state: 'closed',
			end_reason: 'resolved',
			issue_code_history: ['102', '103'],
		});
		expect(run.incidents).toHaveLength(1);
		expect(run.incidents[0]).toMatchObject({
			origin_table: 'sn_pren_experience_issue',
			origin_id: run.memory.sys_id,
			number: run.incident.incident.number,
		});
	}, 600_000);
});
