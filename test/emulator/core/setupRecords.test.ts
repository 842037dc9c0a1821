/**
 * The records the API document says must exist before the API can be used: resolutions
 * (sn_pren_resolution) and notification content (sn_pren_notification_content), served through the
 * Table API, the issue registry and its templates pointing at them by reference. An issue code
 * whose registry entry has no resolution, or no notification content, is refused with the
 * documented 400 "Issue code does not have a proper resolution." (the docs name no error for a
 * missing notification content: the emulator's choice). Seed files without notification_content
 * keep working (a default one).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TABLES } from '../../../contract/api';
import { DOCUMENTED_ERRORS } from '../../../contract/errors';
import { DEFAULT_NOTIFICATION_CONTENT, defaultSeed, parseSeed } from '../../../emulator/core';
import { startEmulator } from '../../../emulator/server';
import { emulatorForSuite, postJson, postXml, send, toXml, xmlText } from '../../helpers/http';
import { issueBody } from '../../helpers/issues';
import { tempDir } from '../../helpers/temp';

/** The built-in seed, with a deployed code that has a resolution but no notification content. */
const seed = defaultSeed();
seed.issue_codes.push({
	issue_code: '400',
	provider: 'sn',
	name: 'VPN disconnected (no notification content)',
	deployed: true,
	resolution: 'Reconnect the VPN',
	notification_content: null,
});
const sn = emulatorForSuite({ seed });

const rows = async (path: string) => {
	const res = await send(`${sn.url}/api/now/table/${path}`);
	expect(res.status).toBe(200);
	return res.json().result;
};
const registryOf = async (code: string, fields = '') =>
	(
		await rows(
			`${TABLES.issueRegistry}?sysparm_exclude_reference_link=true&sysparm_query=issue_code=${code}${fields}`,
		)
	)[0];

describe('resolutions and notification content', () => {
	it('are tables of their own, each registry entry and template referring to its records', async () => {
		const resolutions = await rows(`${TABLES.resolution}?sysparm_query=ORDERBYname`);
		expect(resolutions.map((r: { name: string }) => r.name)).toEqual(
			[
				'Apply patch',
				'Battery diagnostics',
				'Clean temporary files',
				'Reconnect the VPN',
				'Restart the process',
				'Restart the service',
				'Terminate the process',
			].sort(new Intl.Collator().compare),
		);
		expect(resolutions[0]).toEqual({
			sys_id: expect.stringMatching(/^[0-9a-f]{32}$/),
			name: 'Apply patch',
			remedial_action_parameters: '',
			active: 'true',
		});
		const contents = await rows(TABLES.notificationContent);
		expect(contents.map((c: { name: string }) => c.name)).toContain(
			'Ask before terminating the process',
		);
		expect(contents).toHaveLength(7); // every code but 400

		const [row] = await rows(`${TABLES.issueRegistry}?sysparm_query=issue_code=100`);
		// References as instances give them; the records they name answer by sys_id.
		expect(row.resolution).toEqual({
			link: `${sn.url}/api/now/table/${TABLES.resolution}/${row.resolution.value}`,
			value: expect.stringMatching(/^[0-9a-f]{32}$/),
		});
		expect(row.notification_content.link).toBe(
			`${sn.url}/api/now/table/${TABLES.notificationContent}/${row.notification_content.value}`,
		);
		expect((await rows(`${TABLES.resolution}/${row.resolution.value}`)).name).toBe(
			'Terminate the process',
		);
		expect(
			(await rows(`${TABLES.notificationContent}/${row.notification_content.value}`)).name,
		).toBe('Ask before terminating the process');

		// Empty references where none is configured.
		expect(await registryOf('300')).toMatchObject({ resolution: '' });
		expect((await registryOf('300')).notification_content).not.toBe('');
		expect(await registryOf('400')).toMatchObject({ notification_content: '' });
		// Templates too, deployed or not.
		const [template] = await rows(
			`${TABLES.issueRegistryTemplate}?sysparm_exclude_reference_link=true&sysparm_query=issue_code=200`,
		);
		expect(template.deployed).toBe('false');
		expect((await rows(`${TABLES.resolution}/${template.resolution}`)).name).toBe(
			'Battery diagnostics',
		);
	});

	it('are dot-walked in queries: registry entries by their resolution or notification content', async () => {
		const codes = async (query: string) =>
			(
				await rows(
					`${TABLES.issueRegistry}?sysparm_fields=issue_code&sysparm_query=${encodeURIComponent(`${query}^ORDERBYissue_code`)}`,
				)
			).map((r: { issue_code: string }) => r.issue_code);
		expect(await codes('resolution.name=Terminate the process')).toEqual(['100']);
		expect(await codes('resolution.nameSTARTSWITHRestart')).toEqual(['101', '103']);
		expect(await codes('resolutionISEMPTY')).toEqual(['300']);
		expect(await codes('notification_contentISEMPTY')).toEqual(['400']);
		expect(await codes('notification_content.name=Patch notification')).toEqual(['T-100']);
	});

	it('a create for a code without notification content answers the documented 400 NO_RESOLUTION, in JSON and XML; with both, 200', async () => {
		const entry = DOCUMENTED_ERRORS.NO_RESOLUTION;
		expect(entry.message).toBe('Issue code does not have a proper resolution.');
		for (const code of ['300', '400']) {
			const res = await postJson(sn.url, issueBody({ issue_code: code }));
			expect([code, res.status, res.json()]).toEqual([
				code,
				400,
				{ error: { message: entry.message, detail: entry.detail }, status: 'failure' },
			]);
			const xml = await postXml(sn.url, toXml('request', issueBody({ issue_code: code })));
			expect([xml.status, xmlText(xml.text, 'message')]).toEqual([400, entry.message]);
		}
		expect(sn.issues()).toHaveLength(0);
		expect(sn.journal().map((e) => e.errorCode)).toEqual(Array(4).fill('NO_RESOLUTION'));
		expect((await postJson(sn.url, issueBody({ issue_code: '100' }))).status).toBe(200);
	});
});

describe('seeds and notification content', () => {
	it('a seed entry without notification_content has the default one; null or "" is none; anything else is refused, naming the field', () => {
		const parsed = parseSeed({
			providers: [{ provider_code: 'sn' }],
			issue_codes: [
				{ issue_code: 'A', provider: 'sn', resolution: 'Fix' },
				{ issue_code: 'B', provider: 'sn', resolution: 'Fix', notification_content: null },
				{ issue_code: 'C', provider: 'sn', resolution: 'Fix', notification_content: 'Prompt' },
				{ issue_code: 'D', provider: 'sn', resolution: 'Fix', notification_content: '' },
			],
		});
		expect(parsed.issue_codes.map((c) => c.notification_content)).toEqual([
			DEFAULT_NOTIFICATION_CONTENT,
			null,
			'Prompt',
			'',
		]);
		expect(() =>
			parseSeed({
				providers: [{ provider_code: 'sn' }],
				issue_codes: [{ issue_code: 'A', provider: 'sn', notification_content: 7 }],
			}),
		).toThrow(
			'Invalid seed: issue_codes[0].notification_content must be a string or null (got 7).',
		);
	});

	it('an older seed file (no notification_content, no PE roles) still creates, reads and refuses as before', async () => {
		const dir = tempDir('pe-old-seed');
		const file = join(dir, 'seed.json');
		writeFileSync(
			file,
			JSON.stringify({
				providers: [{ provider_code: 'sn' }],
				issue_codes: [
					{ issue_code: 'OLD', provider: 'sn', resolution: 'Fix' },
					{ issue_code: 'NONE', provider: 'sn' },
				],
				users: [
					{ sys_id: 'b'.repeat(32), user_name: 'old.user' },
					{
						sys_id: 'c'.repeat(32),
						user_name: 'old.admin',
						roles: ['admin'],
						password: 'x',
					},
				],
			}),
		);
		const old = await startEmulator({ port: 0, seed: file, auth: 'basic' });
		try {
			const auth = {
				authorization: `Basic ${Buffer.from('old.admin:x').toString('base64')}`,
			};
			const body = { endpoint: { user_name: 'old.user' }, provider: 'sn' };
			expect((await postJson(old.url, { ...body, issue_code: 'OLD' }, auth)).status).toBe(200);
			const none = await postJson(old.url, { ...body, issue_code: 'NONE' }, auth);
			expect(none.json().error.message).toBe(DOCUMENTED_ERRORS.NO_RESOLUTION.message);
			const notes = await send(`${old.url}/api/now/table/${TABLES.notificationContent}`, {
				headers: auth,
			});
			expect(notes.json().result.map((r: { name: string }) => r.name)).toEqual([
				DEFAULT_NOTIFICATION_CONTENT,
				DEFAULT_NOTIFICATION_CONTENT,
			]);
			// The roles users hold are records of sys_user_role, even when the seed lists none.
			const roles = await send(`${old.url}/api/now/table/sys_user_role`, { headers: auth });
			expect(roles.json().result.map((r: { name: string }) => r.name)).toEqual(['admin']);
		} finally {
			await old.close();
		}
	});
});
