/**
 * Hostile input is neither accepted past a limit nor kept or quoted back: XML nesting hidden in
 * attribute values, token bodies that look like one format and are read as another, credentials
 * in an absolute-form request target, and request text in error details.
 */
import { connect } from 'node:net';
import { parseXmlBody, xmlNestedDeeperThan } from '../../contract/xml';
import { startEmulator, type RunningEmulator } from '../../emulator/server';
import { ABEL, CREATE_PATH, postJson, postXml, send } from '../helpers/http';

let sn: RunningEmulator;
beforeAll(async () => {
	sn = await startEmulator({ port: 0, auth: 'oauth' });
});
afterAll(() => sn.close());
beforeEach(() => sn.reset());

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const CLIENT = 'client_id=pe-emulator-client&client_secret=pe-emulator-secret';
const TABLE = '/api/now/table/sn_pren_experience_issue';

async function bearer(): Promise<Record<string, string>> {
	const res = await send(`${sn.url}/oauth_token.do`, { method: 'POST', headers: FORM, body: `grant_type=client_credentials&${CLIENT}` });
	return { authorization: `Bearer ${res.json().access_token}` };
}

/** Writes raw bytes on a new connection and collects what comes back until it closes. */
function raw(bytes: string): Promise<string> {
	return new Promise((resolve) => {
		const socket = connect(sn.port, '127.0.0.1');
		let text = '';
		const timer = setTimeout(() => socket.destroy(), 5_000);
		socket.on('data', (c) => (text += c.toString()));
		socket.on('close', () => {
			clearTimeout(timer);
			resolve(text);
		});
		socket.on('error', () => undefined);
		socket.write(bytes);
	});
}

describe('XML nesting hidden in attribute values', () => {
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
		const res = await postXml(sn.url, issue(deep(open)), await bearer());
		expect(res.status).toBe(400);
		expect(res.text).toContain('nested deeper than 32 levels');
	});

	it('still reads ordinary XML whose attributes hold ">" and "/>"', async () => {
		expect(parseXmlBody('<r a="x > y" b=\'/>\'><c d="&lt;&gt;/>">v</c><e f="/>"/></r>')).toEqual({ c: 'v', e: '' });
		const res = await postXml(sn.url, issue('<process_id unit="a > b" note="/>">10644</process_id>'), { ...(await bearer()), accept: 'application/json' });
		expect(res.status).toBe(200);
		expect(sn.issues()[0].input_parameters).toEqual({ process_id: '10644' });
	});
});

describe('token request bodies in the journal', () => {
	const tokenEntries = () => sn.journal().filter((e) => e.route === 'token');

	it('masks a form that starts with "{" as the form it is read as', async () => {
		const body = `{=1&grant_type=password&${CLIENT}&username=admin&password=admin`;
		expect((await send(`${sn.url}/oauth_token.do`, { method: 'POST', headers: FORM, body })).status).toBe(200);
		const [entry] = tokenEntries();
		expect(entry.body).not.toContain('pe-emulator-secret');
		expect(entry.body).not.toContain('password=admin');
		expect(new URLSearchParams(entry.body).get('client_secret')).toBe('***');
		expect(new URLSearchParams(entry.body).get('username')).toBe('admin');
	});

	it('masks JSON fields by name in any case or escape, of any value type, and forms inside JSON', async () => {
		const bodies = [
			'{"grant_type":"password","Password":"HUNTER2-JSONCASE","client_secret":["S3CR3T-ARRAY"],"pass\\u0077ord":"ESC-PW","refresh_token":12345678,"nested":{"Client_Secret":{"v":"NESTED-S"}}}',
			'{"note":"1&client_secret=FORM-IN-JSON&grant_type=password"}',
			'"password=TOP-LEVEL-STRING"',
		];
		for (const body of bodies) await send(`${sn.url}/oauth_token.do`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
		const dump = JSON.stringify(sn.journal());
		for (const secret of ['HUNTER2-JSONCASE', 'S3CR3T-ARRAY', 'ESC-PW', '12345678', 'NESTED-S', 'FORM-IN-JSON', 'TOP-LEVEL-STRING']) expect(dump).not.toContain(secret);
		const [first] = tokenEntries();
		expect(JSON.parse(first.body)).toEqual({ grant_type: 'password', Password: '***', client_secret: '***', password: '***', refresh_token: '***', nested: { Client_Secret: '***' } });
	});
});

describe('an absolute-form request target', () => {
	it('is routed by its path; the user name and password in it are never recorded', async () => {
		const headers = await bearer();
		const answer = await raw(
			`GET http://admin:ABSPASS@127.0.0.1:${sn.port}${TABLE}?sysparm_limit=1 HTTP/1.1\r\nHost: x\r\nAuthorization: ${headers.authorization}\r\nConnection: close\r\n\r\n`,
		);
		expect(answer).toMatch(/^HTTP\/1\.1 200 /);
		await raw(`GET http://admin:ABSPASS2@127.0.0.1:${sn.port}/api/now/table/sys_user HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
		const paths = sn.journal().map((e) => e.path);
		expect(paths.slice(-2)).toEqual([`${TABLE}?sysparm_limit=1`, '/api/now/table/sys_user']);
		expect(JSON.stringify(sn.journal())).not.toMatch(/ABSPASS|admin:/);
	});
});

describe('error details never quote the request', () => {
	it('counts keys a PATCH may not carry, naming only fields of the table', async () => {
		const headers = { ...(await bearer()), 'content-type': 'application/json' };
		expect((await postJson(sn.url, { endpoint: { user_id: ABEL.sys_id }, issue_code: '100', provider: 'sn' }, headers)).status).toBe(200);
		const { sys_id: sysId } = sn.issues()[0];
		const res = await send(`${sn.url}${TABLE}/${sysId}`, { method: 'PATCH', headers, body: JSON.stringify({ state: 'closed', 'password=HUNTER2-IN-KEY': 1, issue_code: '101' }) });
		expect(res.status).toBe(400);
		expect(res.json().error.detail).toBe('Only "state" can be updated on sn_pren_experience_issue here; remove "issue_code" and 1 key that is no field of the table.');
		expect(sn.journal().at(-1)!.response).not.toContain('HUNTER2');
	});

	it('names the field and what it takes in control API errors, never the value given', async () => {
		const specs = [{ status: 'hunter2-FAULT-BODY' }, { error: 'hunter2-ERROR' }, { drop: 'hunter2-DROP' }, { delayMs: 'hunter2-DELAY' }, { status: 500, match: { route: 'hunter2-ROUTE' } }, { status: 500, match: 'hunter2-MATCH' }];
		for (const spec of specs) {
			const res = await send(`${sn.url}/_emulator/faults`, { method: 'POST', body: JSON.stringify(spec) });
			expect(res.status).toBe(400);
			expect(res.json().error.message).toMatch(/^Fault field "(status|error|drop|delayMs|match)" must be /);
			expect(res.text).not.toContain('hunter2');
		}
	});

	it('does not quote an unknown table name', async () => {
		const res = await send(`${sn.url}/api/now/table/hunter2_table`, { headers: await bearer() });
		expect(res.status).toBe(400);
		expect(res.json().error.detail).toMatch(/sn_pren_experience_issue/);
		expect(res.text).not.toContain('hunter2');
	});

	it('keeps create bodies out of create error details', async () => {
		const res = await send(sn.url + CREATE_PATH, { method: 'POST', headers: { ...(await bearer()), 'content-type': 'application/json' }, body: '{"endpoint": "hunter2-ENDPOINT", "issue_code": ' });
		expect(res.status).toBe(400);
		expect(res.text).not.toContain('hunter2');
	});
});

describe('credentials in other places of a request', () => {
	it('masks path parameters and headers that carry them, and the 415 detail quotes no header', async () => {
		const auth = await bearer();
		await send(`${sn.url}${TABLE};access_token=PATH-SECRET-1;jsessionid=PATH-SECRET-2?sysparm_limit=1`, { headers: { ...auth, 'x-authentication': 'HDR-SECRET-1', 'x-access-key': 'HDR-SECRET-2' } });
		const odd = await send(sn.url + CREATE_PATH, { method: 'POST', headers: { ...auth, 'content-type': 'text/plain; secret=CT-SECRET' }, body: 'hello' });
		expect(odd.status).toBe(415);
		expect(odd.text).not.toContain('CT-SECRET');
		const journal = JSON.stringify(sn.journal());
		for (const secret of ['PATH-SECRET-1', 'PATH-SECRET-2', 'HDR-SECRET-1', 'HDR-SECRET-2']) expect(journal).not.toContain(secret);
		expect(journal).toContain(';access_token=***');
	});
});
