/**
 * Every example workflow of examples/ as it is saved: its nodes, parameters and connections run by
 * n8n-core's WorkflowExecute against the emulator, fed where the Webhook node hands on (its item:
 * headers, params, query and the body, an SNS message as text as n8n keeps a text/plain body) with
 * the vendor's own samples (test/fixtures/vendors). The Webhook node itself, n8n's No Operation
 * nodes the outputs lead to and the Switch of the chain example are n8n-nodes-base's, which this
 * package does not depend on: the No Operation nodes run as n8n's own does (it hands its input on),
 * the emulator example is served as n8n's webhook server would (WebhookHost), and the end-to-end
 * tests (test/e2e) import the alert, emulator, Alertmanager and chain examples into a real n8n.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
	NodeHelpers,
	type IExecuteFunctions,
	type INode,
	type INodeExecutionData,
	type INodeType,
	type INodeTypes,
	type IRun,
	type IVersionedNodeType,
} from 'n8n-workflow';
import { ServiceNowPe } from '../nodes/ServiceNowPe/ServiceNowPe.node';
import { ServiceNowPeEmulatorTrigger } from '../nodes/ServiceNowPe/ServiceNowPeEmulatorTrigger.node';
import { defaultSeed } from '../emulator/core';
import { ACTION_TYPE, basicStore, outputsInN8n } from './helpers/action';
import { CI, snsWebhookItem, vendor } from './helpers/alerts';
import {
	ABEL,
	BETH,
	DAVID,
	DOCUMENT_EXAMPLE_BODY,
	createBodies,
	emulatorForSuite,
	send,
	tableQueries,
} from './helpers/http';
import { buildWorkflow, runWorkflow, type WorkflowJson } from './helpers/n8n';
import { WebhookHost } from './helpers/webhookHost';

const EXAMPLES = join(__dirname, '..', 'examples');
const EMULATOR_TRIGGER_TYPE =
	'n8n-nodes-servicenow-proactive-engagement.serviceNowPeEmulatorTrigger';
const WEBHOOK_TYPE = 'n8n-nodes-base.webhook';

/** An example workflow as saved in examples/. */
const example = (file: string) =>
	JSON.parse(readFileSync(join(EXAMPLES, file), 'utf8')) as WorkflowJson & { name: string };

/** n8n's "No Operation, do nothing" (n8n-nodes-base NoOp, version 1): it hands its input on. */
const noOp: INodeType = {
	description: {
		displayName: 'No Operation, do nothing',
		name: 'noOp',
		group: ['organization'],
		version: 1,
		description: 'No Operation',
		defaults: { name: 'No Operation, do nothing' },
		inputs: ['main'],
		outputs: ['main'],
		properties: [],
	},
	async execute(this: IExecuteFunctions) {
		return [this.getInputData()];
	},
};

const TYPES: Record<string, INodeType | IVersionedNodeType> = {
	[ACTION_TYPE]: new ServiceNowPe(),
	[EMULATOR_TRIGGER_TYPE]: new ServiceNowPeEmulatorTrigger(),
	'n8n-nodes-base.noOp': noOp,
};
/** Node types as n8n has them; a type this package lacks (the Webhook, the Switch) is unknown, as n8n allows for nodes that do not run. */
const nodeTypes: INodeTypes = {
	getByName: (name) => TYPES[name],
	getByNameAndVersion: (name, version) =>
		(TYPES[name] && NodeHelpers.getVersionedNodeType(TYPES[name], version)) as INodeType,
	getKnownTypes: () => ({}),
};

/** The item n8n's Webhook node (version 2) outputs for a POST of this body. */
const webhookItem = (body: unknown) => ({
	headers: { 'content-type': 'application/json', 'user-agent': 'monitoring' },
	params: {},
	query: {},
	body,
});

/** The samples' hosts, each a computer of the CMDB assigned to a user. */
const HOSTS: Array<[string, string]> = [
	['i-0f672ea50a80cda4b', ABEL.sys_id],
	['zulip_app', BETH.sys_id],
	['MyHost1', DAVID.sys_id],
	['Zabbix server', ABEL.sys_id],
	['www.example.com', BETH.sys_id],
	['example2', BETH.sys_id],
	['example3', DAVID.sys_id],
];
const seed = defaultSeed();
for (const [name, user] of HOSTS) seed.cis.push({ sys_id: CI(name), name, assigned_to: user });
const sn = emulatorForSuite({ auth: 'basic', seed });

/** The node a workflow's Webhook node feeds. */
function fedByWebhook(json: WorkflowJson): INode {
	const webhook = json.nodes.find((n) => n.type === WEBHOOK_TYPE);
	const target = webhook && json.connections[webhook.name]?.main?.[0]?.[0]?.node;
	const node = json.nodes.find((n) => n.name === target);
	if (!node) throw new Error('The example has no Webhook node feeding another node');
	return node;
}

/** What a node output on its first output in a run ([] when it did not run: nothing reached it). */
function itemsAt(run: IRun, node: string): INodeExecutionData[] {
	return run.data.resultData.runData[node]?.[0]?.data?.main?.[0] ?? [];
}

/**
 * Runs an example workflow as saved, from the node its Webhook node feeds, with these webhook items,
 * against the emulator (its credential is a Basic one of the emulator's integration user). Returns
 * what reached each node the ServiceNow PE node's outputs lead to, in output order.
 */
async function runExample(file: string, items: Array<Record<string, unknown>>) {
	const json = example(file);
	const start = fedByWebhook(json);
	expect(start.type).toBe(ACTION_TYPE);
	const run = await runWorkflow({
		workflow: buildWorkflow({ nodes: json.nodes, connections: json.connections }, nodeTypes),
		startNode: start.name,
		startData: [items.map((item) => ({ json: item as never }))],
		credentials: basicStore(sn.url),
	});
	expect(run.data.resultData.error).toBeUndefined();
	const produced = run.data.resultData.runData[start.name][0].data?.main ?? [];
	const outputs = json.connections[start.name].main.map((c) => c?.[0]?.node ?? '');
	const reached: Record<string, INodeExecutionData[]> = {};
	/** The node each output leads to → the input items that came out there, by index (pairedItem). */
	const routes: Record<string, number[]> = {};
	outputs.forEach((node, k) => {
		const out = produced[k] ?? [];
		if (!node || out.length === 0) return;
		reached[node] = itemsAt(run, node);
		// What the output held reached the node it leads to, as it was.
		expect(reached[node].map((i) => i.json)).toEqual(out.map((i) => i.json));
		routes[node] = out.map((i) => (i.pairedItem as { item: number }).item);
	});
	// Nothing reached a node of an output that held nothing.
	for (const node of outputs) if (node && !routes[node]) expect(itemsAt(run, node)).toEqual([]);
	return { json, start, run, outputs, reached, routes };
}

describe('the example workflows of examples/, as saved, on vendor samples', () => {
	it('covers every example workflow of examples/', () => {
		const workflows = readdirSync(EXAMPLES)
			.filter((f) => f.endsWith('.json'))
			.filter((f) => Array.isArray(example(f).nodes));
		expect(workflows.sort()).toEqual(
			[
				'alert-to-experience-issue.json',
				'alertmanager-to-experience-issues.json',
				'chain-issue-codes-automatically.json',
				'cloudwatch-sns-to-experience-issues.json',
				'dynatrace-to-experience-issues.json',
				'emulator-in-n8n.json',
				'manual-fields-skip-and-ci-from-host.json',
				'newrelic-to-experience-issues.json',
				'zabbix-to-experience-issues.json',
			].sort(),
		);
	});

	it.each([
		['cloudwatch-sns-to-experience-issues.json', 'cloudwatch', 'cloudwatch-sns'],
		['newrelic-to-experience-issues.json', 'newrelic', 'newrelic'],
		['dynatrace-to-experience-issues.json', 'dynatrace', 'dynatrace'],
		['zabbix-to-experience-issues.json', 'zabbix', 'zabbix'],
		['manual-fields-skip-and-ci-from-host.json', 'manual', 'json-alert'],
	])(
		'%s: Build From %s behind a POST Webhook at path %s, the CI from the host, grouped outputs and Skipped last, each led to a node',
		(file, source, path) => {
			const json = example(file);
			const webhook = json.nodes.find((n) => n.type === WEBHOOK_TYPE) as INode;
			expect(webhook.parameters).toMatchObject({ httpMethod: 'POST', path });
			const node = fedByWebhook(json);
			expect(node.parameters).toMatchObject({
				source,
				resolveCiFromHost: true,
				errorRouting: 'grouped',
				provider: { __rl: true, mode: 'id', value: 'sn' },
			});
			expect(node.credentials).toEqual({
				serviceNowPeApi: { id: 'snPeEmulatorCred', name: 'ServiceNow PE (local emulator)' },
			});
			// The outputs n8n gives the node for these parameters, each connected to a node.
			expect(outputsInN8n(node.parameters)).toEqual([
				'Created',
				'Already Being Resolved',
				'Fix Input',
				'Failed',
				'Skipped',
			]);
			const outputs = json.connections[node.name].main.map((c) => c?.[0]?.node);
			expect(outputs).toHaveLength(5);
			expect(outputs.slice(0, 4)).toEqual([
				'Created',
				'Already Being Resolved',
				'Fix Input',
				'Failed',
			]);
			for (const name of outputs)
				expect(json.nodes.find((n) => n.name === name)?.type).toBe('n8n-nodes-base.noOp');
		},
	);

	it('AWS CloudWatch (SNS): the subscription confirmation and the OK on Skipped, the ALARM created for its instance with the exact body', async () => {
		const confirmation = vendor('cloudwatch/01-sns-subscription-confirmation-doc.json');
		const { reached, routes } = await runExample('cloudwatch-sns-to-experience-issues.json', [
			snsWebhookItem(confirmation),
			snsWebhookItem(vendor('cloudwatch/03-sns-alarm-ec2-cpu-instance-cloudforet.json')),
			snsWebhookItem(vendor('cloudwatch/04-sns-ok-ec2-cpu-autoscaling-group-cloudforet.json')),
		]);
		expect(routes).toEqual({ Created: [1], 'Recoveries and SNS Confirmations': [0, 2] });
		const body = {
			endpoint: { CI: CI('i-0f672ea50a80cda4b') },
			issue_code: '100',
			provider: 'sn',
			investigative_details: {
				cpu_usage: '17.2564528039004',
				threshold: '> 15',
				alert_name: 'EC2-CPU',
				summary:
					'Threshold Crossed: 1 out of the last 1 datapoints [17.2564528039004 (23/06/21 08:31:00)] was greater than the threshold (15.0) (minimum 1 datapoint for OK -> ALARM transition).',
				started_at: '2021-06-23T08:41:06.622+00:00',
				source_link:
					'https://console.aws.amazon.com/cloudwatch/home?region=ap-northeast-2#alarmsV2:alarm/EC2-CPU',
			},
		};
		expect(createBodies(sn)).toEqual([body]);
		expect(reached.Created[0].json).toMatchObject({ outcome: 'created', request: body });
		const [confirm, ok] = reached['Recoveries and SNS Confirmations'].map((i) => i.json);
		expect(confirm).toMatchObject({
			outcome: 'skipped',
			notification: {
				snsMessageType: 'SubscriptionConfirmation',
				subscribeUrl: confirmation.SubscribeURL,
			},
		});
		expect(ok).toMatchObject({
			outcome: 'skipped',
			alert: { source: 'cloudwatch', name: 'ec2CPUUtilization', status: 'resolved' },
		});
		// Only the ALARM's instance was looked up: the confirmation and the recovery send nothing.
		expect(tableQueries(sn, 'cmdb_ci_computer')).toEqual(['name=i-0f672ea50a80cda4b']);
	});

	it('New Relic: the ACTIVATED issue created for its impacted entity (code by condition name), the CLOSED one on Skipped', async () => {
		const activated = vendor('newrelic/01-workflow-default-payload-activated-zulip.json');
		const { reached, routes } = await runExample('newrelic-to-experience-issues.json', [
			webhookItem(activated),
			webhookItem(vendor('newrelic/02-workflow-default-payload-closed-zulip.json')),
		]);
		expect(routes).toEqual({ Created: [0], 'Closed Issues': [1] });
		const body = {
			endpoint: { CI: CI('zulip_app') },
			issue_code: '102',
			provider: 'sn',
			investigative_details: {
				threshold: '> 1.0',
				alert_name: 'Zulip Server Low Storage',
				summary: activated.title,
				severity: 'CRITICAL',
				started_at: '2024-04-22T03:05:31.352Z',
				source_link: activated.issueUrl,
			},
		};
		expect(createBodies(sn)).toEqual([body]);
		expect(reached.Created[0].json).toMatchObject({ outcome: 'created', request: body });
		expect(reached['Closed Issues'][0].json).toMatchObject({
			outcome: 'skipped',
			alert: { source: 'newrelic', name: 'High CPU', status: 'resolved', host: 'main_app-UBUNTU' },
		});
	});

	it('Dynatrace: the OPEN problem created for its HOST entity only (the default code), the RESOLVED one on Skipped', async () => {
		const { reached, routes } = await runExample('dynatrace-to-experience-issues.json', [
			webhookItem(vendor('dynatrace/01-docs-example-payload-open-test-notification.json')),
			webhookItem(vendor('dynatrace/02-rendered-by-us-docs-example-payload-resolved.json')),
		]);
		expect(routes).toEqual({ Created: [0], 'Resolved or Merged Problems': [1] });
		const body = {
			endpoint: { CI: CI('MyHost1') },
			issue_code: '103',
			provider: 'sn',
			investigative_details: {
				alert_name: 'Dynatrace problem notification test run',
				summary: 'Dynatrace problem notification test run',
				severity: 'INFRASTRUCTURE',
				source_link: 'https://example.com',
			},
		};
		expect(createBodies(sn)).toEqual([body]);
		expect(reached.Created[0].json).toMatchObject({
			outcome: 'created',
			request: body,
			alert: { issueCodeFrom: 'default' },
		});
		expect(reached['Resolved or Merged Problems'][0].json).toMatchObject({
			outcome: 'skipped',
			alert: { source: 'dynatrace', status: 'resolved', host: 'MyHost1' },
		});
	});

	it("Zabbix: problems of the documented parameter set and of Zulip's media type created (code by tag and by trigger name), their recoveries on Skipped", async () => {
		const problem = vendor('zabbix/12-rendered-by-us-macro-parameters-problem.json');
		const zulip = vendor('zabbix/01-thirdparty-zulip-media-type-problem.json');
		const { reached, routes } = await runExample('zabbix-to-experience-issues.json', [
			webhookItem(problem),
			webhookItem(vendor('zabbix/13-rendered-by-us-macro-parameters-resolved.json')),
			webhookItem(zulip),
			webhookItem(vendor('zabbix/02-thirdparty-zulip-media-type-ok.json')),
		]);
		expect(routes).toEqual({ Created: [0, 2], 'Recoveries and Updates': [1, 3] });
		const bodies = [
			{
				endpoint: { CI: CI('Zabbix server') },
				issue_code: '100',
				provider: 'sn',
				investigative_details: {
					cpu_usage: '97.52 %',
					alert_name: 'High CPU utilization',
					summary: 'High CPU utilization (over 90% for 5m)',
					description: problem.trigger_description,
					severity: 'Warning',
					started_at: '2024-05-14T10:15:32',
					source_link: problem.event_url,
				},
			},
			{
				endpoint: { CI: CI('www.example.com') },
				issue_code: '103',
				provider: 'sn',
				investigative_details: {
					alert_name: zulip.trigger,
					severity: 'Average',
					source_link: zulip.link,
				},
			},
		];
		expect(createBodies(sn)).toEqual(bodies);
		expect(reached.Created.map((i) => i.json.request)).toEqual(bodies);
		expect(reached['Recoveries and Updates'].map((i) => i.json.alert)).toMatchObject([
			{ source: 'zabbix', status: 'resolved', host: 'Zabbix server' },
			{ source: 'zabbix', status: 'resolved', host: 'www.example.com' },
		]);
	});

	it('Manual Fields: a JSON alert created for the CI of its host, its recovery skipped, an unknown host on Failed (CI_NOT_FOUND), in one run', async () => {
		const alert = {
			alert: 'HighCpuUsage',
			status: 'firing',
			host: 'ABEL-LAPTOP',
			cpu: '93%',
			pid: '10644',
		};
		const { reached, routes } = await runExample('manual-fields-skip-and-ci-from-host.json', [
			webhookItem(alert),
			webhookItem({ ...alert, status: 'resolved', cpu: '12%' }),
			webhookItem({ alert: 'DiskAlmostFull', status: 'firing', host: 'GHOST-PC' }),
		]);
		expect(routes).toEqual({ Created: [0], Failed: [2], 'Skipped Recoveries': [1] });
		const body = {
			endpoint: { CI: ABEL.ci },
			issue_code: '100',
			provider: 'sn',
			input_parameters: { process_id: '10644' },
			investigative_details: { cpu_usage: '93%' },
		};
		expect(createBodies(sn)).toEqual([body]);
		expect(reached.Created[0].json).toMatchObject({
			outcome: 'created',
			request: body,
			ciResolvedFromHost: 'ABEL-LAPTOP',
		});
		expect(reached['Skipped Recoveries'][0].json).toMatchObject({
			outcome: 'skipped',
			reason: 'Skip When is true for this item: it was not sent.',
		});
		expect(reached.Failed[0].json).toMatchObject({
			outcome: 'error',
			errorCode: 'CI_NOT_FOUND',
			sent: false,
			message: 'No cmdb_ci_computer record is named "GHOST-PC".',
			request: { issue_code: '102' },
		});
		// The skipped item is not looked up: only the two firing hosts are.
		expect(tableQueries(sn, 'cmdb_ci_computer').sort()).toEqual(
			['name=ABEL-LAPTOP', 'name=GHOST-PC'].sort(),
		);
	});

	it('Alertmanager preset: the mixed group, one issue per host, repeats and resolved alerts apart', async () => {
		const { routes } = await runExample('alertmanager-to-experience-issues.json', [
			webhookItem(vendor('alertmanager/02-mixed-2-resolved-4-firing.json')),
		]);
		expect(routes).toEqual({
			Created: [0, 0],
			'Already Being Resolved': [0, 0],
			'Resolved Alerts': [0, 0],
		});
		expect(createBodies(sn).map((b) => [b.issue_code, b.endpoint.CI])).toEqual([
			['102', CI('example2')],
			['102', CI('example3')],
		]);
	});

	it('alert to experience issue: the demo alert created with the mapped fields', async () => {
		const alert = JSON.parse(readFileSync(join(EXAMPLES, 'alertmanager-alert.json'), 'utf8'));
		const { reached, routes } = await runExample('alert-to-experience-issue.json', [
			webhookItem(alert),
		]);
		expect(routes).toEqual({ Created: [0] });
		const body = {
			endpoint: { CI: ABEL.ci, user_name: 'abel.tuter' },
			issue_code: '100',
			provider: 'sn',
			input_parameters: { process_id: '10644' },
			investigative_details: { cpu_usage: '78%' },
		};
		expect(createBodies(sn)).toEqual([body]);
		expect(reached.Created[0].json).toMatchObject({ outcome: 'created', request: body });
	});

	it("chain issue codes automatically: the alert half creates an issue per alert's host and code (the trigger half needs n8n's Switch: end-to-end only)", async () => {
		const alerts = JSON.parse(
			readFileSync(join(EXAMPLES, 'alertmanager-chain-alerts.json'), 'utf8'),
		);
		const { routes } = await runExample('chain-issue-codes-automatically.json', [
			webhookItem(alerts),
		]);
		expect(routes).toEqual({ 'Issue Created': [0, 0] });
		expect(createBodies(sn).map((b) => [b.issue_code, b.endpoint.CI])).toEqual([
			['102', ABEL.ci],
			['101', seed.cis.find((c) => c.name === 'BETH-DESKTOP')?.sys_id],
		]);
	});

	it("emulator in n8n: the document's example accepted, an issue code without resolution rejected", async () => {
		const host = new WebhookHost(
			{ ...example('emulator-in-n8n.json'), id: 'examples-emulator-in-n8n' },
			nodeTypes,
		);
		await host.activate();
		await host.start();
		try {
			const create = `${host.url}/webhook/servicenow-emulator/api/sn_pren/self_remediation/experience_issue/create`;
			const accepted = await send(create, {
				method: 'POST',
				headers: { 'content-type': 'application/json', accept: 'application/json' },
				body: DOCUMENT_EXAMPLE_BODY,
			});
			expect(accepted.status).toBe(200);
			const rejected = await send(create, {
				method: 'POST',
				headers: { 'content-type': 'application/json', accept: 'application/json' },
				body: JSON.stringify({
					endpoint: { user_name: 'abel.tuter' },
					issue_code: '300',
					provider: 'sn',
				}),
			});
			expect(rejected.status).toBe(400);
			const [first, second] = host.executions;
			expect(itemsAt(first, 'Issue Accepted')[0].json).toMatchObject({
				experience_id: '09ed4830f393739df33',
			});
			expect(itemsAt(second, 'Issue Rejected')[0].json).toMatchObject({
				errorCode: 'NO_RESOLUTION',
			});
		} finally {
			await host.stop();
		}
	});
});
