/**
 * The emulator plays the engagement of each issue code's scenario: the user engaged, consent, the
 * resolution, its end — closed with an end reason, or waiting in action_wait for the next issue
 * code — and a failed resolution's fallback incident, readable through the Table API. The control
 * API advances the clock or forces an outcome, so tests are deterministic.
 */
import { defaultSeed } from '../../../emulator/core';
import { startEmulator, type RunningEmulator } from '../../../emulator/server';
import { ABEL, BETH, postJson, send } from '../../helpers/http';
import { createIssue } from '../../helpers/issues';
import { tempPath } from '../../helpers/temp';

const TABLE = '/api/now/table/sn_pren_experience_issue';
let clock = Date.parse('2026-11-28T10:00:00Z');
let sn: RunningEmulator;

function seed() {
	const s = defaultSeed();
	s.issue_codes.push(
		{
			issue_code: 'DECLINE',
			provider: 'sn',
			name: 'Consent declined',
			deployed: true,
			resolution: 'Restart',
			scenario: {
				engagement: 'engage_user_consent',
				consent: 'decline',
				outcome: 'resolved',
				fallback: 'incident',
				engage_after_seconds: 5,
				resolve_after_seconds: 5,
			},
		},
		{
			issue_code: 'AGENT',
			provider: 'sn',
			name: 'Live agent fallback',
			deployed: true,
			resolution: 'Restart',
			scenario: {
				engagement: 'engage_user',
				consent: 'accept',
				outcome: 'failed',
				fallback: 'live_agent',
				engage_after_seconds: 5,
				resolve_after_seconds: 5,
			},
		},
	);
	return s;
}

beforeAll(async () => {
	sn = await startEmulator({ port: 0, seed: seed(), now: () => clock });
});
afterAll(() => sn.close());
beforeEach(() => sn.reset());

const create = (issue_code: string, extra: Record<string, unknown> = {}) =>
	postJson(sn.url, {
		endpoint: { user_id: ABEL.sys_id, CI: ABEL.ci },
		issue_code,
		provider: 'sn',
		investigative_details: { cpu_usage: '91%', 'available memory': '8%' },
		...extra,
	});
const advance = async (seconds: number) =>
	(
		await send(`${sn.url}/_emulator/clock/advance`, {
			method: 'POST',
			body: JSON.stringify({ seconds }),
		})
	).json();
const issue = async (experienceId: string) =>
	(
		await send(
			`${sn.url}${TABLE}?sysparm_query=experience_id=${experienceId}&sysparm_fields=state,end_reason,fallback_result,fallback_incident,issue_code_history,sys_updated_on`,
		)
	).json().result[0];

/** What an issue that ended reads: closed, with this end reason, and `more`. */
const closedWith = (endReason: string, more: Record<string, unknown> = {}) => ({
	state: 'closed',
	end_reason: endReason,
	...more,
});

describe('the engagement of the built-in scenarios', () => {
	it('100, engage with consent, accepted, resolved: open → in_progress → closed (resolved), each change at its own time', async () => {
		await create('100', { experience_id: 'E-100' });
		expect(await issue('E-100')).toMatchObject({ state: 'open', end_reason: '' });
		await advance(9);
		expect((await issue('E-100')).state).toBe('open');
		await advance(1);
		expect(await issue('E-100')).toMatchObject({
			state: 'in_progress',
			sys_updated_on: '2026-11-28 10:00:10',
		});
		await advance(60); // past both steps at once: each is played at its own time
		expect(await issue('E-100')).toMatchObject(
			closedWith('resolved', { fallback_result: '', sys_updated_on: '2026-11-28 10:00:40' }),
		);
		clock += 70_000;
	});

	it('101, silent execution that fails: closed with an incident carrying the investigative details, the experience issue as its origin', async () => {
		await create('101', { experience_id: 'E-101' });
		await advance(25);
		const ended = await issue('E-101');
		expect(ended).toMatchObject(
			closedWith('resolution_failed', { fallback_result: 'incident_created' }),
		);
		const incidents = (
			await send(
				`${sn.url}/api/now/table/incident?sysparm_query=origin_table=sn_pren_experience_issue&sysparm_exclude_reference_link=true`,
			)
		).json().result;
		expect(incidents).toHaveLength(1);
		const [incident] = incidents;
		expect(ended.fallback_incident).toEqual({
			link: `${sn.url}/api/now/table/incident/${incident.sys_id}`,
			value: incident.sys_id,
		});
		expect(incident).toMatchObject({
			number: 'INC0010001',
			state: '1',
			caller_id: ABEL.sys_id,
			cmdb_ci: ABEL.ci,
			origin_table: 'sn_pren_experience_issue',
			origin_id: sn.issues()[0].sys_id,
			short_description: 'Low available memory: self-remediation did not resolve the issue',
		});
		expect(incident.description).toBe(
			'Investigative details:\ncpu_usage: 91%\navailable memory: 8%',
		);
		expect(incident.work_notes).toContain('Resolution outcome: failed.');
		// The incident is found from the issue by dot-walking, as on an instance.
		const walked = (
			await send(
				`${sn.url}${TABLE}?sysparm_query=fallback_incident.number=INC0010001&sysparm_fields=experience_id`,
			)
		).json().result;
		expect(walked).toEqual([{ experience_id: 'E-101' }]);
		clock += 30_000;
	});

	it('102 waits in action_wait for the next issue code; chained with 103, it plays 103 and closes', async () => {
		await create('102', { experience_id: 'E-102' });
		await advance(25);
		expect(await issue('E-102')).toMatchObject({ state: 'action_wait', end_reason: '' });
		expect((await create('103', { experience_id: 'E-102' })).status).toBe(200);
		expect(await issue('E-102')).toMatchObject({ state: 'open', issue_code_history: '102,103' });
		await advance(20);
		expect(await issue('E-102')).toMatchObject(closedWith('resolved'));
		clock += 50_000;
	});

	it('T-100, notification only: closed as notified; a declined consent closes without a resolution; a live agent fallback', async () => {
		await createIssue(sn.url, { issue_code: 'T-100', provider: 'tanium', experience_id: 'E-T' });
		await create('DECLINE', { experience_id: 'E-D', endpoint: { user_id: BETH.sys_id } });
		await create('AGENT', { experience_id: 'E-A' });
		await advance(11);
		expect(await issue('E-T')).toMatchObject(closedWith('notified'));
		expect(await issue('E-D')).toMatchObject(closedWith('consent_declined'));
		expect(await issue('E-A')).toMatchObject(
			closedWith('resolution_failed', {
				fallback_result: 'routed_to_live_agent',
				fallback_incident: '',
			}),
		);
		clock += 20_000;
	});
});

describe('control of the engagement, for deterministic tests', () => {
	it('forces an outcome at once, and a Table API state change stops the scenario', async () => {
		await create('100', { experience_id: 'F-1' });
		const forced = await send(`${sn.url}/_emulator/issues/F-1/outcome`, {
			method: 'POST',
			body: '{"outcome":"failed"}',
		});
		expect(forced.status).toBe(200);
		expect(await issue('F-1')).toMatchObject(
			closedWith('resolution_failed', { fallback_result: 'incident_created' }),
		);
		expect(sn.emulator.listIncidents()).toHaveLength(1);
		// A closed issue has ended: nothing more is forced on it (no second incident, no reopening).
		for (const outcome of ['failed', 'awaits_next']) {
			const again = await send(`${sn.url}/_emulator/issues/F-1/outcome`, {
				method: 'POST',
				body: JSON.stringify({ outcome }),
			});
			expect(again.status).toBe(409);
			expect(again.json().error.detail).toMatch(/^The issue is closed \(resolution_failed\)/);
		}
		expect(await issue('F-1')).toMatchObject(closedWith('resolution_failed'));
		expect(sn.emulator.listIncidents()).toHaveLength(1);

		await create('100', { experience_id: 'F-2', endpoint: { user_id: BETH.sys_id } });
		const sysId = sn.issues().find((i) => i.experience_id === 'F-2')?.sys_id;
		await send(`${sn.url}${TABLE}/${sysId}`, {
			method: 'PATCH',
			headers: { 'content-type': 'application/json' },
			body: '{"state":"action_wait"}',
		});
		await advance(120);
		expect((await issue('F-2')).state).toBe('action_wait');
		clock += 130_000;
	});

	it('names what it needs when the outcome or the clock step is wrong', async () => {
		const bad = await send(`${sn.url}/_emulator/issues/NOPE/outcome`, {
			method: 'POST',
			body: '{"outcome":"exploded"}',
		});
		expect(bad.status).toBe(400);
		expect(bad.json().error.message).toBe(
			'Send {"outcome": …} with one of resolved, failed, awaits_next, consent_declined.',
		);
		expect(
			(
				await send(`${sn.url}/_emulator/issues/NOPE/outcome`, {
					method: 'POST',
					body: '{"outcome":"failed"}',
				})
			).status,
		).toBe(404);
		expect(
			(await send(`${sn.url}/_emulator/clock/advance`, { method: 'POST', body: '{"seconds":-1}' }))
				.status,
		).toBe(400);
	});
});

describe('the registry through the Table API', () => {
	it('serves providers, the deployed issue registry (not templates never deployed), its templates, with the provider dot-walked', async () => {
		const rows = async (table: string, query = '') =>
			(
				await send(`${sn.url}/api/now/table/${table}?sysparm_query=${encodeURIComponent(query)}`)
			).json().result;
		expect(
			(await rows('sn_pren_provider')).map((p: { provider_code: string }) => p.provider_code),
		).toEqual(['sn', 'tanium']);
		const registry = await rows(
			'sn_pren_issue_registry',
			'provider.provider_code=sn^ORDERBYissue_code',
		);
		expect(registry.map((r: { issue_code: string }) => r.issue_code)).toEqual([
			'100',
			'101',
			'102',
			'103',
			'300',
			'AGENT',
			'DECLINE',
		]);
		expect(registry[0]).toMatchObject({
			name: 'High CPU usage by a process',
			engagement: 'engage_user_consent',
			active: 'true',
		});
		const templates = await rows('sn_pren_issue_registry_template', 'deployed=false');
		expect(templates.map((t: { issue_code: string }) => t.issue_code)).toEqual(['200']);
	});
});

describe('with --state', () => {
	it('keeps planned steps and incidents across a restart', async () => {
		const statePath = tempPath('pe-engage', 'state.db');
		let now = Date.parse('2026-11-28T12:00:00Z');
		const first = await startEmulator({ port: 0, statePath, now: () => now });
		await createIssue(first.url, { issue_code: '101', experience_id: 'S-1' });
		await createIssue(first.url, {
			endpoint: { user_id: BETH.sys_id },
			issue_code: '101',
			experience_id: 'S-2',
		});
		first.emulator.advanceClock(30);
		await first.close();
		now += 30_000;
		const second = await startEmulator({ port: 0, statePath, now: () => now });
		try {
			expect(second.emulator.listIncidents()).toHaveLength(2);
			expect(second.issues().map((i) => [i.experience_id, i.state, i.fallback_result])).toEqual([
				['S-1', 'closed', 'incident_created'],
				['S-2', 'closed', 'incident_created'],
			]);
		} finally {
			await second.close();
		}
	});

	it("keeps the clock's lead across a restart: planned steps still come due, new issues are not stamped in the past", async () => {
		const statePath = tempPath('pe-engage', 'state.db');
		const now = Date.parse('2026-11-28T12:00:00Z');
		const first = await startEmulator({ port: 0, statePath, now: () => now });
		await createIssue(first.url, { issue_code: '102', experience_id: 'C-1' });
		expect(
			(
				await send(`${first.url}/_emulator/clock/advance`, {
					method: 'POST',
					body: '{"seconds":3600}',
				})
			).status,
		).toBe(200);
		const before = first.issues()[0];
		expect(before).toMatchObject({ state: 'action_wait', sys_updated_on: '2026-11-28 12:00:25' });
		await first.close();
		// The real clock has not moved; the emulator's has, and stays so.
		const second = await startEmulator({ port: 0, statePath, now: () => now });
		try {
			await createIssue(second.url, {
				endpoint: { user_id: BETH.sys_id },
				issue_code: '101',
				experience_id: 'C-2',
			});
			const made = second.issues().find((i) => i.experience_id === 'C-2');
			expect(made?.sys_created_on).toBe('2026-11-28 13:00:00');
			second.emulator.advanceClock(30);
			expect(second.issues().find((i) => i.experience_id === 'C-2')).toMatchObject({
				state: 'closed',
				sys_updated_on: '2026-11-28 13:00:25',
			});
		} finally {
			await second.close();
		}
	});
});
