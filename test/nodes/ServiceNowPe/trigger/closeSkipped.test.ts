/**
 * close_skipped among the trigger's States: with the property
 * sn_pren.continue_engagement_if_user_is_in_active_VA_conversation on, an issue for a user already
 * in a Virtual Agent conversation (the emulator's carol.chatting) is closed without engaging; the
 * trigger reports it once, and only when Closed Skipped is among its States.
 */
import { brief, triggerSuite } from '../../../helpers/trigger';

const { sn, advance, poller, issue } = triggerSuite();
const CAROL = '544e5b6e51e5f42b26dfa5cefb3301dd';

async function propertyOn(): Promise<void> {
	const res = await fetch(`${sn.url}/_emulator/properties`, {
		method: 'POST',
		body: JSON.stringify({
			'sn_pren.continue_engagement_if_user_is_in_active_VA_conversation': true,
		}),
	});
	expect(res.status).toBe(200);
}

describe('the trigger and close_skipped', () => {
	it('reports an issue closed as skipped (user in a Virtual Agent conversation), once, with Closed Skipped among the States', async () => {
		await propertyOn();
		const skipped = poller({ events: ['stateChanged'], states: ['close_skipped'] });
		const closedOnly = poller({ events: ['stateChanged'], states: ['closed'] });
		expect(await skipped.poll()).toEqual([]);
		expect(await closedOnly.poll()).toEqual([]);
		advance(1);
		expect((await issue(CAROL, '100', 'SKIP-1')).status).toBe(200);
		advance(10);
		const events = await skipped.poll();
		expect(brief(events)).toEqual([
			['stateChanged', 'SKIP-1', 'close_skipped', 'user_in_active_va_conversation'],
		]);
		expect(events[0]).toMatchObject({ state: 'close_skipped', user: CAROL, issue_code: '100' });
		expect(await skipped.poll()).toEqual([]);
		// Closed is another state: a trigger on it is not told.
		expect(await closedOnly.poll()).toEqual([]);
	});

	it('with the property off the engagement goes on: no close_skipped', async () => {
		const states = poller({
			events: ['stateChanged'],
			states: ['close_skipped', 'in_progress', 'action_wait', 'closed'],
		});
		expect(await states.poll()).toEqual([]);
		advance(1);
		await issue(CAROL, '100', 'SKIP-2');
		advance(120);
		const reached = brief(await states.poll()).map((e) => e[2]);
		expect(reached.length).toBeGreaterThan(0);
		expect(reached).not.toContain('close_skipped');
	});
});
