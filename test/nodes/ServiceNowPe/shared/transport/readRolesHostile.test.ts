/**
 * Refused and unreadable reads under attack: the Batch API losing its answer for a user who may
 * not read (each item flagged once, nothing made twice), a batch item answered 5xx whose recovery
 * read is refused, and Chain onto an issue closed as close_skipped.
 */
import { BASIC, CHAIN_ALONE, routed, runAction } from '../../../../helpers/action';
import { ABEL, BETH, DAVID, emulatorForSuite, postJson } from '../../../../helpers/http';
import { issueBody } from '../../../../helpers/issues';

const sn = emulatorForSuite({ auth: 'basic' });
const CREATE_ONLY = ['pe.createonly', 'createonly'] as const;
const READ_ROLE = 'give it the role sn_pren.experience_issue_read';
const BATCH = { sendMode: 'batch', maxAttempts: 2, retryBaseDelayMs: 10 };
const three = [
	{ user_id: ABEL.sys_id, code: '100' },
	{ user_id: BETH.sys_id, code: '100' },
	{ user_id: DAVID.sys_id, code: '101' },
];

describe('Batch API: a recovery read refused', () => {
	it('the batch answer lost after it ran: every item once, flagged with the role, no issue made twice', async () => {
		sn.injectFault({ drop: 'after', match: { route: 'batch' } });
		const { outputs, error } = await runAction({
			items: three,
			credentials: BASIC(sn.url, ...CREATE_ONLY),
			parameters: { options: BATCH },
		});
		expect(error).toBeUndefined();
		const all = Object.values(outputs).flat();
		expect(all.map((i) => (i.pairedItem as { item: number }).item).sort()).toEqual([0, 1, 2]);
		for (const item of all)
			expect(item.json).toMatchObject({
				mayHaveBeenCreated: true,
				recoveryReadRefused: expect.stringContaining(READ_ROLE),
			});
		expect(sn.issues()).toHaveLength(3);
	});

	it('one item answered 500 inside the batch: only it is flagged; the others are created plainly', async () => {
		sn.injectFault({ status: 500, match: { route: 'create', issue_code: '101' } });
		const { outputs } = await runAction({
			items: three,
			credentials: BASIC(sn.url, ...CREATE_ONLY),
			parameters: { options: BATCH },
		});
		const all = Object.values(outputs).flat();
		expect(all).toHaveLength(3);
		const byItem = new Map(all.map((i) => [(i.pairedItem as { item: number }).item, i.json]));
		expect(byItem.get(0)).not.toHaveProperty('recoveryReadRefused');
		expect(byItem.get(1)).not.toHaveProperty('recoveryReadRefused');
		expect(byItem.get(2)).toMatchObject({ mayHaveBeenCreated: true });
		expect(byItem.get(2)!.recoveryReadRefused).toEqual(expect.stringContaining(READ_ROLE));
		expect(sn.issues()).toHaveLength(3);
	});
});

describe('close_skipped', () => {
	const skipping = emulatorForSuite({
		auth: 'basic',
		properties: { 'sn_pren.continue_engagement_if_user_is_in_active_VA_conversation': true },
	});

	it('Chain onto a close_skipped issue is not sent: its state named, nothing changed', async () => {
		const made = await postJson(
			skipping.url,
			issueBody({ endpoint: { user_name: 'carol.chatting' }, experience_id: 'SKIP-1' }),
			{ authorization: `Basic ${Buffer.from('pe.integration:integration').toString('base64')}` },
		);
		expect(made.status).toBe(200);
		const { outputs } = await runAction({
			items: [{ experience_id: 'SKIP-1', code: '101' }],
			credentials: BASIC(skipping.url),
			parameters: CHAIN_ALONE,
		});
		const [item] = Object.values(outputs).flat();
		expect(item.json).toMatchObject({ issueState: 'close_skipped' });
		expect(JSON.stringify(item.json)).toMatch(/close_skipped.*action_wait/);
		expect(Object.values(routed(outputs)).flat()).toEqual([0]);
		expect(skipping.journal().filter((e) => e.route === 'create')).toHaveLength(1);
	});
});
