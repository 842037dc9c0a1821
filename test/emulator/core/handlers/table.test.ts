/** The Table API: reads of every emulated table (queries, fields, pages, references, XML) and state changes of experience issues. */
import { PLATFORM_ERRORS } from '../../../../contract/errors';
import { defaultSeed } from '../../../../emulator/core';
import { startEmulator } from '../../../../emulator/server';
import { ABEL, BETH, emulatorForSuite, send, xmlText } from '../../../helpers/http';
import { ISSUE_TABLE, createIssue, patchIssueState } from '../../../helpers/issues';

const sn = emulatorForSuite();

const TABLE = ISSUE_TABLE;
const create = (over?: Record<string, unknown>) => createIssue(sn.url, over);
const patchState = (sysId: string, state: unknown) => patchIssueState(sn.url, sysId, state);

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
		const ci = await send(
			`${sn.url}/api/now/table/cmdb_ci_computer?sysparm_query=name=ABEL-LAPTOP`,
		);
		// References as instances give them, unless sysparm_exclude_reference_link=true.
		expect(ci.json().result).toEqual([
			{
				sys_id: ABEL.ci,
				name: 'ABEL-LAPTOP',
				assigned_to: {
					link: `${sn.url}/api/now/table/sys_user/${ABEL.sys_id}`,
					value: ABEL.sys_id,
				},
				sys_class_name: 'cmdb_ci_computer',
			},
		]);
		const plain = await send(
			`${sn.url}/api/now/table/cmdb_ci_computer?sysparm_query=name=ABEL-LAPTOP&sysparm_exclude_reference_link=true`,
		);
		expect(plain.json().result[0].assigned_to).toBe(ABEL.sys_id);
		const users = await send(
			`${sn.url}/api/now/table/sys_user?sysparm_query=user_nameSTARTSWITHadmin`,
		);
		expect(users.json().result).toHaveLength(1);
		expect(users.text).not.toMatch(/password/);
		const roles = await send(
			`${sn.url}/api/now/table/sys_user_role?sysparm_query=name=sn_pren.experience_issue_create`,
		);
		expect(roles.headers['x-total-count']).toBe('1');
	});

	it('reads ^OR and ^NQ as instances do, and ^^ as a literal caret inside a value', async () => {
		const query = async (q: string) =>
			(
				await send(
					`${sn.url}/api/now/table/cmdb_ci_computer?sysparm_query=${encodeURIComponent(q)}&sysparm_fields=name`,
				)
			).json().result;
		expect(await query('name=web-01^ORname=ABEL-LAPTOP^ORDERBYname')).toEqual([
			{ name: 'ABEL-LAPTOP' },
			{ name: 'web-01' },
		]);
		expect(await query('name=web-01^NQname=SPARE-LAPTOP^ORDERBYname')).toEqual([
			{ name: 'SPARE-LAPTOP' },
			{ name: 'web-01' },
		]);
		expect(await query('nameSTARTSWITHweb^name=ABEL-LAPTOP')).toEqual([]);
		// Escaped, the caret is part of the value: no second condition, no OR.
		expect(await query('name=nothing^^ORname=web-01')).toEqual([]);
		const seed = defaultSeed();
		seed.cis.push({ sys_id: 'c'.repeat(32), name: 'lab^ORname=web-01', assigned_to: '' });
		const own = await startEmulator({ port: 0, seed });
		try {
			const res = await send(
				`${own.url}/api/now/table/cmdb_ci_computer?sysparm_query=${encodeURIComponent('name=lab^^ORname=web-01')}&sysparm_fields=sys_id`,
			);
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
			'state must be one of open, in_progress, action_wait, closed, close_skipped (got another string).',
		);
		const other = await send(`${sn.url}${TABLE}/${id}`, {
			method: 'PATCH',
			headers: { 'content-type': 'application/json' },
			body: '{"issue_code": "101"}',
		});
		expect(other.status).toBe(400);
		expect(other.json().error.detail).toMatch(/remove "issue_code"/);
		const ci = await send(`${sn.url}/api/now/table/cmdb_ci_computer/${ABEL.ci}`, {
			method: 'PATCH',
			body: '{}',
		});
		expect(ci.status).toBe(405);
	});

	it('answers Table API field and order names an object inherits as no fields, not with a reset', async () => {
		await create();
		for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
			const res = await send(
				`${sn.url}${TABLE}?sysparm_fields=${name},issue_code&sysparm_query=ORDERBY${name}^ORDERBYDESC${name}`,
			);
			expect([name, res.status, res.json().result]).toEqual([name, 200, [{ issue_code: '100' }]]);
			const xml = await send(`${sn.url}${TABLE}?sysparm_fields=${name}`, {
				headers: { accept: 'application/xml' },
			});
			expect([name, xml.status]).toEqual([name, 200]);
		}
	});
});
