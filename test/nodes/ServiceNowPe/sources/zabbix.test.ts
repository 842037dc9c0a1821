/**
 * Build From "Zabbix" with what Zabbix media types post (test/fixtures/vendors/zabbix, provenance
 * in its README): the documented parameter set (also named after the macros), Zabbix's own
 * Event-Driven Ansible media type, a third party's short set, and the manual's default Subject and
 * Message; problem and recovery, the exact request bodies and branches, in both Send Modes.
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
import { BETH } from '../../../helpers/http';

const { sn, run, sentBodies } = buildFromSuite();
const sample = (file: string) => vendor(`zabbix/${file}`) as Record<string, unknown>;
const PROBLEM = sample('12-rendered-by-us-macro-parameters-problem.json');
const RESOLVED = sample('13-rendered-by-us-macro-parameters-resolved.json');
const codes = {
	issueCodeRules: { rules: [rule('/cpu/', '100')] },
	defaultIssueCode: '103',
};
/** The parameter set named after the macros: `event_id` → `EVENT.ID`. */
const macroNamed = (payload: Record<string, unknown>) =>
	Object.fromEntries(
		Object.entries(payload).map(([k, v]) => [k.toUpperCase().replace('_', '.'), v]),
	);

describe.each(SEND_MODES)('Zabbix, %s', (_, mode) => {
	const zabbix = (items: unknown[], parameters: Record<string, unknown> = codes) =>
		run('zabbix', items, withOptions(parameters, mode));

	it('the parameter set: a problem is sent for its host, the last value (with its unit) by the item name; the recovery is Skipped', async () => {
		const { outputs } = await zabbix([PROBLEM, RESOLVED]);
		expect(routed(outputs)).toEqual({ Created: [0], Skipped: [1] });
		expect(sentBodies()).toEqual([hostBody('Zabbix server', '100', { cpu_usage: '97.52 %' })]);
		expect(sn.issues().map((i) => i.user)).toEqual([BETH.sys_id]);
		expect(outputs.Created[0].json.alert).toMatchObject({
			name: 'High CPU utilization',
			host: 'Zabbix server',
			fingerprint: '22391|Zabbix server',
		});
	});

	it('the same named after the macros (EVENT.ID, HOST.NAME…) reads the same', async () => {
		const { outputs } = await zabbix([macroNamed(PROBLEM), macroNamed(RESOLVED)]);
		expect(routed(outputs)).toEqual({ Created: [0], Skipped: [1] });
		expect(sentBodies()).toEqual([hostBody('Zabbix server', '100', { cpu_usage: '97.52 %' })]);
	});

	it("Zabbix's own Event-Driven Ansible media type (numbers, tags as an object) and a third party's short set", async () => {
		const { outputs } = await zabbix([
			sample('14-rendered-by-us-event-driven-ansible-media-type-problem.json'),
			sample('01-thirdparty-zulip-media-type-problem.json'),
			sample('02-thirdparty-zulip-media-type-ok.json'),
		]);
		expect(routed(outputs)).toEqual({ Created: [0, 1], Skipped: [2] });
		expect(sentBodies()).toEqual([
			hostBody('Zabbix server', '100'),
			hostBody('www.example.com', '103'),
		]);
		// EVENT.VALUE as a number 0 is a recovery too.
		const recovered = {
			...sample('14-rendered-by-us-event-driven-ansible-media-type-problem.json'),
			event_value: 0,
		};
		expect(routed((await zabbix([recovered])).outputs)).toEqual({ Skipped: [0] });
	});

	it("the manual's default parameters (Subject and Message in words): problem sent, recovery Skipped", async () => {
		const { outputs } = await zabbix([
			sample('10-rendered-by-us-default-parameters-problem.json'),
			sample('11-rendered-by-us-default-parameters-resolved.json'),
		]);
		expect(routed(outputs)).toEqual({ Created: [0], Skipped: [1] });
		expect(sentBodies()).toEqual([hostBody('Zabbix server', '100')]);
		expect(outputs.Created[0].json.alert).toMatchObject({
			name: 'High CPU utilization (over 90% for 5m)',
			fingerprint: '2891|Zabbix server',
		});
	});

	it("an update of a problem (acknowledged…) and an event that is no trigger's are Skipped, whatever Include Resolved Alerts says", async () => {
		const { outputs } = await zabbix(
			[
				{ ...PROBLEM, event_update_status: '1' },
				{ ...PROBLEM, event_source: '3' },
			],
			{ ...codes, includeResolved: true },
		);
		expect(routed(outputs)).toEqual({ Skipped: [0, 1] });
		expect(outputs.Skipped.map((o) => o.json.reason)).toEqual([
			'An update of a problem (acknowledged, commented, its severity changed…), not a new one.',
			"Not a trigger's event (event source 3: discovery, autoregistration or internal).",
		]);
		expect(sentBodies()).toEqual([]);
	});

	it("the trigger's tags as labels: an issue_code and a user tag give the issue code and the endpoint", async () => {
		const tagged = {
			...PROBLEM,
			event_tags: JSON.stringify([
				{ tag: 'issue_code', value: '101' },
				{ tag: 'user', value: 'beth.anglin' },
			]),
		};
		const { outputs } = await zabbix([tagged], { defaultIssueCode: '103' });
		expect(outputs.Created[0].json.alert).toMatchObject({ issueCodeFrom: 'alert label' });
		expect(sentBodies()).toEqual([
			{
				endpoint: { CI: hostBody('Zabbix server', '101').endpoint.CI, user_name: 'beth.anglin' },
				issue_code: '101',
				provider: 'sn',
				investigative_details: { cpu_usage: '97.52 %' },
			},
		]);
	});

	it('the alert context: trigger, event name, description, severity, start and the event link', async () => {
		await zabbix([PROBLEM], {
			...codes,
			alertContext: ['name', 'summary', 'description', 'severity', 'startedAt', 'links'],
		});
		expect(sentBodies()[0].investigative_details).toEqual({
			cpu_usage: '97.52 %',
			alert_name: 'High CPU utilization',
			summary: 'High CPU utilization (over 90% for 5m)',
			description: 'CPU utilization is too high. The system might be slow to respond.',
			severity: 'Warning',
			started_at: '2024-05-14T10:15:32',
			source_link: 'https://zabbix.example.com/tr_events.php?triggerid=22391&eventid=2891',
		});
		// {$ZABBIX.URL} left undefined in Zabbix: the link is no link.
		sn.reset();
		await zabbix(
			[{ ...PROBLEM, event_url: '{$ZABBIX.URL}/tr_events.php?triggerid=22391&eventid=2891' }],
			{
				...codes,
				alertContext: ['links'],
			},
		);
		expect(sentBodies()[0].investigative_details).toEqual({ cpu_usage: '97.52 %' });
	});
});
