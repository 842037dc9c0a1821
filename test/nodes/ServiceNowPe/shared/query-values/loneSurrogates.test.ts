/** A lone surrogate, or an emoji cut at the end of a 1,024-unit block, before a ^ adds no condition to a query the nodes build. */
import { BASIC, routed, runAction, searchList } from '../../../../helpers/action';
import { alertGroup } from '../../../../helpers/alerts';
import { BETH, createBodies, emulatorForSuite, tableQueries } from '../../../../helpers/http';
import { FAST, bethsIssue, getBy } from '../../../../helpers/queries';

const sn = emulatorForSuite({ auth: 'basic' });

/** An Alertmanager alert for beth.anglin on this host, its CI looked up by the host. */
const alertOfBethOn = (instance: string) =>
	runAction({
		items: [alertGroup([{ alertname: 'NodeDown', instance, user: 'beth.anglin' }])],
		credentials: BASIC(sn.url),
		parameters: { source: 'alertmanager', defaultIssueCode: '101', resolveCiFromHost: true },
	});

/** Beth's issue was made with no CI: the request named her alone. */
function expectBethsIssueWithoutCi(): void {
	expect(sn.issues().map((i) => [i.user, i.configuration_item])).toEqual([[BETH.sys_id, '']]);
	expect(createBodies(sn).map((b) => b.endpoint)).toEqual([{ user_name: 'beth.anglin' }]);
}

describe('a lone surrogate or a cut emoji before ^ adds no condition', () => {
	it('an Alertmanager instance "zz\\ud800^NQname=ABEL-LAPTOP:9100" resolves to no CI: the issue is not made on ABEL-LAPTOP', async () => {
		const { outputs, error } = await alertOfBethOn('zz\ud800^NQname=ABEL-LAPTOP:9100');
		expect(error).toBeUndefined();
		expectBethsIssueWithoutCi();
		expect(routed(outputs)).toEqual({ Created: [0] });
		expect(outputs.Created[0].json).toMatchObject({
			ciNotFoundForHost: 'zz\ud800^NQname=ABEL-LAPTOP',
		});
		expect(tableQueries(sn)).toEqual(['name=zz\ufffd^^NQname=ABEL-LAPTOP']);
	});

	it('an Alertmanager host with an emoji cut at the end of a 1,024-unit block before "^NQnameISNOTEMPTY" resolves to no CI', async () => {
		// The emoji's high half is the 1,024th unit of `name=<host>`: qs encoded its low half with the
		// next `^`, the escape's second `^` reached the instance bare, and any computer matched.
		const host = `${'a'.repeat(1018)}\u{1F600}^NQnameISNOTEMPTY`;
		const { outputs, error } = await alertOfBethOn(host);
		expect(error).toBeUndefined();
		expect(tableQueries(sn)).toEqual([`name=${'a'.repeat(1018)}\u{1F600}^^NQnameISNOTEMPTY`]);
		expectBethsIssueWithoutCi();
		expect(routed(outputs)).toEqual({ Created: [0] });
	});

	it('Get by an experience_id with an emoji cut at the end of a 1,024-unit block before "^NQsys_idISNOTEMPTY" finds no issue, not another user\'s', async () => {
		await bethsIssue(sn.url);
		const id = `${'a'.repeat(1009)}\u{1F600}^NQsys_idISNOTEMPTY`;
		const { outputs, error } = await getBy(sn.url, 'experience_id', [id]);
		expect(error).toBeUndefined();
		expect(tableQueries(sn)).toEqual([
			`experience_id=${'a'.repeat(1009)}\u{1F600}^^NQsys_idISNOTEMPTY`,
		]);
		expect(outputs.Issue.map((i) => i.json)).toEqual([
			{ error: expect.stringMatching(/no issue has experience_id/) },
		]);
	});

	it("a recovery read does not claim another user's issue as the item's own", async () => {
		await bethsIssue(sn.url);
		const beths = sn.issues()[0].experience_id;
		sn.injectFault({ drop: 'after', match: { route: 'create' } });
		const { outputs } = await runAction({
			items: [{ user_name: 'nobody\ud800^NQissue_code=100', code: '100' }],
			credentials: BASIC(sn.url),
			parameters: { options: FAST },
		});
		expect(
			Object.values(outputs)
				.flat()
				.map((i) => i.json.experience_id),
		).not.toContain(beths);
		expect(outputs.Created ?? []).toEqual([]);
		// The user name cannot be queried exactly: no read claims anything.
		expect(tableQueries(sn)).toEqual([]);
	});

	it('the user picker lists no one for "\\ud800^NQuser_nameISNOTEMPTY", inactive users least of all', async () => {
		expect(
			(await searchList(sn.url, 'userSearch', '\ud800^NQuser_nameISNOTEMPTY')).results,
		).toEqual([]);
		expect(tableQueries(sn)).toEqual([
			'active=true^user_nameLIKE\ufffd^^NQuser_nameISNOTEMPTY^ORemailLIKE\ufffd^^NQuser_nameISNOTEMPTY^ORnameLIKE\ufffd^^NQuser_nameISNOTEMPTY^ORDERBYuser_name',
		]);
	});
});
