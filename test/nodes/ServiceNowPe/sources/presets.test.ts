/** Build From, whatever the source: users from labels, overrides, issue code mapping, dry run. */
import { BASIC, routed, runAction, type RunOptions } from '../../../helpers/action';
import { requestBody, rule, vendor } from '../../../helpers/alerts';
import { createBodies, emulatorForSuite } from '../../../helpers/http';

const sn = emulatorForSuite({ auth: 'basic' });
const sentBodies = () => createBodies(sn);
/** Runs the items through Build From "Prometheus Alertmanager" with these parameters. */
const build = (
	items: Array<Record<string, unknown>>,
	parameters: Record<string, unknown> = {},
	routing?: RunOptions['routing'],
) =>
	runAction({
		items,
		credentials: BASIC(sn.url),
		routing,
		parameters: { source: 'alertmanager', ...parameters },
	});

/** The vendor's own payload, with the labels a rule author adds to name the user (see alertmanager.test.ts for payloads as sent). */
const alertmanagerWithUsers = () => {
	const group = vendor('alertmanager/04-blackbox-url-instance-firing.json');
	group.alerts[0].labels.user = 'abel.tuter';
	group.alerts[0].labels.pid = '10644';
	group.alerts[1].labels.email = 'beth.anglin@example.com';
	group.alerts[1].labels.cpu_usage = '78%';
	return group;
};

describe('Build From, whatever the source', () => {
	it('reads users from labels, renamed under Label Names; overrides replace what the alert says for every alert', async () => {
		const payload = alertmanagerWithUsers();
		const { outputs } = await build([payload], {
			defaultIssueCode: '103',
			alertContext: [],
			labelNames: { emailLabel: 'mail' },
		});
		expect(routed(outputs)).toEqual({ Created: [0], 'Missing Endpoint': [0, 0] });
		expect(sentBodies()).toEqual([
			requestBody({ user_name: 'abel.tuter' }, '103', {
				input_parameters: { process_id: '10644' },
			}),
		]);
		sn.reset();
		const overridden = await build([payload], {
			defaultIssueCode: '103',
			alertContext: [],
			overrides: {
				endpointUserName:
					'={{ $json.receiver === "n8n-servicenow-webhook" ? "david.miller" : "" }}',
				cpuUsage: '99%',
			},
		});
		// All three now name david.miller (the user name decides over the email, as on the instance): one request.
		expect(routed(overridden.outputs)).toEqual({ Created: [0], 'Already Being Resolved': [0, 0] });
		expect(overridden.outputs['Already Being Resolved'].map((o) => o.json.sent)).toEqual([
			false,
			false,
		]);
		expect(sentBodies()).toEqual([
			requestBody({ user_name: 'david.miller' }, '103', {
				input_parameters: { process_id: '10644' },
				investigative_details: { cpu_usage: '99%' },
			}),
		]);
	});

	it('sends resolved alerts too when asked, and reads the payload from a Webhook node item (body)', async () => {
		const { outputs } = await build(
			[{ headers: {}, body: vendor('alertmanager/05-blackbox-url-instance-resolved.json') }],
			{
				includeResolved: true,
				defaultIssueCode: '102',
				alertContext: [],
				overrides: { endpointUserName: 'abel.tuter' },
			},
		);
		expect(routed(outputs)).toEqual({ Created: [0], 'Already Being Resolved': [0, 0] });
	});

	it('routes a payload of another source as unrecognised, never dropping it', async () => {
		const { outputs } = await build([vendor('datadog/12-rendered-by-us-custom-triggered.json')]);
		expect(routed(outputs)).toEqual({ Other: [0] });
		expect(outputs.Other[0].json).toMatchObject({ errorCode: 'UNRECOGNISED_PAYLOAD', sent: false });
		expect(outputs.Other[0].json.message).toBe(
			'The item is not an Alertmanager webhook: expected "version": "4", "groupKey" and an "alerts" array, as Alertmanager\'s webhook_configs send them (looked in the item and in its "body"). It is a Datadog payload: choose Build From "Datadog".',
		);
	});
});

describe('issue code mapping', () => {
	it('uses rules in order, then the alert label, then the default; with none, the alert goes to Invalid Issue Code, named', async () => {
		const payload = alertmanagerWithUsers();
		payload.alerts[1].labels.issue_code = '103';
		const withLabel = await build([payload], {
			resolveCiFromHost: true,
			issueCodeRules: { rules: [rule('page', '100', 'severity'), rule('InstanceDown', '999')] },
			options: { dryRun: true },
		});
		expect(
			withLabel.outputs.Created.map((o) => [
				(o.json.request as any).issue_code,
				(o.json.alert as any).issueCodeFrom,
			]),
		).toEqual([
			['100', 'rule 1'],
			['100', 'rule 1'],
		]);
		const labelOnly = await build([payload], {
			defaultIssueCode: '102',
			options: { dryRun: true },
		});
		expect(labelOnly.outputs.Created.map((o) => (o.json.request as any).issue_code)).toEqual([
			'102',
			'103',
		]);

		const none = await build([alertmanagerWithUsers()]);
		expect(none.error).toBeUndefined();
		expect(routed(none.outputs)).toEqual({ 'Invalid Issue Code': [0, 0], 'Missing Endpoint': [0] });
		expect(none.outputs['Invalid Issue Code'][0].json).toMatchObject({
			sent: false,
			field: 'issue_code',
			message:
				'Alert "InstanceDown" matched no issue code rule, has no "issue_code" label, and no Default Issue Code is set: add a rule or a default.',
		});
		expect(sentBodies()).toEqual([]);
	});

	it('fails the node before anything is sent when Error Routing is Single Output', async () => {
		const single = await build(
			[alertmanagerWithUsers()],
			{ issueCodeRules: { rules: [rule('nothing', '100')] } },
			'single',
		);
		expect(single.error).toMatch(/^Alert "InstanceDown" matched no issue code rule/);
		expect(sentBodies()).toEqual([]);
	});
});

describe('dry run', () => {
	it('outputs the exact request each alert would send and creates nothing (CI lookups, being reads, still run)', async () => {
		const { outputs, error } = await build([alertmanagerWithUsers()], {
			defaultIssueCode: '100',
			alertContext: ['severity'],
			resolveCiFromHost: true,
			options: { dryRun: true, requestFormat: 'xml' },
		});
		expect(error).toBeUndefined();
		expect(routed(outputs)).toEqual({ Created: [0, 0], 'Missing Endpoint': [0] });
		expect(outputs.Created[0].json).toMatchObject({
			outcome: 'dryRun',
			method: 'POST',
			path: '/api/sn_pren/self_remediation/experience_issue/create',
			format: 'xml',
		});
		expect(outputs.Created[0].json.serialisedBody).toBe(
			'<?xml version="1.0" encoding="UTF-8"?><request><endpoint><user_name>abel.tuter</user_name></endpoint><issue_code>100</issue_code><provider>sn</provider><input_parameters><process_id>10644</process_id></input_parameters><investigative_details><severity>page</severity></investigative_details></request>',
		);
		expect(outputs.Created[1].json.serialisedBody).toContain(
			'<endpoint><email>beth.anglin@example.com</email></endpoint>',
		);
		expect(outputs.Created[1].json.serialisedBody).toContain('<cpu_usage>78%</cpu_usage>');
		// One CMDB lookup per host (example.com, prometheus.io), nothing else.
		expect(sn.journal().map((e) => `${e.method} ${e.route}`)).toEqual(['GET table', 'GET table']);
		expect(sn.issues()).toEqual([]);
	});
});
