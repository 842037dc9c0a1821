/**
 * Build From "Datadog" with what Datadog webhooks really send (test/fixtures/vendors, provenance in
 * its README): default and custom payloads, the exact request bodies and branches.
 */
import { routed } from '../../../helpers/action';
import { buildFromSuite, hostBody, rule } from '../../../helpers/alerts';
import { BETH, DAVID } from '../../../helpers/http';

const { sn, run, sentBodies, samplesOf } = buildFromSuite();
/** Runs these Datadog samples (files of datadog/) through Build From. */
const datadog = samplesOf('datadog', 'datadog');

describe('Datadog', () => {
	const down = {
		issueCodeRules: { rules: [rule('Host is Down', '103'), rule('/out of memory/', '101')] },
	};

	it('the default payload: the monitor name without its [P1] [Triggered on {…}] decoration, the host from the title', async () => {
		const { outputs } = await datadog(['10-rendered-by-us-default-triggered.json'], down);
		expect(routed(outputs)).toEqual({ Created: [0] });
		expect(outputs.Created[0].json.alert).toMatchObject({
			name: 'Host is Down',
			host: 'ip-012345',
			issueCodeFrom: 'rule 1',
		});
		expect(sentBodies()).toEqual([hostBody('ip-012345', '103')]);
	});

	it('a recovery in the default payload (only the title says so) is skipped, not created', async () => {
		const { outputs } = await datadog(['11-rendered-by-us-default-recovered.json'], down);
		expect(routed(outputs)).toEqual({ Skipped: [0] });
		expect(sentBodies()).toEqual([]);
	});

	it('custom templates: $ALERT_TRANSITION or the alert type decides; real captures triggered, recovered and re-triggered', async () => {
		const payloads = [
			'12-rendered-by-us-custom-triggered.json',
			'13-rendered-by-us-custom-recovered.json',
			'02-custom-template-triggered-host-scope-codenow-fluffy.json',
			'03-custom-template-recovered-by-user-codenow-fluffy.json',
		];
		const { outputs } = await datadog(payloads, down);
		expect(routed(outputs)).toEqual({ Created: [0, 2], Skipped: [1, 3] });
		expect(sentBodies()).toEqual([hostBody('ip-012345', '103'), hostBody('i-3b93aafb', '101')]);
		sn.reset();
		const log = [
			'04-custom-template-P2-triggered-log-monitor-pokt.json',
			'05-custom-template-P2-recovered-by-user-log-monitor-pokt.json',
			'06-custom-template-P2-re-triggered-log-monitor-pokt.json',
		];
		const pokt = await datadog(log, {
			defaultIssueCode: '103',
			overrides: { endpointUserName: 'abel.tuter' },
		});
		expect(routed(pokt.outputs)).toEqual({
			Created: [0],
			'Already Being Resolved': [2],
			Skipped: [1],
		});
		// Without $ALERT_ID in the template, the monitor name and the title's scope make the identity.
		expect(pokt.outputs.Created[0].json.alert).toMatchObject({
			name: 'xDai UE2-A',
			fingerprint: 'xDai UE2-A|@conditions:NOT_SYNCHRONIZED',
		});
	});

	it('one monitor on two hosts is two alerts, two issues', async () => {
		const hosts = [
			'14-rendered-by-us-custom-multi-host-same-monitor-host1.json',
			'15-rendered-by-us-custom-multi-host-same-monitor-host2.json',
		];
		const { outputs } = await datadog(hosts, down);
		expect(routed(outputs)).toEqual({ Created: [0, 1] });
		expect(
			outputs.Created.map((o) => (o.json.alert as { fingerprint: string }).fingerprint),
		).toEqual(['1234|host:ip-012345', '1234|host:my-host']);
		expect(sentBodies()).toEqual([hostBody('ip-012345', '103'), hostBody('my-host', '103')]);
		expect(sn.issues().map((i) => i.user)).toEqual([BETH.sys_id, DAVID.sys_id]);
	});

	it('a custom payload of documented variables without $EVENT_TITLE or $ALERT_TRANSITION ($ALERT_TITLE undecorated) is read, as sent and in a Webhook node body', async () => {
		const custom = (alertType: string) => ({
			alert_title: 'High CPU on host:my-host',
			hostname: 'my-host',
			tags: 'env:prod,host:my-host',
			alert_id: '1234',
			alert_type: alertType,
			alert_status: 'system.load.1 over host:my-host was > 0 at least once during the last 1m',
			link: 'https://app.datadoghq.com/event/event?id=1',
		});
		const { outputs } = await run(
			'datadog',
			[
				custom('error'),
				{ headers: {}, body: custom('error') },
				{ headers: {}, body: custom('success') },
			],
			{ defaultIssueCode: '101' },
		);
		expect(routed(outputs)).toEqual({ Created: [0], 'Already Being Resolved': [1], Skipped: [2] });
		expect(outputs.Created[0].json.alert).toMatchObject({
			name: 'High CPU on host:my-host',
			host: 'my-host',
			fingerprint: '1234|my-host',
		});
		expect(sentBodies()).toEqual([hostBody('my-host', '101'), hostBody('my-host', '101')]);
		expect(sn.issues().map((i) => i.user)).toEqual([DAVID.sys_id]);
	});

	it('a payload without a host goes to Missing Endpoint with the alert named', async () => {
		const { outputs } = await datadog(
			['01-default-payload-plus-3-custom-fields-triggered-inres.json'],
			{ defaultIssueCode: '103' },
		);
		expect(routed(outputs)).toEqual({ 'Missing Endpoint': [0] });
		expect(String(outputs['Missing Endpoint'][0].json.message)).toMatch(
			/^Alert "High tracking" names no user or device/,
		);
	});
});
