import { DOCUMENTED_ERRORS, PLATFORM_ERRORS } from '../../contract/errors';
import { defaultSeed } from '../../emulator/core';
import { startEmulator, type RunningEmulator } from '../../emulator/server';
import { ABEL, BETH, postJson, send, xmlText } from '../helpers/http';

let sn: RunningEmulator;
beforeAll(async () => {
	sn = await startEmulator({ port: 0 });
});
afterAll(() => sn.close());
beforeEach(() => sn.reset());

const TABLE = '/api/now/table/sn_pren_experience_issue';

const create = (over: Record<string, unknown> = {}) =>
	postJson(sn.url, { endpoint: { user_id: ABEL.sys_id }, issue_code: '100', provider: 'sn', ...over });

const patchState = (sysId: string, state: unknown) =>
	send(`${sn.url}${TABLE}/${sysId}`, {
		method: 'PATCH',
		headers: { 'content-type': 'application/json', accept: 'application/json' },
		body: JSON.stringify({ state }),
	});

async function issueByExperience(experienceId: string) {
	const res = await send(`${sn.url}${TABLE}?sysparm_query=experience_id=${encodeURIComponent(experienceId)}`);
	return res.json().result[0];
}

describe('chaining a new issue code onto an experience issue', () => {
	it('is allowed while the issue waits in action_wait: same id, new code, history kept', async () => {
		expect((await create({ experience_id: 'EXP-9' })).status).toBe(200);
		const before = await issueByExperience('EXP-9');
		for (const state of ['in_progress', 'action_wait']) {
			expect((await patchState(before.sys_id, state)).json().result.state).toBe(state);
		}
		const res = await create({ experience_id: 'EXP-9', issue_code: '101', input_parameters: { process_id: '7' } });
		expect(res.status).toBe(200);
		expect(res.json()).toEqual({ result: { experience_id: 'EXP-9' } });

		const after = await issueByExperience('EXP-9');
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
		expect((await create({ experience_id: id, issue_code: '101' })).json().error.message).toBe(DOCUMENTED_ERRORS.CHAIN_CONFLICT.message);
		await patchState(id, 'action_wait');
		const res = await create({ experience_id: id, issue_code: '101' });
		expect(res.json()).toEqual({ result: { experience_id: id } });
		expect(sn.issues()).toHaveLength(1);
		expect((await issueByExperience(id)).issue_code_history).toBe('100,101');
	});

	it.each(['open', 'in_progress', 'closed'])('is refused while the issue is %s', async (state) => {
		await create({ experience_id: 'EXP-7' });
		const issue = await issueByExperience('EXP-7');
		if (state !== 'open') await patchState(issue.sys_id, state);
		const res = await create({ experience_id: 'EXP-7', issue_code: '101' });
		expect(res.status).toBe(400);
		expect(res.json().error.message).toBe(DOCUMENTED_ERRORS.CHAIN_CONFLICT.message);
		expect((await issueByExperience('EXP-7')).issue_code).toBe('100');
	});

	it('is refused as "being resolved" when the user already has that code open elsewhere', async () => {
		await create({ issue_code: '101' }); // another issue, open, code 101
		await create({ experience_id: 'EXP-8' });
		await patchState((await issueByExperience('EXP-8')).sys_id, 'action_wait');
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
			const body = { endpoint: { user_id: ABEL.sys_id }, issue_code: '100', provider: 'sn', experience_id: 'W-1' };
			expect((await post(body)).status).toBe(200);
			expect(waiting.issues()[0].state).toBe('action_wait');
			expect((await post({ ...body, issue_code: '101' })).status).toBe(200);
		} finally {
			await waiting.close();
		}
	});
});

describe('Table API', () => {
	it('reads experience issues with sysparm_query, sysparm_fields, sysparm_limit and X-Total-Count', async () => {
		await create({ experience_id: 'A' });
		await create({ experience_id: 'B', issue_code: '101' });
		await create({ experience_id: 'C', endpoint: { user_id: BETH.sys_id } });
		const res = await send(
			`${sn.url}${TABLE}?sysparm_query=${encodeURIComponent(`user=${ABEL.sys_id}^state=open^ORDERBYDESCexperience_id`)}&sysparm_fields=experience_id,issue_code&sysparm_limit=1`,
		);
		expect(res.status).toBe(200);
		expect(res.headers['x-total-count']).toBe('2');
		expect(res.json()).toEqual({ result: [{ experience_id: 'B', issue_code: '101' }] });
	});

	it('reads one record by sys_id, and answers 404 for an unknown one', async () => {
		const id = (await create()).json().result.experience_id;
		const one = await send(`${sn.url}${TABLE}/${id}?sysparm_fields=sys_id,state`);
		expect(one.json()).toEqual({ result: { sys_id: id, state: 'open' } });
		const missing = await send(`${sn.url}${TABLE}/${'f'.repeat(32)}`);
		expect(missing.status).toBe(404);
		expect(missing.json().error.message).toBe(PLATFORM_ERRORS.NO_RECORD.message);
	});

	it('reads CIs by name, users (never their passwords) and roles', async () => {
		const ci = await send(`${sn.url}/api/now/table/cmdb_ci_computer?sysparm_query=name=ABEL-LAPTOP`);
		// References as instances give them, unless sysparm_exclude_reference_link=true.
		expect(ci.json().result).toEqual([
			{ sys_id: ABEL.ci, name: 'ABEL-LAPTOP', assigned_to: { link: `${sn.url}/api/now/table/sys_user/${ABEL.sys_id}`, value: ABEL.sys_id }, sys_class_name: 'cmdb_ci_computer' },
		]);
		const plain = await send(`${sn.url}/api/now/table/cmdb_ci_computer?sysparm_query=name=ABEL-LAPTOP&sysparm_exclude_reference_link=true`);
		expect(plain.json().result[0].assigned_to).toBe(ABEL.sys_id);
		const users = await send(`${sn.url}/api/now/table/sys_user?sysparm_query=user_nameSTARTSWITHadmin`);
		expect(users.json().result).toHaveLength(1);
		expect(users.text).not.toMatch(/password/);
		const roles = await send(`${sn.url}/api/now/table/sys_user_role?sysparm_query=name=sn_pren.experience_issue_create`);
		expect(roles.headers['x-total-count']).toBe('1');
	});

	it('reads ^OR and ^NQ as instances do, and ^^ as a literal caret inside a value', async () => {
		const query = async (q: string) => (await send(`${sn.url}/api/now/table/cmdb_ci_computer?sysparm_query=${encodeURIComponent(q)}&sysparm_fields=name`)).json().result;
		expect(await query('name=web-01^ORname=ABEL-LAPTOP^ORDERBYname')).toEqual([{ name: 'ABEL-LAPTOP' }, { name: 'web-01' }]);
		expect(await query('name=web-01^NQname=SPARE-LAPTOP^ORDERBYname')).toEqual([{ name: 'SPARE-LAPTOP' }, { name: 'web-01' }]);
		expect(await query('nameSTARTSWITHweb^name=ABEL-LAPTOP')).toEqual([]);
		// Escaped, the caret is part of the value: no second condition, no OR.
		expect(await query('name=nothing^^ORname=web-01')).toEqual([]);
		const seed = defaultSeed();
		seed.cis.push({ sys_id: 'c'.repeat(32), name: 'lab^ORname=web-01', assigned_to: '' });
		const own = await startEmulator({ port: 0, seed });
		try {
			const res = await send(`${own.url}/api/now/table/cmdb_ci_computer?sysparm_query=${encodeURIComponent('name=lab^^ORname=web-01')}&sysparm_fields=sys_id`);
			expect(res.json().result).toEqual([{ sys_id: 'c'.repeat(32) }]);
		} finally {
			await own.close();
		}
	});

	it('returns no rows for a condition on a field the table does not have', async () => {
		await create();
		const res = await send(`${sn.url}${TABLE}?sysparm_query=no_such_field=1`);
		expect(res.json().result).toEqual([]);
		expect(res.headers['x-total-count']).toBe('0');
	});

	it('answers in XML when asked', async () => {
		const res = await send(`${sn.url}/api/now/table/cmdb_ci_computer?sysparm_query=name=web-01`, {
			headers: { accept: 'application/xml' },
		});
		expect(xmlText(res.text, 'name')).toBe('web-01');
	});

	it('rejects an unknown table, an invalid state and fields it cannot update, naming the fix', async () => {
		const table = await send(`${sn.url}/api/now/table/change_request`);
		expect(table.status).toBe(400);
		expect(table.json().error.detail).toMatch(/sn_pren_experience_issue/);
		const id = (await create()).json().result.experience_id;
		const state = await patchState(id, 'done');
		expect(state.status).toBe(400);
		expect(state.json().error.detail).toBe(
			'state must be one of open, in_progress, action_wait, closed (got another string).',
		);
		const other = await send(`${sn.url}${TABLE}/${id}`, {
			method: 'PATCH',
			headers: { 'content-type': 'application/json' },
			body: '{"issue_code": "101"}',
		});
		expect(other.status).toBe(400);
		expect(other.json().error.detail).toMatch(/remove "issue_code"/);
		const ci = await send(`${sn.url}/api/now/table/cmdb_ci_computer/${ABEL.ci}`, { method: 'PATCH', body: '{}' });
		expect(ci.status).toBe(405);
	});
});
