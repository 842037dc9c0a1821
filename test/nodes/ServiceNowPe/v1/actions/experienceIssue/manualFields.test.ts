/**
 * Build From "Manual Fields" for a source mapped by hand (AWS CloudWatch alarms, parsed, from
 * test/fixtures/vendors/cloudwatch): Skip Items / Skip When sends the ALARMs and puts the rest on
 * Skipped without failing them; Resolve CI From Host Name looks Host Name up in cmdb_ci_computer,
 * as the presets do. Against the emulator, in both Send Modes.
 */
import { outputsInN8n, routed } from '../../../../../helpers/action';
import {
	CI,
	SEND_MODES,
	buildFromSuite,
	hostBody,
	vendor,
	withOptions,
} from '../../../../../helpers/alerts';
import { ABEL } from '../../../../../helpers/http';

const { sn, run, sentBodies, ciLookups } = buildFromSuite();
const sample = (file: string) => vendor(`cloudwatch/${file}`) as Record<string, unknown>;
/** ALARM on i-0f672ea50a80cda4b, OK of an Auto Scaling group, ALARM on TestInstance. */
const MIXED = [
	sample('13-message-alarm-ec2-cpu-instance-cloudforet.json'),
	sample('12-message-ok-ec2-cpu-autoscaling-group-cloudforet.json'),
	sample('10-message-alarm-single-metric-aws-lambda-go.json'),
];
/** Only ALARMs have an issue code: unskipped, an OK would fail the whole run. */
const MAPPING = {
	endpointUserName: '',
	endpointUserId: '',
	endpointCi: '',
	experienceId: '',
	issueCode: '={{ $json.NewStateValue === "ALARM" ? "100" : "" }}',
	cpuUsage: '={{ $json.NewStateReason.match(/\\[([\\d.]+) /)?.[1] ?? "" }}',
	resolveCiFromHost: true,
	hostName: '={{ $json.Trigger.Dimensions?.[0]?.value }}',
};
const SKIP = { skipItems: 'when', skipWhen: '={{ $json.NewStateValue !== "ALARM" }}' };

describe.each(SEND_MODES)('Manual Fields, %s', (_, mode) => {
	const manual = (items: unknown[], parameters: Record<string, unknown>) =>
		run('manual', items, withOptions({ ...MAPPING, ...parameters }, mode));

	it('a mixed ALARM + OK input: only the ALARMs are sent, each with the CI of its host; the OK is Skipped and nothing fails', async () => {
		const { outputs, error } = await manual(MIXED, SKIP);
		expect(error).toBeUndefined();
		expect(routed(outputs)).toEqual({ Created: [0, 2], Skipped: [1] });
		expect(sentBodies()).toEqual([
			hostBody('i-0f672ea50a80cda4b', '100', { cpu_usage: '17.2564528039004' }),
			hostBody('TestInstance', '100', { cpu_usage: '1234.0' }),
		]);
		expect(outputs.Skipped[0].json).toMatchObject({
			outcome: 'skipped',
			reason: 'Skip When is true for this item: it was not sent.',
			input: MIXED[1],
		});
		expect(outputs.Created[0].json).toMatchObject({ ciResolvedFromHost: 'i-0f672ea50a80cda4b' });
	});

	it('without Skip Items the OK fails the run, before anything is sent', async () => {
		const { error } = await manual(MIXED, {});
		// The OK (an Auto Scaling group: no computer, no user, no issue code) stops the run.
		expect(error).toContain('"eks-6ebcce7e-400b-8a69-f0e9-d9e14bb635d2"');
		expect(sentBodies()).toEqual([]);
	});

	it('Skip When that is not true or false fails the run naming the item and the fix; nothing is sent', async () => {
		const { error, run: r } = await manual(MIXED, {
			skipItems: 'when',
			skipWhen: '={{ $json.NewStateValue }}',
		});
		expect(error).toBeDefined();
		const description = String(
			(r.data.resultData.error as { description?: string } | undefined)?.description,
		);
		expect(`${error} ${description}`).toMatch(
			/Skip When must be true or false; for item 1 it is "ALARM"\..*Nothing was sent\. Write an expression that gives true or false/,
		);
		expect(sentBodies()).toEqual([]);
	});

	it('each host is looked up once; an item with Endpoint CI set is not looked up', async () => {
		const again = [MIXED[0], MIXED[0], MIXED[2], { ...MIXED[2], ci: CI('MyHost1') }];
		const { outputs } = await manual(again, {
			...SKIP,
			endpointCi: '={{ $json.ci ?? "" }}',
		});
		expect(routed(outputs)).toEqual({ Created: [0, 2], 'Already Being Resolved': [1, 3] });
		expect(ciLookups()).toHaveLength(2);
		expect(sentBodies().map((b) => b.endpoint.CI)).toEqual([
			CI('i-0f672ea50a80cda4b'),
			CI('i-0f672ea50a80cda4b'),
			CI('TestInstance'),
			CI('MyHost1'),
		]);
	});

	it('a host the CMDB lacks: with a user the item is sent without CI; without one, Route as Failed puts it on Other, Continue Without CI fails the run naming the fix', async () => {
		const unknown = {
			...MIXED[0],
			Trigger: { Dimensions: [{ name: 'host', value: 'nowhere-01' }] },
		};
		const withUser = await manual([unknown], { ...SKIP, endpointUserId: ABEL.sys_id });
		expect(routed(withUser.outputs)).toEqual({ Created: [0] });
		expect(withUser.outputs.Created[0].json).toMatchObject({ ciNotFoundForHost: 'nowhere-01' });
		expect(sentBodies()).toEqual([
			{
				endpoint: { user_id: ABEL.sys_id },
				issue_code: '100',
				provider: 'sn',
				investigative_details: { cpu_usage: '17.2564528039004' },
			},
		]);
		sn.reset();
		const failed = await manual([unknown, MIXED[2]], { ...SKIP, ciNotFound: 'fail' });
		expect(routed(failed.outputs)).toEqual({ Other: [0], Created: [1] });
		expect(failed.outputs.Other[0].json).toMatchObject({
			errorCode: 'CI_NOT_FOUND',
			message: 'No cmdb_ci_computer record is named "nowhere-01".',
			sent: false,
		});
		const stopped = await manual([unknown], SKIP);
		expect(stopped.error).toBe(
			'No cmdb_ci_computer record is named "nowhere-01", and the item names no user (Endpoint Email, User ID or User Name): add the device to the CMDB under that name, map a user, or choose "Route as Failed" under When No CI Has the Host Name.',
		);
	});
});

describe('Manual Fields: the Skipped output', () => {
	it('is there only with Skip Items "When a Condition Is True", after the outputs Manual Fields had', () => {
		const perError = outputsInN8n({ source: 'manual' });
		expect(perError).not.toContain('Skipped');
		expect(outputsInN8n({ source: 'manual', skipItems: 'when' })).toEqual([...perError, 'Skipped']);
		expect(outputsInN8n({ source: 'manual', skipItems: 'when', errorRouting: 'single' })).toEqual([
			'Created',
			'Skipped',
		]);
		// Chain has no Skipped output, whatever Skip Items says.
		expect(outputsInN8n({ operation: 'chain', skipItems: 'when' })).not.toContain('Skipped');
	});
});
