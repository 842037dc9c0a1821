/**
 * Check Setup against the emulator: a complete set-up passes every check; each prerequisite
 * removed in turn fails its own check with the fix, while the others still answer; nothing is
 * ever created.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INodeExecutionData } from 'n8n-workflow';
import { defaultSeed } from '../../../../../../emulator/core';
import { startEmulator } from '../../../../../../emulator/server';
import { BASIC, oauthStore, runAction } from '../../../../../helpers/action';
import { ABEL, emulatorForSuite } from '../../../../../helpers/http';

/** A seed whose issue code 104 is deployed with a resolution but no notification content. */
const seed = defaultSeed();
seed.issue_codes.push({
	...seed.issue_codes[0],
	issue_code: '104',
	name: 'No notification',
	notification_content: null,
});
seed.users.push({
	...seed.users.find((u) => u.user_name === 'pe.createonly')!,
	sys_id: 'c0ffee00c0ffee00c0ffee00c0ffee00',
	user_name: 'pe.reader',
	email: 'pe.reader@example.com',
	password: 'reader',
	roles: ['sn_pren.experience_issue_read'],
});
const sn = emulatorForSuite({ auth: 'basic', seed });

type Checks = Record<string, { status: string; message: string; fix: string }>;
/** Runs Check Setup as this user with these Check For values; its items by check name. */
async function checkSetup(
	checkFor: Record<string, unknown> = {},
	credentials: Parameters<typeof runAction>[0]['credentials'] = BASIC(sn.url),
): Promise<{ checks: Checks; order: string[]; items: INodeExecutionData[] }> {
	const { outputs, error } = await runAction({
		items: [{}],
		credentials,
		parameters: { operation: 'checkSetup', checkFor, options: { maxAttempts: 1 } },
	});
	expect(error).toBeUndefined();
	const items = outputs.Checks;
	const checks: Checks = {};
	for (const { json } of items) checks[String(json.check)] = json as never;
	return { checks, order: items.map((i) => String(i.json.check)), items };
}
const statuses = (checks: Checks) =>
	Object.fromEntries(Object.entries(checks).map(([k, v]) => [k, v.status]));
const FULL = { issueCode: '100', provider: 'sn', userName: 'abel.tuter' };
const created = () => sn.journal().filter((e) => e.route === 'create' || e.route === 'batch');

describe('Check Setup', () => {
	it('a complete set-up: every check passes, one item per check, and nothing is created', async () => {
		const { checks, order, items } = await checkSetup(FULL);
		expect(order).toEqual([
			'instance',
			'readRole',
			'createRole',
			'provider',
			'issueCode',
			'user',
			'batchApi',
		]);
		expect(statuses(checks)).toEqual(Object.fromEntries(order.map((k) => [k, 'pass'])));
		expect(items.every((i) => (i.pairedItem as { item: number }).item === 0)).toBe(true);
		expect(Object.values(checks).every((c) => c.fix === '')).toBe(true);
		expect(sn.journal().filter((e) => e.route === 'create')).toEqual([]);
		expect(sn.issues()).toEqual([]);
	});

	it('without Check For: the instance, the roles, the default provider sn and the Batch API', async () => {
		const { order, checks } = await checkSetup();
		expect(order).toEqual(['instance', 'readRole', 'createRole', 'provider', 'batchApi']);
		expect(checks.provider.message).toBe('sn_pren_provider has provider_code "sn".');
	});

	it('no read role: readRole fails naming sn_pren.experience_issue_read; the create role still passes', async () => {
		const { checks } = await checkSetup(FULL, BASIC(sn.url, 'pe.createonly', 'createonly'));
		expect(checks.readRole).toMatchObject({
			status: 'fail',
			fix: expect.stringContaining(
				'give it the role sn_pren.experience_issue_read (contained in sn_pren.engagement_admin)',
			),
		});
		expect(checks.createRole.status).toBe('pass');
		expect(checks.instance.status).toBe('pass');
		// What it may not read is unknown, saying which role reads it.
		expect(checks.provider).toMatchObject({
			status: 'unknown',
			fix: expect.stringContaining('sn_pren_provider'),
		});
	});

	it('no create role: createRole fails naming the role and the user', async () => {
		const { checks } = await checkSetup(FULL, BASIC(sn.url, 'pe.reader', 'reader'));
		expect(checks.createRole).toMatchObject({
			status: 'fail',
			fix: 'Give pe.reader the role sn_pren.experience_issue_create.',
		});
		expect(checks.readRole.status).toBe('pass');
		expect(checks.issueCode.status).toBe('pass');
	});

	it.each([
		[
			'an unknown provider',
			{ ...FULL, provider: 'nobody' },
			'provider',
			/No sn_pren_provider record has provider_code "nobody"/,
		],
		[
			'an issue code not deployed (a template only)',
			{ ...FULL, issueCode: '200' },
			'issueCode',
			/has a template .* but is not deployed/,
		],
		[
			'an issue code of no template',
			{ ...FULL, issueCode: '999' },
			'issueCode',
			/No sn_pren_issue_registry record has issue code "999"/,
		],
		[
			'an issue code without a resolution',
			{ ...FULL, issueCode: '300' },
			'issueCode',
			/deployed without a resolution \(sn_pren_resolution\)/,
		],
		[
			'an issue code without notification content',
			{ ...FULL, issueCode: '104' },
			'issueCode',
			/deployed without notification content \(sn_pren_notification_content\)/,
		],
		[
			'a user the instance lacks',
			{ ...FULL, userName: 'nobody' },
			'user',
			/No sys_user record has user_name "nobody"/,
		],
		['an inactive user', { ...FULL, userName: 'former.employee' }, 'user', /is inactive/],
	])(
		'%s: that check fails with its fix, the others still pass',
		async (_, checkFor, failing, says) => {
			const { checks } = await checkSetup(checkFor);
			expect(checks[failing].status).toBe('fail');
			expect(checks[failing].message).toMatch(says);
			expect(checks[failing].fix).not.toBe('');
			const others = Object.entries(checks).filter(
				([k]) => k !== failing && !(failing === 'provider' && k === 'issueCode'),
			);
			expect(others.map(([k, c]) => [k, c.status])).toEqual(others.map(([k]) => [k, 'pass']));
		},
	);

	it('the user by CI: a computer assigned to a user passes, by user ID too', async () => {
		const { checks } = await checkSetup({ ci: 'd049b28e936aa1106f98f6db5cba10d5' });
		expect(checks.user).toMatchObject({
			status: 'pass',
			message: expect.stringContaining('ABEL-LAPTOP'),
		});
		expect((await checkSetup({ userId: ABEL.sys_id })).checks.user.status).toBe('pass');
	});

	it('a Batch API the instance refuses: batchApi fails, saying the node falls back', async () => {
		sn.injectFault({ match: { route: 'batch' }, status: 400 });
		const { checks } = await checkSetup(FULL);
		expect(checks.batchApi).toMatchObject({
			status: 'fail',
			message: expect.stringContaining('falls back to one request per item'),
		});
		expect(checks.instance.status).toBe('pass');
	});

	it('wrong credentials: the instance check fails (401) with the fix; the others are unknown, not guessed', async () => {
		const { checks } = await checkSetup(FULL, BASIC(sn.url, 'pe.integration', 'wrong'));
		expect(checks.instance).toMatchObject({
			status: 'fail',
			message: 'The instance refused the credential (HTTP 401).',
		});
		expect(Object.values(checks).filter((c) => c.status === 'unknown')).toHaveLength(6);
		expect(created()).toEqual([]);
	});

	it('nothing listening: the instance check fails with what to check', async () => {
		const { checks } = await checkSetup({}, BASIC('http://127.0.0.1:1'));
		expect(checks.instance).toMatchObject({
			status: 'fail',
			fix: expect.stringContaining('Instance URL'),
		});
	});

	it('an instance without Proactive Engagement (its tables answer "Invalid table"): the instance check says to install it', async () => {
		const server: Server = createServer((_, res) => {
			res.writeHead(400, { 'content-type': 'application/json' });
			res.end(
				JSON.stringify({
					error: { message: 'Invalid table sn_pren_provider', detail: null },
					status: 'failure',
				}),
			);
		});
		await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
		try {
			const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
			const { checks } = await checkSetup({}, BASIC(url));
			expect(checks.instance).toMatchObject({
				status: 'fail',
				fix: expect.stringContaining('Install Proactive Engagement from the ServiceNow Store'),
			});
		} finally {
			await new Promise((r) => server.close(r));
		}
	});

	it('an OAuth credential names no user: the create role is unknown, saying what to check', async () => {
		const e = await startEmulator({ port: 0, auth: 'oauth' });
		try {
			const { checks } = await checkSetup(FULL, oauthStore(e.url) as never);
			expect(checks.createRole).toMatchObject({
				status: 'unknown',
				fix: expect.stringContaining('OAuth Application User'),
			});
			expect(checks.readRole.status).toBe('pass');
		} finally {
			await e.close();
		}
	});
});
