/**
 * The Get operation: the issue as the instance holds it, found by experience_id or sys_id; and the
 * IDs Get and Chain read (and hosts looked up) carried as data.
 */
import type { INodeExecutionData } from 'n8n-workflow';
import { BASIC, CHAIN, createdBy, runAction } from '../../../../../helpers/action';
import { ABEL, createBodies, emulatorForSuite, tableQueries } from '../../../../../helpers/http';

const sn = emulatorForSuite({ auth: 'basic' });
/** Gets the issue of this ID (by experience_id unless `findBy` says otherwise). */
const get = (issueId: string, findBy?: string) =>
	runAction({
		items: [{}],
		credentials: BASIC(sn.url),
		parameters: { operation: 'get', issueId, ...(findBy ? { findBy } : {}) },
	});
/** Chains code 101 onto this experience_id. */
const chainOnto = (experienceId: string) =>
	runAction({
		items: [{ experience_id: experienceId, code: '101' }],
		credentials: BASIC(sn.url),
		parameters: CHAIN,
	});
/** The chain found no issue to chain onto and sent nothing; `more` as said. */
const expectNotFound = (
	outputs: Record<string, INodeExecutionData[]>,
	more: Record<string, unknown> = {},
) =>
	expect(outputs.Other[0].json).toMatchObject({
		errorCode: 'ISSUE_NOT_FOUND',
		sent: false,
		...more,
	});

describe('Get', () => {
	it('returns the state the emulator holds, with JSON fields parsed', async () => {
		await createdBy(sn.url, {
			user_id: ABEL.sys_id,
			code: '100',
			experience_id: 'GET-1',
			cpu: '78%',
		});
		sn.emulator.setIssueState('GET-1', 'in_progress');
		const sysId = sn.issues()[0].sys_id;
		for (const [findBy, id] of [
			['experience_id', 'GET-1'],
			['sys_id', sysId],
		]) {
			const { outputs } = await get(id, findBy);
			expect(outputs.Issue[0].json).toMatchObject({
				experience_id: 'GET-1',
				sys_id: sysId,
				state: 'in_progress',
				issue_code: '100',
				user: ABEL.sys_id,
				investigative_details: { cpu_usage: '78%' },
				issue_code_history: ['100'],
			});
		}
		const missing = await get('NOPE');
		expect(missing.error).toBe(
			'No experience issue with this ID: no issue has experience_id "NOPE".',
		);
	});
});

describe('Table API reads carry values as data', () => {
	it('says why an ID holding a lone surrogate finds no issue (Get and Chain)', async () => {
		const broken = 'REAL\ud800';
		const got = await get(broken);
		const description = (got.run.data.resultData.error as { description?: string } | undefined)
			?.description;
		expect(description).toBe(
			'Check the ID and Find By. It holds a broken character (a lone UTF-16 surrogate), which no stored value has: check the expression that gives it.',
		);
		const chained = await chainOnto(broken);
		expectNotFound(chained.outputs, {
			detail: expect.stringContaining('It holds a broken character (a lone UTF-16 surrogate)'),
		});
	});

	it('escapes ^ in an ID and a host name, so neither can add query conditions of its own', async () => {
		await createdBy(sn.url, { user_id: ABEL.sys_id, code: '100', experience_id: 'REAL-1' });
		const injected = 'NOPE^ORstate=open';
		const got = await get(injected);
		expect(got.error).toBe(
			`No experience issue with this ID: no issue has experience_id "${injected}".`,
		);
		expectNotFound((await chainOnto(injected)).outputs);

		const { outputs } = await runAction({
			items: [
				{
					version: '4',
					groupKey: '{}:{}',
					alerts: [
						{
							status: 'firing',
							labels: {
								alertname: 'HighCpuUsage',
								instance: 'nothing^ORname=web-01:9100',
								user: 'abel.tuter',
							},
						},
					],
				},
			],
			credentials: BASIC(sn.url),
			parameters: { source: 'alertmanager', defaultIssueCode: '101', resolveCiFromHost: true },
		});
		expect(outputs.Created[0].json).toMatchObject({ ciNotFoundForHost: 'nothing^ORname=web-01' });
		expect(createBodies(sn).pop().endpoint).toEqual({ user_name: 'abel.tuter' });
		expect(tableQueries(sn)).toEqual([
			'experience_id=NOPE^^ORstate=open',
			'experience_id=NOPE^^ORstate=open',
			'name=nothing^^ORname=web-01',
		]);
	});
});
