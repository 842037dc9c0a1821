import { request } from 'node:http';
import { startEmulator } from '../../emulator/server';
import { PLATFORM_ERRORS } from '../../contract/errors';
import { ABEL, CREATE_PATH, postJson, postXml, send, emulatorForSuite } from '../helpers/http';

const sn = emulatorForSuite();

const valid = { endpoint: { user_id: ABEL.sys_id }, issue_code: '100', provider: 'sn' };

describe('security of the emulator', () => {
	it.each([
		['an external entity (XXE)', '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r><issue_code>&x;</issue_code></r>'],
		['a parameter entity', '<!DOCTYPE r [<!ENTITY % p SYSTEM "http://127.0.0.1/x.dtd"> %p;]><r/>'],
		['an entity expansion bomb', `<!DOCTYPE r [<!ENTITY a "${'a'.repeat(100)}">${Array.from({ length: 9 }, (_, i) => `<!ENTITY ${String.fromCharCode(98 + i)} "${`&${String.fromCharCode(97 + i)};`.repeat(10)}">`).join('')}]><r><issue_code>&j;</issue_code></r>`],
	])('refuses %s without reading or expanding anything', async (_label, xml) => {
		const res = await postXml(sn.url, xml, { accept: 'application/json' });
		expect(res.status).toBe(400);
		expect(res.json().error.detail).toMatch(/DOCTYPE/);
		expect(res.text).not.toContain('root:');
		expect(res.text.length).toBeLessThan(500);
	});

	it('cannot be made to pollute prototypes through JSON or XML keys', async () => {
		const json = `{"endpoint":{"user_id":"${ABEL.sys_id}","__proto__":{"polluted":"yes"}},"issue_code":"100","provider":"sn","investigative_details":{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"cpu":"1"}}`;
		expect((await postJson(sn.url, json)).status).toBe(200);
		const xml = `<r><endpoint><user_id>${ABEL.sys_id}</user_id></endpoint><issue_code>101</issue_code><provider>sn</provider><investigative_details><__proto__><polluted>yes</polluted></__proto__><constructor><prototype><polluted>yes</polluted></prototype></constructor></investigative_details></r>`;
		// XML element names that are prototype keys are refused outright, with the reason.
		const refused = await postXml(sn.url, xml, { accept: 'application/json' });
		expect(refused.status).toBe(400);
		expect(refused.json().error.detail).toMatch(/__proto__.*reserved/);
		expect(({} as Record<string, unknown>).polluted).toBeUndefined();
		expect((Object.create(null) as Record<string, unknown>).polluted).toBeUndefined();
		const stored = sn.issues()[0].investigative_details;
		expect(Object.getPrototypeOf(Object.getPrototypeOf(stored))).toBeNull(); // a plain object
		expect(Object.prototype.hasOwnProperty.call(stored, '__proto__')).toBe(true); // kept as data, not as a prototype
		const rows = (await send(`${sn.url}/api/now/table/sn_pren_experience_issue`)).json().result;
		expect(rows[0].investigative_details).toContain('"__proto__":{"polluted":"yes"}');
	});

	it('answers 413 to a body over the limit as soon as it is exceeded, without reading the rest', async () => {
		const small = await startEmulator({ port: 0, maxBodyBytes: 16 * 1024 });
		try {
			const status = await new Promise<number>((resolve, reject) => {
				const url = new URL(small.url + CREATE_PATH);
				const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
					resolve(res.statusCode ?? 0);
					res.resume();
				});
				req.on('error', (e) => (/EPIPE|ECONNRESET/.test(String(e)) ? undefined : reject(e)));
				// Keep streaming: 64 MiB would take a while if the server read it all.
				const chunk = Buffer.alloc(64 * 1024, 'a');
				let sent = 0;
				const pump = () => {
					while (sent < 1024 && req.write(chunk)) sent++;
					if (sent < 1024) req.once('drain', pump);
					else req.end();
				};
				pump();
			});
			expect(status).toBe(413);
			expect(small.journal().at(-1)?.errorCode).toBe(PLATFORM_ERRORS.PAYLOAD_TOO_LARGE.code);
			expect((await postJson(small.url, valid)).status).toBe(200);
		} finally {
			await small.close();
		}
	});

	it('treats Table API queries as data: no injection through sysparm_query or the path', async () => {
		await postJson(sn.url, valid);
		for (const query of ['user=x^ORuser!=x', 'javascript:gs.getUser()', "name=x' OR '1'='1", 'user_name=x^^ORuser_name!=x']) {
			const res = await send(`${sn.url}/api/now/table/sys_user?sysparm_query=${encodeURIComponent(query)}`);
			expect(res.status).toBe(200);
			expect(res.json().result).toEqual([]);
		}
		// A reference can be dot-walked to the fields the referenced table serves, never to a password.
		expect((await postJson(sn.url, { ...valid, endpoint: { user_name: 'pe.integration' } })).status).toBe(200);
		const walked = async (q: string) => (await send(`${sn.url}/api/now/table/sn_pren_experience_issue?sysparm_query=${encodeURIComponent(q)}`)).json().result;
		expect(await walked('user.user_name=pe.integration')).toHaveLength(1);
		expect(await walked('user.password=integration')).toEqual([]);
		expect(await walked('user.passwordSTARTSWITHi')).toEqual([]);
		// ^OR and ^NQ are the query language itself, read as an instance reads them.
		const all = await send(`${sn.url}/api/now/table/sys_user?sysparm_query=${encodeURIComponent('sys_idISNOTEMPTY^NQsys_id=1')}`);
		expect(all.json().result).toHaveLength(sn.emulator.seed.users.length);
		const traversal = await send(`${sn.url}/api/now/table/../../_emulator/reset`, { method: 'POST' });
		expect(traversal.status).toBe(400);
		expect(sn.issues()).toHaveLength(2);
	});

	it('requires authentication for every API route when configured, and never lists passwords', async () => {
		const locked = await startEmulator({ port: 0, auth: 'basic' });
		try {
			for (const [method, path] of [
				['POST', CREATE_PATH],
				['POST', '/api/sn_srf/self_remediation/experience_issue/create'],
				['GET', '/api/now/table/sys_user'],
				['GET', '/api/now/table/sn_pren_experience_issue'],
				['PATCH', `/api/now/table/sn_pren_experience_issue/${'a'.repeat(32)}`],
				['GET', '/api/anything/else'],
			]) {
				const res = await send(locked.url + path, { method, headers: { 'content-type': 'application/json' }, body: method === 'GET' ? undefined : '{}' });
				expect([path, res.status]).toEqual([path, PLATFORM_ERRORS.UNAUTHENTICATED.status]);
			}
			const users = await send(`${locked.url}/api/now/table/sys_user`, { headers: { authorization: 'Basic ' + Buffer.from('admin:admin').toString('base64') } });
			expect(users.status).toBe(200);
			expect(users.text).not.toContain('"password"');
			expect(users.text).not.toContain(':"integration"');
		} finally {
			await locked.close();
		}
	});
});
