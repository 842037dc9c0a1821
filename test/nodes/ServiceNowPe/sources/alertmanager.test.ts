/**
 * Build From "Prometheus Alertmanager" with what Alertmanager really sends (test/fixtures/vendors,
 * provenance in its README): each payload through the action node in a real n8n workflow against
 * the emulator, with the exact request bodies and branches; hosts looked up in the CMDB.
 */
import { routed } from '../../../helpers/action';
import { buildFromSuite, hostBody, rule } from '../../../helpers/alerts';
import { DAVID } from '../../../helpers/http';

const { sn, sentBodies, ciLookups, samplesOf } = buildFromSuite();
/** Runs these Alertmanager samples (files of alertmanager/) through Build From. */
const alertmanager = samplesOf('alertmanager', 'alertmanager');

describe('Prometheus Alertmanager, as Alertmanager 0.25 sends it', () => {
	const disk = { issueCodeRules: { rules: [rule('DiskRunningFull', '102')] } };

	it('one issue per host and issue code of a group; repeats on Already Being Resolved, also on the next notification; fresh issues after they close', async () => {
		const first = await alertmanager(['01-firing-group-6-alerts.json'], disk);
		expect(first.error).toBeUndefined();
		expect(routed(first.outputs)).toEqual({
			Created: [0, 0, 0],
			'Already Being Resolved': [0, 0, 0],
		});
		expect(sentBodies()).toEqual([
			hostBody('example1', '102'),
			hostBody('example2', '102'),
			hostBody('example3', '102'),
		]);
		expect(ciLookups()).toEqual(['name=example1', 'name=example2', 'name=example3']);
		const repeat = first.outputs['Already Being Resolved'][0].json;
		expect(repeat).toMatchObject({
			sent: false,
			errorCode: 'BEING_RESOLVED',
			experience_id: first.outputs.Created[0].json.experience_id,
			alert: { index: 1, host: 'example1' },
			sameIssueAs: { index: 0, host: 'example1' },
		});
		expect(repeat.message).toBe(
			'Alert "DiskRunningFull" is for the same user and issue code as alert "DiskRunningFull" of this notification: one issue covers both.',
		);

		// Alertmanager repeats the notification while the alerts fire: nothing new is created.
		sn.emulator.clearJournal();
		const again = await alertmanager(['01-firing-group-6-alerts.json'], disk);
		expect(routed(again.outputs)).toEqual({ 'Already Being Resolved': [0, 0, 0, 0, 0, 0] });
		expect(again.outputs['Already Being Resolved'].map((o) => o.json.sent)).toEqual([
			true,
			false,
			true,
			false,
			true,
			false,
		]);
		expect(sn.issues()).toHaveLength(3);

		// Once ServiceNow closes the issues, the same alerts open new ones.
		for (const issue of sn.issues()) sn.emulator.setIssueState(issue.sys_id, 'closed');
		const later = await alertmanager(['01-firing-group-6-alerts.json'], disk);
		expect(routed(later.outputs)).toEqual({
			Created: [0, 0, 0],
			'Already Being Resolved': [0, 0, 0],
		});
		expect(sn.issues()).toHaveLength(6);
		expect(sn.issues().every((i) => i.experience_id === i.sys_id)).toBe(true);
	});

	it('reads each alert status, not the group status: resolved alerts of a firing group are skipped', async () => {
		const { outputs } = await alertmanager(['02-mixed-2-resolved-4-firing.json'], disk);
		expect(routed(outputs)).toEqual({
			Created: [0, 0],
			'Already Being Resolved': [0, 0],
			Skipped: [0, 0],
		});
		expect(outputs.Skipped.map((o) => (o.json.alert as { host: string }).host)).toEqual([
			'example1',
			'example1',
		]);
		expect(sentBodies()).toEqual([hostBody('example2', '102'), hostBody('example3', '102')]);
		const resolved = await alertmanager(['03-resolved-group.json'], disk);
		expect(routed(resolved.outputs)).toEqual({ Skipped: [0, 0, 0, 0] });
	});

	it('looks up the host of a blackbox probe whose instance is a URL, not the URL', async () => {
		const { outputs } = await alertmanager(['04-blackbox-url-instance-firing.json'], {
			defaultIssueCode: '103',
		});
		expect(ciLookups()).toEqual(['name=example.com', 'name=prometheus.io']);
		expect(sentBodies()).toEqual([
			hostBody('example.com', '103'),
			hostBody('prometheus.io', '103'),
		]);
		// http:// and https:// probes of one site are one device and one issue.
		expect(routed(outputs)).toEqual({ Created: [0, 0], 'Already Being Resolved': [0] });
		const resolved = await alertmanager(['05-blackbox-url-instance-resolved.json'], {
			defaultIssueCode: '103',
		});
		expect(routed(resolved.outputs)).toEqual({ Skipped: [0, 0, 0] });
	});

	it("reads Grafana OnCall's example payloads: host:port instances are one host", async () => {
		const { outputs } = await alertmanager(
			['06-grafana-oncall-alertmanager-integration-example-payload.json'],
			{ defaultIssueCode: '103' },
		);
		expect(routed(outputs)).toEqual({ Created: [0], 'Already Being Resolved': [0] });
		expect(sentBodies()).toEqual([hostBody('localhost', '103')]);
		expect(sn.issues()[0].user).toBe(DAVID.sys_id);
	});
});
