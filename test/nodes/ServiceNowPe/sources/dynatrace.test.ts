/**
 * Build From "Dynatrace" with what Dynatrace really sends (test/fixtures/vendors/dynatrace,
 * provenance in its README): the documented example payload open and resolved, and real problems
 * inside a CloudEvent; the exact request bodies and branches, in both Send Modes.
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
const sample = (file: string) => vendor(`dynatrace/${file}`) as Record<string, unknown>;
const OPEN = sample('01-docs-example-payload-open-test-notification.json');
const RESOLVED = sample('02-rendered-by-us-docs-example-payload-resolved.json');
const KEPTN_RESOLVED = sample(
	'03-thirdparty-keptn-received-cloudevent-resolved-synthetic-outage.json',
);
const KEPTN_OPEN = sample(
	'04-thirdparty-keptn-received-cloudevent-open-test-notification-tags.json',
);
const codes = {
	issueCodeRules: { rules: [rule('/test run/', '100'), rule('shop2', '101', 'keptn_project')] },
	defaultIssueCode: '103',
};

describe.each(SEND_MODES)('Dynatrace, %s', (_, mode) => {
	const dynatrace = (items: unknown[], parameters: Record<string, unknown> = codes) =>
		run('dynatrace', items, withOptions(parameters, mode));

	it('OPEN: one issue for its HOST entity (not the service), the CI of that host', async () => {
		const { outputs } = await dynatrace([OPEN]);
		expect(routed(outputs)).toEqual({ Created: [0] });
		expect(sentBodies()).toEqual([hostBody('MyHost1', '100')]);
		expect(sn.issues().map((i) => i.user)).toEqual([ABEL.sys_id]);
		expect(outputs.Created[0].json.alert).toMatchObject({
			name: 'Dynatrace problem notification test run',
			host: 'MyHost1',
			fingerprint: '99999|HOST-XXXXXXXXXXXXX',
		});
	});

	it('RESOLVED is Skipped, the documented payload and a real one in a CloudEvent; MERGED too, whatever Include Resolved Alerts says', async () => {
		const merged = { ...OPEN, State: 'MERGED' };
		const { outputs } = await dynatrace([RESOLVED, KEPTN_RESOLVED, merged]);
		expect(routed(outputs)).toEqual({ Skipped: [0, 1, 2] });
		expect(outputs.Skipped[2].json.reason).toBe(
			'The problem was merged into another: that one is the problem to act on.',
		);
		const eager = await dynatrace([merged], { ...codes, includeResolved: true });
		expect(routed(eager.outputs)).toEqual({ Skipped: [0] });
		expect(sentBodies()).toEqual([]);
	});

	it("one issue per impacted host; tags as labels for the rules (a CloudEvent's data read as the payload)", async () => {
		const twoHosts = {
			...OPEN,
			ImpactedEntities: [
				...(OPEN.ImpactedEntities as unknown[]),
				{ type: 'HOST', name: 'www.example.com', entity: 'HOST-YYYYYYYYYYYYY' },
			],
		};
		const { outputs } = await dynatrace([twoHosts, KEPTN_OPEN]);
		expect(routed(outputs)).toEqual({ Created: [0, 0], 'Already Being Resolved': [1] });
		// The tag keptn_project:shop2 gives 101, but the first rule (the title) matches first.
		expect(sentBodies()).toEqual([
			hostBody('MyHost1', '100'),
			hostBody('www.example.com', '100'),
			hostBody('MyHost1', '100'),
		]);
		expect(sn.issues().map((i) => i.user)).toEqual([ABEL.sys_id, DAVID.sys_id]);
		sn.reset();
		await dynatrace([KEPTN_OPEN], {
			issueCodeRules: { rules: [rule('shop2', '101', 'keptn_project')] },
		});
		expect(sentBodies()).toEqual([hostBody('MyHost1', '101')]);
	});

	it('a problem on no host (a synthetic monitor) names the entity and how to give it a user', async () => {
		const open = { ...KEPTN_RESOLVED, data: { ...(KEPTN_RESOLVED.data as object), State: 'OPEN' } };
		const { outputs } = await dynatrace([open]);
		expect(routed(outputs)).toEqual({ 'Missing Endpoint': [0] });
		expect(outputs['Missing Endpoint'][0].json.message).toContain(
			'it is about "Third Party Monitor", a Dynatrace SYNTHETIC_TEST, not a computer',
		);
	});

	it('the alert context: title, severity, start time from the problem details, the problem link', async () => {
		const open = { ...KEPTN_RESOLVED, data: { ...(KEPTN_RESOLVED.data as object), State: 'OPEN' } };
		await dynatrace([open], {
			...codes,
			overrides: { endpointUserName: 'abel.tuter' },
			alertContext: ['name', 'severity', 'startedAt', 'links'],
		});
		expect(sentBodies()).toEqual([
			{
				endpoint: { user_name: 'abel.tuter' },
				issue_code: '103',
				provider: 'sn',
				investigative_details: {
					alert_name: 'Browser monitor global outage',
					severity: 'AVAILABILITY',
					started_at: '2022-01-03T15:24:51.837Z',
					source_link:
						'https://test.com/#problems/problemdetails;pid=-6478017825120311599_1641223491837V2',
				},
			},
		]);
	});
});
