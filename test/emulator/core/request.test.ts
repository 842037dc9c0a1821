/**
 * A request as the emulator reads it: its target in origin form (credentials in an absolute-form
 * target dropped), and its body, JSON or XML, read in one pass and refused past 32 levels of
 * nesting (also when it hides in XML attribute values), with a DOCTYPE, or with keys that would
 * change object prototypes.
 */
import { parseXmlBody, xmlNestedDeeperThan } from '../../../contract/xml';
import { ABEL, emulatorForSuite, postJson, postXml, send } from '../../helpers/http';
import { issueBody } from '../../helpers/issues';
import { bearer } from '../../helpers/oauth';
import { exchange } from '../../helpers/socket';

const sn = emulatorForSuite();

const valid = issueBody();
const TABLE = '/api/now/table/sn_pren_experience_issue';

describe('bodies: nesting, size and XML', () => {
	it('refuses JSON and XML nested deeper than 32 levels with 400; the state stays readable', async () => {
		const deep = `{"endpoint":{"user_id":"${ABEL.sys_id}"},"issue_code":"100","provider":"sn","investigative_details":${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}}`;
		const json = await postJson(sn.url, deep);
		expect(json.status).toBe(400);
		expect(json.json().error.detail).toBe(
			"The JSON body is nested deeper than 32 levels; the API's fields nest three.",
		);
		const xml = await postXml(sn.url, `<r>${'<a>'.repeat(100)}${'</a>'.repeat(100)}</r>`);
		expect(xml.status).toBe(400);
		expect(xml.text).toContain('nested deeper than 32 levels');
		expect((await postJson(sn.url, valid)).status).toBe(200);
		expect((await send(sn.url + TABLE)).json().result).toHaveLength(1);
	});

	it('reads a 1 MiB hostile XML body in one pass: answered at once, and other requests meanwhile', async () => {
		const hostile = `<r>${'<a'.repeat((1024 * 1024 - 8) / 2)}`;
		const started = Date.now();
		const [answer, health] = await Promise.all([
			postXml(sn.url, hostile),
			send(`${sn.url}/_emulator/health`),
		]);
		// Before, this shape took seconds per 100 KiB (quadratic); a generous bound, not a speed target.
		expect(Date.now() - started).toBeLessThan(3_000);
		expect(answer.status).toBe(400);
		expect(health.status).toBe(200);
	});

	it.each([
		[
			'an external entity (XXE)',
			'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r><issue_code>&x;</issue_code></r>',
		],
		['a parameter entity', '<!DOCTYPE r [<!ENTITY % p SYSTEM "http://127.0.0.1/x.dtd"> %p;]><r/>'],
		[
			'an entity expansion bomb',
			`<!DOCTYPE r [<!ENTITY a "${'a'.repeat(100)}">${Array.from({ length: 9 }, (_, i) => `<!ENTITY ${String.fromCharCode(98 + i)} "${`&${String.fromCharCode(97 + i)};`.repeat(10)}">`).join('')}]><r><issue_code>&j;</issue_code></r>`,
		],
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
});

describe('XML nesting hidden in attribute values', () => {
	const locked = emulatorForSuite({ auth: 'oauth' });
	const issue = (inner: string) =>
		`<r><endpoint><user_id>${ABEL.sys_id}</user_id></endpoint><issue_code>100</issue_code><provider>sn</provider><input_parameters>${inner}</input_parameters></r>`;
	const deep = (open: string, depth = 40) => `${open.repeat(depth)}v${'</a>'.repeat(depth)}`;

	it.each([
		['"/>" in a double-quoted value', '<a b="/>">'],
		['">" and a closing tag in a value', '<a b="></z>">'],
		["'/>' in a single-quoted value", "<a b='/>'>"],
		['quotes of the other kind inside a value', `<a b="'/>'" c='"/>"'>`],
	])('counts elements whose attribute holds %s', async (_name, open) => {
		expect(xmlNestedDeeperThan(deep(open), 32)).toBe(true);
		expect(xmlNestedDeeperThan(deep(open, 30), 32)).toBe(false);
		const res = await postXml(locked.url, issue(deep(open)), await bearer(locked.url));
		expect(res.status).toBe(400);
		expect(res.text).toContain('nested deeper than 32 levels');
	});

	it('still reads ordinary XML whose attributes hold ">" and "/>"', async () => {
		expect(parseXmlBody('<r a="x > y" b=\'/>\'><c d="&lt;&gt;/>">v</c><e f="/>"/></r>')).toEqual({
			c: 'v',
			e: '',
		});
		const res = await postXml(
			locked.url,
			issue('<process_id unit="a > b" note="/>">10644</process_id>'),
			{ ...(await bearer(locked.url)), accept: 'application/json' },
		);
		expect(res.status).toBe(200);
		expect(locked.issues()[0].input_parameters).toEqual({ process_id: '10644' });
	});
});

describe('an absolute-form request target', () => {
	const locked = emulatorForSuite({ auth: 'oauth' });

	it('is routed by its path; the user name and password in it are never recorded', async () => {
		const headers = await bearer(locked.url);
		const { text: answer } = await exchange(
			locked.url,
			`GET http://admin:ABSPASS@127.0.0.1:${locked.port}${TABLE}?sysparm_limit=1 HTTP/1.1\r\nHost: x\r\nAuthorization: ${headers.authorization}\r\nConnection: close\r\n\r\n`,
		);
		expect(answer).toMatch(/^HTTP\/1\.1 200 /);
		await exchange(
			locked.url,
			`GET http://admin:ABSPASS2@127.0.0.1:${locked.port}/api/now/table/sys_user HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
		);
		const paths = locked.journal().map((e) => e.path);
		expect(paths.slice(-2)).toEqual([`${TABLE}?sysparm_limit=1`, '/api/now/table/sys_user']);
		expect(JSON.stringify(locked.journal())).not.toMatch(/ABSPASS|admin:/);
	});
});
