/**
 * Build From "New Relic" with what New Relic really sends (test/fixtures/vendors/newrelic,
 * provenance in its README): a workflow's default payload and the legacy channel's, activated and
 * closed; the exact request bodies and branches, in both Send Modes.
 */
import { routed } from '../../../helpers/action';
import {
	SEND_MODES,
	buildFromSuite,
	hostBody,
	rule,
	vendor,
	withOptions,
} from '../../../helpers/alerts';
import { ABEL, DAVID } from '../../../helpers/http';

const { sn, run, sentBodies } = buildFromSuite();
const sample = (file: string) => vendor(`newrelic/${file}`) as Record<string, unknown>;
const ACTIVATED = sample('01-workflow-default-payload-activated-zulip.json');
const CLOSED = sample('02-workflow-default-payload-closed-zulip.json');
const LEGACY_OPEN = sample('03-legacy-channel-test-notification-open-alerta.json');
const LEGACY_CLOSED = sample('04-legacy-channel-closed-zulip.json');
const codes = {
	issueCodeRules: { rules: [rule('/storage|disk/', '101'), rule('/cpu/', '100')] },
	defaultIssueCode: '103',
};

describe.each(SEND_MODES)('New Relic, %s', (_, mode) => {
	const newrelic = (items: unknown[], parameters: Record<string, unknown> = codes) =>
		run('newrelic', items, withOptions(parameters, mode));

	it("a workflow's ACTIVATED issue: the condition's name for the rules, the title's threshold as a detail; an entity the CMDB lacks names the fix", async () => {
		const { outputs } = await newrelic([ACTIVATED]);
		expect(routed(outputs)).toEqual({ 'Missing Endpoint': [0] });
		expect(outputs['Missing Endpoint'][0].json.message).toBe(
			'Alert "Zulip Server Low Storage" names no user or device (no "user", "email", "user_id" or "ci_sys_id" label): no cmdb_ci_computer record is named "zulip_app": add the device to the CMDB under that name, set one of those labels, or an Endpoint override.',
		);
		expect(sentBodies()).toEqual([]);
		const mapped = await newrelic([ACTIVATED], {
			...codes,
			overrides: { endpointUserName: 'abel.tuter' },
		});
		expect(routed(mapped.outputs)).toEqual({ Created: [0] });
		expect(sentBodies()).toEqual([
			{
				endpoint: { user_name: 'abel.tuter' },
				issue_code: '101',
				provider: 'sn',
				investigative_details: { threshold: '> 1.0' },
			},
		]);
	});

	it('CREATED fires as ACTIVATED does', async () => {
		const { outputs } = await newrelic([sample('06-workflow-default-payload-created-zulip.json')]);
		expect(routed(outputs)).toEqual({ 'Missing Endpoint': [0] });
		expect(outputs['Missing Endpoint'][0].json.alert).toMatchObject({
			name: 'High CPU',
			status: 'firing',
			host: 'MAIN-APP-UBUNTU',
		});
	});

	it('CLOSED is Skipped; Include Resolved Alerts sends it with the CI of its entity', async () => {
		expect(routed((await newrelic([CLOSED])).outputs)).toEqual({ Skipped: [0] });
		expect(sentBodies()).toEqual([]);
		const { outputs } = await newrelic([CLOSED], { ...codes, includeResolved: true });
		expect(routed(outputs)).toEqual({ Created: [0] });
		expect(sentBodies()).toEqual([hostBody('main_app-UBUNTU', '100', { threshold: '> 2.0' })]);
		expect(sn.issues().map((i) => i.user)).toEqual([DAVID.sys_id]);
	});

	it('one issue per impacted entity; an acknowledgement (ACTIVATED by a USER_ACTION, as New Relic sends it) is no news: Skipped', async () => {
		const two = { ...ACTIVATED, impactedEntities: ['MyHost1', 'www.example.com'] };
		const { outputs } = await newrelic([
			two,
			sample('05-workflow-default-payload-acknowledged-user-action-zulip.json'),
			sample('07-legacy-channel-acknowledged-zulip.json'),
		]);
		expect(routed(outputs)).toEqual({ Created: [0, 0], Skipped: [1, 2] });
		expect(sentBodies()).toEqual([
			hostBody('MyHost1', '101', { threshold: '> 1.0' }),
			hostBody('www.example.com', '101', { threshold: '> 1.0' }),
		]);
		expect(sn.issues().map((i) => i.user)).toEqual([ABEL.sys_id, DAVID.sys_id]);
		expect(outputs.Skipped.map((o) => o.json.reason)).toEqual([
			'A user acted on the issue in New Relic (an acknowledgement): its activation was the notification to act on.',
			'The incident was acknowledged in New Relic: its opening was the notification to act on.',
		]);
		// Each output shows only its own entity.
		expect(
			outputs.Created.map((o) => (o.json.input as { impactedEntities: string[] }).impactedEntities),
		).toEqual([['MyHost1'], ['www.example.com']]);
	});

	it('the legacy channel: open is sent for the mapped user (its target is an application, no computer); closed is Skipped', async () => {
		const { outputs } = await newrelic([LEGACY_OPEN, LEGACY_CLOSED], {
			...codes,
			overrides: { endpointUserId: ABEL.sys_id },
		});
		expect(routed(outputs)).toEqual({ Created: [0], Skipped: [1] });
		expect(sentBodies()).toEqual([
			{ endpoint: { user_id: ABEL.sys_id }, issue_code: '103', provider: 'sn' },
		]);
		expect(outputs.Created[0].json.alert).toMatchObject({
			name: 'New Relic Alert - Test Condition',
			resource: {
				name: 'New Relic Alert - Test Condition',
				kind: 'a New Relic Application',
			},
			fingerprint: '0|0',
		});
	});

	it("the legacy channel: a target is a machine only when its type names one as a word ('Server', not 'Serverless function')", async () => {
		const alertFor = async (name: string, type: string) => {
			sn.reset();
			const target = (LEGACY_OPEN.targets as Array<Record<string, unknown>>)[0];
			const { outputs } = await newrelic(
				[{ ...LEGACY_OPEN, targets: [{ ...target, name, type }] }],
				{
					...codes,
					overrides: { endpointUserId: ABEL.sys_id },
				},
			);
			expect(routed(outputs)).toEqual({ Created: [0] });
			return outputs.Created[0].json.alert as Record<string, unknown>;
		};
		expect(await alertFor('checkout-fn', 'Serverless function')).toMatchObject({
			host: '',
			resource: { name: 'checkout-fn', kind: 'a New Relic Serverless function' },
		});
		const server = await alertFor('ABEL-LAPTOP', 'Server');
		expect(server.host).toBe('ABEL-LAPTOP');
		expect(server.resource).toBeUndefined();
		// the word in any case, between underscores or hyphens as between spaces
		for (const type of ['HOST', 'INFRA_HOST', 'INFRASTRUCTURE_HOST_ENTITY', 'INFRA-HOST'])
			expect([type, (await alertFor('ABEL-LAPTOP', type)).host]).toEqual([type, 'ABEL-LAPTOP']);
		for (const type of ['SERVERLESS_FUNCTION', 'Hostname monitor', 'APM_APPLICATION_ENTITY'])
			expect([type, (await alertFor('checkout-fn', type)).host]).toEqual([type, '']);
	});

	it('the alert context: condition, title, priority, the time it was created and the issue link', async () => {
		await newrelic([CLOSED], {
			...codes,
			includeResolved: true,
			alertContext: ['name', 'summary', 'severity', 'startedAt', 'links'],
		});
		expect(sentBodies()[0].investigative_details).toEqual({
			threshold: '> 2.0',
			alert_name: 'High CPU',
			summary: "main_app-UBUNTU query result is > 2.0 for 1 minutes on 'High CPU'",
			severity: 'CRITICAL',
			started_at: '2024-04-22T06:16:30.228Z',
			source_link:
				'https://radar-api.service.newrelic.com/accounts/1/issues/0ea2df1c-adab-45d2-aae0-042b609d2322?notifier=SLACK',
		});
	});
});
