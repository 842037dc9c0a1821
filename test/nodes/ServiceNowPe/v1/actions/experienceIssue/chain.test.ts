/**
 * The Chain operation: it checks the issue's state first (or lets the instance judge), sends the
 * issue's own user when it names none, and says why it cannot chain.
 */
import { createServer } from 'node:http';
import { DOCUMENTED_ERRORS } from '../../../../../../contract/errors';
import {
	BASIC,
	CHAIN,
	CHAIN_ALONE,
	createdBy,
	routed,
	runAction,
} from '../../../../../helpers/action';
import { ABEL, BETH, INTEGRATION_AUTH, emulatorForSuite } from '../../../../../helpers/http';
import { listen } from '../../../../../helpers/proxy';

const sn = emulatorForSuite({ auth: 'basic' });
/** Chains the items onto their experience_id, the endpoint user from their user_id. */
const chain = (items: Array<Record<string, unknown>>, parameters: Record<string, unknown> = {}) =>
	runAction({
		items,
		credentials: BASIC(sn.url),
		parameters: { ...CHAIN, endpointUserId: '={{ $json.user_id }}', ...parameters },
	});

describe('Chain', () => {
	it("refuses unsent while the issue is not in action_wait, chains once it is, using the issue's user", async () => {
		await createdBy(sn.url, { user_id: ABEL.sys_id, code: '100', experience_id: 'CHAIN-1' });
		const early = await chain([{ experience_id: 'CHAIN-1', code: '101' }]);
		expect(routed(early.outputs)).toEqual({ 'Chain Conflict': [0] });
		expect(early.outputs['Chain Conflict'][0].json).toMatchObject({
			sent: false,
			issueState: 'open',
			message: DOCUMENTED_ERRORS.CHAIN_CONFLICT.message,
		});
		expect(String(early.outputs['Chain Conflict'][0].json.detail)).toContain('in state "open"');
		expect(sn.journal().filter((e) => e.route === 'create')).toHaveLength(1);

		sn.emulator.setIssueState('CHAIN-1', 'action_wait');
		const done = await chain([{ experience_id: 'CHAIN-1', code: '101' }]);
		expect(routed(done.outputs)).toEqual({ Chained: [0] });
		expect(done.outputs.Chained[0].json).toMatchObject({
			outcome: 'chained',
			experience_id: 'CHAIN-1',
			issueState: 'action_wait',
			request: { endpoint: { user_id: ABEL.sys_id }, issue_code: '101', experience_id: 'CHAIN-1' },
		});
		expect(sn.issues()[0]).toMatchObject({
			experience_id: 'CHAIN-1',
			issue_code: '101',
			issue_code_history: ['100', '101'],
		});
	});

	it('lets the instance judge when the state check is off', async () => {
		await createdBy(sn.url, { user_id: BETH.sys_id, code: '100', experience_id: 'CHAIN-2' });
		const res = await chain([{ experience_id: 'CHAIN-2', code: '101', user_id: BETH.sys_id }], {
			checkState: false,
		});
		expect(routed(res.outputs)).toEqual({ 'Chain Conflict': [0] });
		expect(res.outputs['Chain Conflict'][0].json).toMatchObject({ sent: true, httpStatus: 400 });
	});

	it('says there is nothing to chain onto for an unknown experience_id', async () => {
		const res = await chain([{ experience_id: 'NOPE', code: '101' }]);
		expect(res.error).toBeUndefined();
		expect(routed(res.outputs)).toEqual({ Other: [0] });
		expect(res.outputs.Other[0].json).toMatchObject({ errorCode: 'ISSUE_NOT_FOUND', sent: false });
	});

	it('Chain whose state check cannot read the issue says so (not "no endpoint"), and sends nothing', async () => {
		await createdBy(sn.url, { user_id: ABEL.sys_id, code: '100', experience_id: 'READ-1' });
		sn.emulator.setIssueState('READ-1', 'action_wait');
		sn.injectFault({ status: 403, count: 0, match: { route: 'table' } });
		const { outputs, error } = await chain([{ experience_id: 'READ-1', code: '101' }], CHAIN_ALONE);
		expect(error).toBeUndefined();
		expect(routed(outputs)).toEqual({ Other: [0] });
		expect(outputs.Other[0].json).toMatchObject({
			errorCode: 'FORBIDDEN',
			sent: false,
			message: 'Reading the issue before chaining failed (HTTP 403).',
		});
		expect(String(outputs.Other[0].json.detail)).toContain(
			'give it the role sn_pren.experience_issue_read (contained in sn_pren.engagement_admin)',
		);
		expect(sn.journal().filter((e) => e.route === 'create')).toHaveLength(1);
	});

	it("Chain without an endpoint sends the issue's own user, also from an instance that gives references as {link, value} regardless", async () => {
		// In front of the emulator, a proxy that drops sysparm_exclude_reference_link: the emulator then
		// answers references as instances do by default.
		const proxy = await listen(
			createServer((req, res) => {
				const chunks: Buffer[] = [];
				req.on('data', (c: Buffer) => chunks.push(c));
				req.on('end', async () => {
					const url = (req.url ?? '/').replace(/[?&]sysparm_exclude_reference_link=true/, (m) =>
						m.startsWith('?') ? '?' : '',
					);
					const answer = await fetch(sn.url + url, {
						method: req.method,
						headers: req.headers as Record<string, string>,
						body: req.method === 'GET' ? undefined : Buffer.concat(chunks),
					});
					res.writeHead(answer.status, {
						'content-type': answer.headers.get('content-type') ?? 'application/json',
					});
					res.end(await answer.text());
				});
			}),
		);
		try {
			const { url } = proxy;
			await createdBy(url, { user_id: ABEL.sys_id, code: '102', experience_id: 'LINK-1' });
			sn.emulator.setIssueState('LINK-1', 'action_wait');
			const raw = await fetch(
				`${url}/api/now/table/sn_pren_experience_issue?sysparm_query=experience_id=LINK-1&sysparm_exclude_reference_link=true`,
				{ headers: INTEGRATION_AUTH },
			);
			expect(
				((await raw.json()) as { result: Array<{ user: unknown }> }).result[0].user,
			).toMatchObject({ value: ABEL.sys_id });
			const chained = await runAction({
				items: [{ experience_id: 'LINK-1', code: '103' }],
				credentials: BASIC(url),
				parameters: CHAIN_ALONE,
			});
			expect(chained.error).toBeUndefined();
			expect(routed(chained.outputs)).toEqual({ Chained: [0] });
			expect(chained.outputs.Chained[0].json.request).toMatchObject({
				endpoint: { user_id: ABEL.sys_id },
			});
		} finally {
			await proxy.close();
		}
	});
});
