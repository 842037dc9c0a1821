/** The issue lifecycle: chaining onto an issue in action_wait, one issue per user and code while it is being resolved, the initial state. */
import { DOCUMENTED_ERRORS } from '../../../contract/errors';
import { startEmulator } from '../../../emulator/server';
import { ABEL, BETH, emulatorForSuite, postJson, send } from '../../helpers/http';
import { createIssue, issueByExperience, patchIssueState } from '../../helpers/issues';

const sn = emulatorForSuite();

const create = (over?: Record<string, unknown>) => createIssue(sn.url, over);
const patchState = (sysId: string, state: unknown) => patchIssueState(sn.url, sysId, state);
const issueOf = (experienceId: string) => issueByExperience(sn.url, experienceId);

describe('chaining a new issue code onto an experience issue', () => {
	it('is allowed while the issue waits in action_wait: same id, new code, history kept', async () => {
		expect((await create({ experience_id: 'EXP-9' })).status).toBe(200);
		const before = await issueOf('EXP-9');
		for (const state of ['in_progress', 'action_wait']) {
			expect((await patchState(before.sys_id, state)).json().result.state).toBe(state);
		}
		const res = await create({
			experience_id: 'EXP-9',
			issue_code: '101',
			input_parameters: { process_id: '7' },
		});
		expect(res.status).toBe(200);
		expect(res.json()).toEqual({ result: { experience_id: 'EXP-9' } });

		const after = await issueOf('EXP-9');
		expect(after).toMatchObject({
			sys_id: before.sys_id,
			issue_code: '101',
			state: 'open',
			issue_code_history: '100,101',
			input_parameters: '{"process_id":"7"}',
		});
		expect(sn.issues()).toHaveLength(1);
	});

	it('works with the id the instance gave an issue created without an experience_id', async () => {
		const id = (await create()).json().result.experience_id;
		expect(id).toMatch(/^[0-9a-f]{32}$/);
		expect((await create({ experience_id: id, issue_code: '101' })).json().error.message).toBe(
			DOCUMENTED_ERRORS.CHAIN_CONFLICT.message,
		);
		await patchState(id, 'action_wait');
		const res = await create({ experience_id: id, issue_code: '101' });
		expect(res.json()).toEqual({ result: { experience_id: id } });
		expect(sn.issues()).toHaveLength(1);
		expect((await issueOf(id)).issue_code_history).toBe('100,101');
	});

	it.each(['open', 'in_progress', 'closed'])('is refused while the issue is %s', async (state) => {
		await create({ experience_id: 'EXP-7' });
		const issue = await issueOf('EXP-7');
		if (state !== 'open') await patchState(issue.sys_id, state);
		const res = await create({ experience_id: 'EXP-7', issue_code: '101' });
		expect(res.status).toBe(400);
		expect(res.json().error.message).toBe(DOCUMENTED_ERRORS.CHAIN_CONFLICT.message);
		expect((await issueOf('EXP-7')).issue_code).toBe('100');
	});

	it('is refused as "being resolved" when the user already has that code open elsewhere', async () => {
		await create({ issue_code: '101' }); // another issue, open, code 101
		await create({ experience_id: 'EXP-8' });
		await patchState((await issueOf('EXP-8')).sys_id, 'action_wait');
		const res = await create({ experience_id: 'EXP-8', issue_code: '101' });
		expect(res.json().error.message).toBe(DOCUMENTED_ERRORS.BEING_RESOLVED.message);
	});
});

describe('one issue per user and issue code while it is being resolved', () => {
	it('allows the same code again once the first issue waits or is closed, and for another user', async () => {
		const first = await create();
		expect(first.status).toBe(200);
		expect((await create()).json().error.message).toBe(DOCUMENTED_ERRORS.BEING_RESOLVED.message);
		expect((await create({ endpoint: { user_id: BETH.sys_id } })).status).toBe(200);
		expect((await create({ issue_code: '101' })).status).toBe(200);
		await patchState(first.json().result.experience_id, 'closed');
		expect((await create()).status).toBe(200);
		expect(sn.issues()).toHaveLength(4);
	});

	it('holds under 50 simultaneous identical creates: exactly one issue, 49 "being resolved"', async () => {
		const answers = await Promise.all(Array.from({ length: 50 }, () => create()));
		const statuses = answers.map((a) => a.status).sort();
		expect(statuses.filter((s) => s === 200)).toHaveLength(1);
		expect(statuses.filter((s) => s === 400)).toHaveLength(49);
		for (const a of answers.filter((x) => x.status === 400)) {
			expect(a.json().error.message).toBe(DOCUMENTED_ERRORS.BEING_RESOLVED.message);
		}
		expect(sn.issues()).toHaveLength(1);
	});
});

describe('new issues start in a configured state', () => {
	it('start in action_wait when so configured, so they can be chained at once', async () => {
		const waiting = await startEmulator({ port: 0, initialState: 'action_wait' });
		try {
			const post = (body: unknown) => postJson(waiting.url, body);
			const body = {
				endpoint: { user_id: ABEL.sys_id },
				issue_code: '100',
				provider: 'sn',
				experience_id: 'W-1',
			};
			expect((await post(body)).status).toBe(200);
			expect(waiting.issues()[0].state).toBe('action_wait');
			expect((await post({ ...body, issue_code: '101' })).status).toBe(200);
		} finally {
			await waiting.close();
		}
	});
});

describe('bounded memory: the issues held', () => {
	const body = (user: string, code: string, extra: Record<string, unknown> = {}) => ({
		endpoint: { user_name: user },
		issue_code: code,
		provider: 'sn',
		...extra,
	});

	it('names a limit of one issue in the singular', async () => {
		const one = await startEmulator({ port: 0, maxIssues: 1 });
		try {
			expect((await postJson(one.url, body('abel.tuter', '100'))).status).toBe(200);
			const refused = await postJson(one.url, body('beth.anglin', '100'));
			expect(refused.json().error.detail).toMatch(/^The emulator holds 1 issue, its limit/);
		} finally {
			await one.close();
		}
	});

	it('refuses creates past maxIssues with CREATION_FAILED naming the limit; chains still go; a reset frees it', async () => {
		const small = await startEmulator({ port: 0, maxIssues: 2, initialState: 'action_wait' });
		try {
			expect(
				(await postJson(small.url, body('abel.tuter', '100', { experience_id: 'M-1' }))).status,
			).toBe(200);
			expect((await postJson(small.url, body('beth.anglin', '100'))).status).toBe(200);
			const third = await postJson(small.url, body('david.miller', '100'));
			expect(third.status).toBe(400);
			expect(third.json().error).toEqual({
				message: 'Error occurred while creating experience issue.',
				detail: expect.stringMatching(
					/^The emulator holds 2 issues, its limit \(maxIssues, --max-issues\)/,
				),
			});
			// A chain makes no new issue.
			expect(
				(await postJson(small.url, body('abel.tuter', '101', { experience_id: 'M-1' }))).status,
			).toBe(200);
			await send(`${small.url}/_emulator/reset`, { method: 'POST' });
			expect((await postJson(small.url, body('david.miller', '100'))).status).toBe(200);
		} finally {
			await small.close();
		}
	});

	it('refuses creates that would pass maxContentBytes of caller content, counting what chains replace', async () => {
		const small = await startEmulator({
			port: 0,
			maxContentBytes: 50_000,
			initialState: 'action_wait',
		});
		try {
			const big = { investigative_details: { log: 'x'.repeat(30_000) } };
			expect(
				(await postJson(small.url, body('abel.tuter', '100', { experience_id: 'B-1', ...big })))
					.status,
			).toBe(200);
			const over = await postJson(small.url, body('beth.anglin', '100', big));
			expect(over.status).toBe(400);
			expect(over.json().error.detail).toMatch(
				/would pass 50000 bytes .*the emulator's limit \(maxContentBytes\)/,
			);
			// Chaining onto B-1 with small details frees what its big ones held.
			expect(
				(
					await postJson(
						small.url,
						body('abel.tuter', '101', {
							experience_id: 'B-1',
							investigative_details: { cpu_usage: '9%' },
						}),
					)
				).status,
			).toBe(200);
			expect((await postJson(small.url, body('beth.anglin', '100', big))).status).toBe(200);
			expect(small.issues()).toHaveLength(2);
		} finally {
			await small.close();
		}
	});
});
