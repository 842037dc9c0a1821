/**
 * The monitoring-source example workflows (AWS CloudWatch through SNS, New Relic, Dynatrace, Zabbix,
 * Manual Fields) inside a real n8n, imported as saved: each vendor's own samples POSTed to the
 * example's Webhook node as the vendor sends them (Amazon SNS as text/plain, which n8n's Webhook
 * node keeps as text), through our node to the emulator, ending on the example's own nodes.
 */
import { defaultSeed } from '../../emulator/core';
import { startEmulator, type RunningEmulator } from '../../emulator/server';
import { CI, vendor } from '../helpers/alerts';
import { ABEL, BETH, DAVID, createBodies } from '../helpers/http';
import {
	emulatorCredential,
	example,
	executionsOf,
	importAll,
	post,
	rt,
	startRealN8n,
	stopRealN8n,
	waitForWebhook,
	type RealN8n,
} from './helpers';

const JSON_TYPE = { 'content-type': 'application/json' };
/** What Amazon SNS sends an HTTP/S subscriber. */
const SNS_TYPE = (message: Record<string, unknown>) => ({
	'content-type': 'text/plain; charset=UTF-8',
	'x-amz-sns-message-type': String(message.Type),
	'user-agent': 'Amazon Simple Notification Service Agent',
});
const sns = (path: string) => {
	const message = vendor(path);
	return { body: JSON.stringify(message, null, 2), headers: SNS_TYPE(message) };
};
const json = (body: unknown) => ({ body: JSON.stringify(body), headers: JSON_TYPE });

interface Case {
	id: string;
	file: string;
	path: string;
	posts: Array<{ body: string; headers: Record<string, string> }>;
	/** Issue code and CI of each create, in order. */
	created: Array<[string, string]>;
	/** The node the Skipped output leads to, and how many items reach it. */
	skipped: [string, number];
	/** Items on Failed (grouped routing's Other), by errorCode. */
	failed?: string[];
}

const CASES: Case[] = [
	{
		id: 'exCloudwatch',
		file: 'cloudwatch-sns-to-experience-issues.json',
		path: 'cloudwatch-sns',
		posts: [
			sns('cloudwatch/01-sns-subscription-confirmation-doc.json'),
			sns('cloudwatch/03-sns-alarm-ec2-cpu-instance-cloudforet.json'),
			sns('cloudwatch/04-sns-ok-ec2-cpu-autoscaling-group-cloudforet.json'),
		],
		created: [['100', CI('i-0f672ea50a80cda4b')]],
		skipped: ['Recoveries and SNS Confirmations', 2],
	},
	{
		id: 'exNewrelic',
		file: 'newrelic-to-experience-issues.json',
		path: 'newrelic',
		posts: [
			json(vendor('newrelic/01-workflow-default-payload-activated-zulip.json')),
			json(vendor('newrelic/02-workflow-default-payload-closed-zulip.json')),
		],
		created: [['102', CI('zulip_app')]],
		skipped: ['Closed Issues', 1],
	},
	{
		id: 'exDynatrace',
		file: 'dynatrace-to-experience-issues.json',
		path: 'dynatrace',
		posts: [
			json(vendor('dynatrace/01-docs-example-payload-open-test-notification.json')),
			json(vendor('dynatrace/02-rendered-by-us-docs-example-payload-resolved.json')),
		],
		created: [['103', CI('MyHost1')]],
		skipped: ['Resolved or Merged Problems', 1],
	},
	{
		id: 'exZabbix',
		file: 'zabbix-to-experience-issues.json',
		path: 'zabbix',
		posts: [
			json(vendor('zabbix/12-rendered-by-us-macro-parameters-problem.json')),
			json(vendor('zabbix/13-rendered-by-us-macro-parameters-resolved.json')),
		],
		created: [['100', CI('Zabbix server')]],
		skipped: ['Recoveries and Updates', 1],
	},
	{
		id: 'exManual',
		file: 'manual-fields-skip-and-ci-from-host.json',
		path: 'json-alert',
		posts: [
			json({ alert: 'HighCpuUsage', status: 'firing', host: 'ABEL-LAPTOP', cpu: '93%' }),
			json({ alert: 'HighCpuUsage', status: 'resolved', host: 'ABEL-LAPTOP', cpu: '12%' }),
			json({ alert: 'DiskAlmostFull', status: 'firing', host: 'GHOST-PC' }),
		],
		created: [['100', ABEL.ci]],
		skipped: ['Skipped Recoveries', 1],
		failed: ['CI_NOT_FOUND'],
	},
];

describe('the monitoring-source examples inside a real n8n', () => {
	let sn: RunningEmulator;
	let n8n: RealN8n;

	beforeAll(async () => {
		const seed = defaultSeed();
		for (const [name, user] of [
			['i-0f672ea50a80cda4b', ABEL.sys_id],
			['zulip_app', BETH.sys_id],
			['MyHost1', DAVID.sys_id],
			['Zabbix server', ABEL.sys_id],
		])
			seed.cis.push({ sys_id: CI(name), name, assigned_to: user });
		sn = await startEmulator({ port: 0, seed });
		n8n = await startRealN8n({
			prepare: (folder) =>
				importAll(
					folder,
					[emulatorCredential('snPeEmulatorCred', 'ServiceNow PE (local emulator)', sn.url)],
					CASES.map((c) => ({ id: c.id, json: example(c.file) })),
				),
		});
		// Published webhooks register after n8n reports ready: a GET is then refused as the wrong method.
		for (const c of CASES)
			await waitForWebhook(n8n.base, c.path, (res) => res.body.includes('POST'));
	}, 900_000);

	afterAll(async () => {
		await stopRealN8n(n8n);
		await sn?.close();
	});

	it.each(CASES)('$file: the firing samples created, the rest on its Skipped node', async (c) => {
		sn.reset();
		for (const p of c.posts) {
			const answer = await post(`${n8n.base}/webhook/${c.path}`, p.body, p.headers);
			expect(answer.status).toBe(200);
		}
		const runs = await executionsOf(n8n.userFolder, c.id, c.posts.length);
		expect(runs.map((r: any) => r.status)).toEqual(c.posts.map(() => 'success'));
		const all = (node: string) =>
			runs.flatMap((r: any) => rt.nodeOutput(r, node).map((i: any) => i.json));
		const bodies = createBodies(sn);
		expect(bodies.map((b) => [b.issue_code, b.endpoint.CI])).toEqual(c.created);
		expect(all('Created').map((j: any) => j.request)).toEqual(bodies);
		const [skippedNode, skippedCount] = c.skipped;
		expect(all(skippedNode).map((j: any) => j.outcome)).toEqual(
			Array(skippedCount).fill('skipped'),
		);
		expect(all('Failed').map((j: any) => j.errorCode)).toEqual(c.failed ?? []);
		expect(all('Fix Input')).toEqual([]);
	});

	it('AWS CloudWatch: the subscription confirmation, sent as text/plain, reaches Skipped with the URL that confirms it', async () => {
		const runs = await executionsOf(n8n.userFolder, 'exCloudwatch', 3);
		const confirmation = vendor('cloudwatch/01-sns-subscription-confirmation-doc.json');
		const skipped = runs.flatMap((r: any) =>
			rt.nodeOutput(r, 'Recoveries and SNS Confirmations').map((i: any) => i.json),
		);
		expect(skipped.map((j: any) => j.notification?.subscribeUrl)).toContain(
			confirmation.SubscribeURL,
		);
		// n8n's Webhook node kept the SNS body as text: the node read it from there.
		expect(typeof skipped[0].input.body).toBe('string');
	});
});
