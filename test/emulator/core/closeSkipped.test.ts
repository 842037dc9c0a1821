/**
 * close_skipped, as "Setting up Proactive Engagement" documents it: with the system property
 * sn_pren.continue_engagement_if_user_is_in_active_VA_conversation on, an experience issue created
 * for a user already in an active Virtual Agent conversation is closed as close_skipped (no new
 * conversation). The create still answers 200 with its experience_id; the issue ends at once, with
 * its end reason, and the trigger sees it. With the property off (the default) the engagement goes
 * on. The property is an option, a CLI flag and a control API call; the conversation a seed flag
 * and a control API call. The 72-hour re-trigger is not played.
 */
import { DOCUMENTED_ERRORS } from '../../../contract/errors';
import { parseArgs, UsageError } from '../../../emulator/cli';
import { Emulator, VA_CONVERSATION_PROPERTY, defaultSeed, parseSeed } from '../../../emulator/core';
import { startEmulator } from '../../../emulator/server';
import { ABEL, INTEGRATION_AUTH, emulatorForSuite, postJson, send } from '../../helpers/http';
import { issueByExperience, issueBody } from '../../helpers/issues';
import { tempPath } from '../../helpers/temp';
import { brief, triggerSuite } from '../../helpers/trigger';

const CAROL = { sys_id: '544e5b6e51e5f42b26dfa5cefb3301dd', user_name: 'carol.chatting' };
const PROPERTY = 'sn_pren.continue_engagement_if_user_is_in_active_VA_conversation';

const control = (url: string, path: string, body?: unknown) =>
	send(`${url}/_emulator/${path}`, {
		method: body === undefined ? 'GET' : 'POST',
		...(body === undefined
			? {}
			: {
					headers: { 'content-type': 'application/json' },
					body: typeof body === 'string' ? body : JSON.stringify(body),
				}),
	});

describe('with the property on (option)', () => {
	const sn = emulatorForSuite({ properties: { [PROPERTY]: true } });

	it('closes an issue for a user in an active VA conversation as close_skipped at once: 200 with its experience_id, end reason saying why', async () => {
		expect(VA_CONVERSATION_PROPERTY).toBe(PROPERTY);
		const res = await postJson(
			sn.url,
			issueBody({ endpoint: { user_name: CAROL.user_name }, experience_id: 'VA-1' }),
		);
		expect([res.status, res.json()]).toEqual([200, { result: { experience_id: 'VA-1' } }]);
		const row = await issueByExperience(sn.url, 'VA-1');
		expect(row).toMatchObject({
			state: 'close_skipped',
			end_reason: 'user_in_active_va_conversation',
			fallback_result: '',
			user: expect.objectContaining({ value: CAROL.sys_id }),
		});
		// Nothing more is played: the clock passing leaves it as it is.
		sn.emulator.advanceClock(3600);
		expect((await issueByExperience(sn.url, 'VA-1')).state).toBe('close_skipped');
		// It is not being resolved: the same code for the same user is taken (and skipped again).
		const again = await postJson(
			sn.url,
			issueBody({ endpoint: { user_name: CAROL.user_name }, experience_id: 'VA-2' }),
		);
		expect(again.status).toBe(200);
		// It is closed: chaining onto it is refused as the document says for a closed issue.
		const chained = await postJson(
			sn.url,
			issueBody({
				endpoint: { user_name: CAROL.user_name },
				issue_code: '101',
				experience_id: 'VA-1',
			}),
		);
		expect(chained.json().error.message).toBe(DOCUMENTED_ERRORS.CHAIN_CONFLICT.message);
		// Its engagement is over: no outcome can be forced on it.
		const forced = await control(sn.url, 'issues/VA-1/outcome', { outcome: 'resolved' });
		expect(forced.status).toBe(409);
		expect(forced.json().error.detail).toMatch(/closed as skipped/);
		// Table API queries find it by its state.
		const skipped = await send(
			`${sn.url}/api/now/table/sn_pren_experience_issue?sysparm_query=state=close_skipped&sysparm_fields=experience_id`,
		);
		expect(skipped.json().result).toEqual([{ experience_id: 'VA-1' }, { experience_id: 'VA-2' }]);
	});

	it('engages a user in no conversation as before', async () => {
		await postJson(sn.url, issueBody({ experience_id: 'NV-1' }));
		expect((await issueByExperience(sn.url, 'NV-1')).state).toBe('open');
		sn.emulator.advanceClock(10);
		expect((await issueByExperience(sn.url, 'NV-1')).state).toBe('in_progress');
	});

	it('skips a chained issue code too when its user is now in a conversation', async () => {
		await postJson(sn.url, issueBody({ issue_code: '102', experience_id: 'CH-1' }));
		sn.emulator.advanceClock(25); // 102 waits in action_wait
		expect((await issueByExperience(sn.url, 'CH-1')).state).toBe('action_wait');
		expect(sn.emulator.setVaConversation(ABEL.user_name, true)).toBe(true);
		expect(
			(await postJson(sn.url, issueBody({ issue_code: '103', experience_id: 'CH-1' }))).status,
		).toBe(200);
		expect(await issueByExperience(sn.url, 'CH-1')).toMatchObject({
			state: 'close_skipped',
			issue_code: '103',
			issue_code_history: '102,103',
		});
	});
});

describe('with the property off (the default)', () => {
	const sn = emulatorForSuite();

	it('engages a user in a conversation as any other: the docs skip only with the property on', async () => {
		expect(sn.emulator.properties).toEqual({ [PROPERTY]: false });
		expect(sn.emulator.vaConversations()).toEqual([CAROL.user_name]);
		await postJson(
			sn.url,
			issueBody({ endpoint: { user_name: CAROL.user_name }, experience_id: 'OFF-1' }),
		);
		expect((await issueByExperience(sn.url, 'OFF-1')).state).toBe('open');
		sn.emulator.advanceClock(40);
		expect(await issueByExperience(sn.url, 'OFF-1')).toMatchObject({
			state: 'closed',
			end_reason: 'resolved',
		});
	});

	it('the control API turns the property on and off, and puts users in a conversation or ends it; reset restores both', async () => {
		expect((await control(sn.url, 'properties')).json()).toEqual({ result: { [PROPERTY]: false } });
		expect((await control(sn.url, 'va-conversations')).json()).toEqual({
			result: [CAROL.user_name],
		});
		expect((await control(sn.url, 'properties', { [PROPERTY]: 'true' })).json()).toEqual({
			result: { [PROPERTY]: true },
		});
		expect((await control(sn.url, 'va-conversations', { user: ABEL.sys_id })).json()).toEqual({
			result: [ABEL.user_name, CAROL.user_name],
		});
		await postJson(sn.url, issueBody({ experience_id: 'ON-1' }));
		expect((await issueByExperience(sn.url, 'ON-1')).state).toBe('close_skipped');
		expect(
			(await control(sn.url, 'va-conversations', { user: ABEL.user_name, active: false })).json(),
		).toEqual({ result: [CAROL.user_name] });
		await postJson(sn.url, issueBody({ issue_code: '101', experience_id: 'ON-2' }));
		expect((await issueByExperience(sn.url, 'ON-2')).state).toBe('open');

		// Wrong calls say what to send, and change nothing.
		for (const [path, body, status, text] of [
			['properties', { 'glide.unknown': true }, 400, /plays only the system properties/],
			['properties', { [PROPERTY]: 'yes' }, 400, /must be true or false/],
			['properties', '[1]', 400, /JSON object/],
			['va-conversations', { user: 'nobody' }, 404, /No user/],
			['va-conversations', { user: ABEL.user_name, active: 'no' }, 400, /"active": true/],
		] as const) {
			const res = await control(sn.url, path, body);
			expect([path, res.status]).toEqual([path, status]);
			expect(res.json().error.message).toMatch(text);
		}
		expect(sn.emulator.properties).toEqual({ [PROPERTY]: true });

		sn.reset();
		expect(sn.emulator.properties).toEqual({ [PROPERTY]: false });
		expect(sn.emulator.vaConversations()).toEqual([CAROL.user_name]);
	});
});

describe('options, seed and CLI', () => {
	it('refuses an unknown property or value, naming it; the seed flag must be true or false', () => {
		expect(() => new Emulator({ properties: { [PROPERTY]: 'on' as never } })).toThrow(
			`${PROPERTY} must be true or false (got "on").`,
		);
		expect(() => new Emulator({ properties: { 'glide.x': true } as never })).toThrow(
			/plays only the system properties sn_pren\.continue_engagement_if_user_is_in_active_VA_conversation/,
		);
		expect(() =>
			parseSeed({ users: [{ sys_id: 'a', user_name: 'a', in_active_va_conversation: 'yes' }] }),
		).toThrow(
			'Invalid seed: users[0].in_active_va_conversation must be true or false (got "yes").',
		);
		expect(
			defaultSeed()
				.users.filter((u) => u.in_active_va_conversation)
				.map((u) => u.user_name),
		).toEqual([CAROL.user_name]);
	});

	it('--property sets the property, repeatable; a wrong name or value is a usage error', () => {
		expect(parseArgs([]).properties).toEqual({});
		expect(parseArgs(['--property', `${PROPERTY}=true`]).properties).toEqual({ [PROPERTY]: true });
		expect(
			parseArgs([`--property=${PROPERTY}=true`, '--property', `${PROPERTY}=false`]).properties,
		).toEqual({ [PROPERTY]: false });
		expect(() => parseArgs(['--property', 'glide.x=true'])).toThrow(UsageError);
		expect(() => parseArgs(['--property', `${PROPERTY}=yes`])).toThrow(
			`--property ${PROPERTY} must be =true or =false (got "${PROPERTY}=yes").`,
		);
	});
});

describe('the state store', () => {
	it('keeps a close_skipped issue across a restart', async () => {
		const statePath = tempPath('pe-skip', 'state.db');
		const first = await startEmulator({ port: 0, statePath, properties: { [PROPERTY]: true } });
		try {
			await postJson(
				first.url,
				issueBody({ endpoint: { user_name: CAROL.user_name }, experience_id: 'KEEP-1' }),
			);
		} finally {
			await first.close();
		}
		const second = await startEmulator({ port: 0, statePath });
		try {
			expect(await issueByExperience(second.url, 'KEEP-1')).toMatchObject({
				state: 'close_skipped',
				end_reason: 'user_in_active_va_conversation',
			});
		} finally {
			await second.close();
		}
	});
});

describe('the trigger', () => {
	const { sn, advance, poller } = triggerSuite();

	it('reports the skipped issue in close_skipped, once', async () => {
		sn.emulator.setProperties({ [PROPERTY]: true });
		const t = poller({ events: ['created', 'stateChanged'], states: ['close_skipped'] });
		expect(await t.poll()).toEqual([]);
		advance(1);
		expect(
			(
				await postJson(
					sn.url,
					issueBody({ endpoint: { user_name: CAROL.user_name }, experience_id: 'TR-VA' }),
					INTEGRATION_AUTH,
				)
			).status,
		).toBe(200);
		advance(10);
		const events = await t.poll();
		expect(brief(events)).toEqual([
			['created', 'TR-VA', 'close_skipped', 'user_in_active_va_conversation'],
			['stateChanged', 'TR-VA', 'close_skipped', 'user_in_active_va_conversation'],
		]);
		advance(10);
		expect(await t.poll()).toEqual([]);
	});
});
