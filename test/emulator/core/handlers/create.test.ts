import { DOCUMENTED_ERRORS, PLATFORM_ERRORS } from '../../../../contract/errors';
import { startEmulator, type RunningEmulator } from '../../../../emulator/server';
import {
	ABEL,
	BETH,
	CREATE_PATH,
	DOCUMENT_EXAMPLE_BODY,
	postJson,
	postXml,
	send,
	toXml,
	xmlText,
} from '../../../helpers/http';

let sn: RunningEmulator;
beforeAll(async () => {
	sn = await startEmulator({ port: 0 });
});
afterAll(() => sn.close());
beforeEach(() => sn.reset());

const valid = (over: Record<string, unknown> = {}) => ({
	endpoint: { user_name: ABEL.user_name },
	issue_code: '100',
	provider: 'sn',
	...over,
});

describe("the API document's cURL example", () => {
	it.each([
		[
			'the sn_srf path with a doubled slash, as the cURL writes it',
			'//api/sn_srf/self_remediation/experience_issue/create',
		],
		['the documented sn_pren path', '/api/sn_pren/self_remediation/experience_issue/create'],
	])('succeeds on %s and answers the given experience_id', async (_label, path) => {
		// As curl sends it: --data without a Content-Type header means form-urlencoded.
		const res = await send(sn.url + path, {
			method: 'POST',
			headers: {
				accept: 'application/json',
				'content-type': 'application/x-www-form-urlencoded',
				authorization: 'Basic ' + Buffer.from('username:password').toString('base64'),
			},
			body: DOCUMENT_EXAMPLE_BODY,
		});
		expect(res.status).toBe(200);
		expect(res.headers['content-type']).toBe('application/json;charset=UTF-8');
		expect(res.text).toBe('{"result":{"experience_id":"09ed4830f393739df33"}}');

		const [issue] = sn.issues();
		expect(issue).toMatchObject({
			experience_id: '09ed4830f393739df33',
			issue_code: '100',
			provider: 'sn',
			state: 'open',
			user: ABEL.sys_id,
			configuration_item: ABEL.ci,
			input_parameters: { process_id: '10644' },
			// Keys with spaces, as the document's example writes them, are kept as sent.
			investigative_details: {
				'cpu usage': '78%',
				'processes running': '35',
				'available memory': '23%',
			},
		});
		expect(issue.sys_id).toMatch(/^[0-9a-f]{32}$/);
	});
});

describe('successful creates', () => {
	it("answer the new record's 32-hex sys_id when no experience_id is given", async () => {
		const res = await postJson(sn.url, valid());
		expect(res.status).toBe(200);
		const id = res.json().result.experience_id;
		expect(id).toMatch(/^[0-9a-f]{32}$/);
		expect(sn.issues().map((i) => [i.sys_id, i.experience_id])).toEqual([[id, id]]);
	});

	it('accept experienceId as another spelling of experience_id', async () => {
		const res = await postJson(sn.url, valid({ experienceId: 'EXP-42' }));
		expect(res.json()).toEqual({ result: { experience_id: 'EXP-42' } });
	});

	it('accept a numeric experience_id (the document types it as Number) and issue codes as numbers', async () => {
		const res = await postJson(sn.url, valid({ experience_id: 4711, issue_code: 100 }));
		expect(res.json()).toEqual({ result: { experience_id: '4711' } });
		expect(sn.issues()[0].issue_code).toBe('100');
	});

	it('accept an XML body with any root element and answer XML when Accept asks for it', async () => {
		const res = await postXml(
			sn.url,
			toXml('anything', {
				endpoint: { user_id: ABEL.sys_id, email: '' },
				issue_code: '100',
				provider: 'sn',
				experience_id: 'X-1',
				input_parameters: { process_id: '10644' },
				investigative_details: { cpu_usage: '78', processes_running: '35', available_memory: '23' },
			}),
		);
		expect(res.status).toBe(200);
		expect(res.headers['content-type']).toBe('application/xml;charset=UTF-8');
		expect(res.text).toBe(
			'<?xml version="1.0" encoding="UTF-8"?><response><result><experience_id>X-1</experience_id></result></response>',
		);
		expect(sn.issues()[0].investigative_details).toEqual({
			cpu_usage: '78',
			processes_running: '35',
			available_memory: '23',
		});
	});

	it('answer JSON to an XML body when Accept prefers JSON, and XML to JSON when it prefers XML', async () => {
		const xmlIn = await postXml(sn.url, toXml('request', valid()), { accept: 'application/json' });
		expect(xmlIn.json().result.experience_id).toMatch(/^[0-9a-f]{32}$/);
		const jsonIn = await postJson(sn.url, valid({ issue_code: '101' }), {
			accept: 'application/json;q=0.5, application/xml',
		});
		expect(xmlText(jsonIn.text, 'experience_id')).toMatch(/^[0-9a-f]{32}$/);
	});

	it('resolve the user from the endpoint by user_id, user_name, email or the CI assigned user', async () => {
		const endpoints = [
			{ user_id: ABEL.sys_id },
			{ user_name: BETH.user_name },
			{ email: 'DAVID.MILLER@example.com' },
			{ CI: 'a9c0c8d2c611227601fb4e12e2bde3a0' }, // BETH-DESKTOP, assigned to Beth
		];
		const codes = ['100', '100', '100', '101'];
		for (const [i, endpoint] of endpoints.entries()) {
			const res = await postJson(sn.url, valid({ endpoint, issue_code: codes[i] }));
			expect(res.status).toBe(200);
		}
		expect(sn.issues().map((i) => i.user)).toEqual([
			ABEL.sys_id,
			BETH.sys_id,
			'46d44a23a9fe19810012d100cca80667',
			BETH.sys_id,
		]);
	});
});

/** A body that reaches each documented error against the built-in seed. */
const ERROR_CASES: Array<[keyof typeof DOCUMENTED_ERRORS, string, Record<string, unknown>]> = [
	['ENDPOINT_MISSING', 'no endpoint', { issue_code: '100', provider: 'sn' }],
	[
		'ENDPOINT_MISSING',
		'an endpoint with only empty fields',
		valid({ endpoint: { CI: '', email: ' ' } }),
	],
	['ISSUE_CODE_EMPTY', 'an empty issue_code', valid({ issue_code: '' })],
	['ISSUE_CODE_EMPTY', 'no issue_code', { endpoint: { user_name: 'abel.tuter' }, provider: 'sn' }],
	['PROVIDER_EMPTY', 'an empty provider', valid({ provider: '' })],
	['ISSUE_CODE_OR_PROVIDER_UNKNOWN', 'an unregistered issue code', valid({ issue_code: '999' })],
	['ISSUE_CODE_OR_PROVIDER_UNKNOWN', 'an unknown provider', valid({ provider: 'nagios' })],
	['ISSUE_CODE_OR_PROVIDER_UNKNOWN', 'an issue code not deployed', valid({ issue_code: '200' })],
	[
		'ISSUE_CODE_OR_PROVIDER_UNKNOWN',
		"another provider's issue code",
		valid({ issue_code: 'T-100' }),
	],
	['NO_RESOLUTION', 'an issue code without a resolution', valid({ issue_code: '300' })],
	['USER_NOT_RESOLVED', 'an unknown user_id', valid({ endpoint: { user_id: '0'.repeat(32) } })],
	['USER_NOT_RESOLVED', 'an inactive user', valid({ endpoint: { user_name: 'former.employee' } })],
	[
		'USER_NOT_RESOLVED',
		'a CI assigned to nobody',
		valid({ endpoint: { CI: 'e2a9a3b5c0a8000b0048be7e1e3f8e13' } }),
	],
	[
		'CREATION_FAILED',
		'input_parameters that is not an object',
		valid({ input_parameters: 'kill 10644' }),
	],
];

describe.each([
	['JSON', false],
	['XML', true],
])('each documented 400, verbatim, in %s', (_format, xml) => {
	it.each(ERROR_CASES)('%s for %s', async (code, _label, body) => {
		const entry = DOCUMENTED_ERRORS[code];
		if (xml) {
			const res = await postXml(sn.url, toXml('request', body));
			expect(res.status).toBe(400);
			expect(xmlText(res.text, 'message')).toBe(entry.message);
			expect(res.text).toContain('<status>failure</status>');
		} else {
			const res = await postJson(sn.url, body);
			expect(res.status).toBe(400);
			expect(res.json().error.message).toBe(entry.message);
			expect(res.json().status).toBe('failure');
		}
		expect(sn.issues()).toHaveLength(0);
		expect(sn.journal().at(-1)?.errorCode).toBe(code);
	});

	it('BEING_RESOLVED for a second open issue with the same code for the same user', async () => {
		const first = valid({ endpoint: { user_id: ABEL.sys_id } });
		const second = valid({ endpoint: { CI: ABEL.ci } }); // the same user, found through the CI
		const post = (b: unknown) => (xml ? postXml(sn.url, toXml('request', b)) : postJson(sn.url, b));
		expect((await post(first)).status).toBe(200);
		const res = await post(second);
		expect(res.status).toBe(400);
		expect(res.text).toContain(DOCUMENTED_ERRORS.BEING_RESOLVED.message);
		expect(sn.issues()).toHaveLength(1);
	});

	it('CHAIN_CONFLICT for an experience_id whose issue is not in action_wait', async () => {
		const post = (b: unknown) => (xml ? postXml(sn.url, toXml('request', b)) : postJson(sn.url, b));
		expect((await post(valid({ experience_id: 'EXP-1' }))).status).toBe(200);
		const res = await post(valid({ experience_id: 'EXP-1', issue_code: '101' }));
		expect(res.status).toBe(400);
		expect(res.text).toContain(DOCUMENTED_ERRORS.CHAIN_CONFLICT.message);
	});
});

describe('validation order', () => {
	it('reports the endpoint before the issue code and the issue code before the provider', async () => {
		const all = await postJson(sn.url, { issue_code: '', provider: '' });
		expect(all.json().error.message).toBe(DOCUMENTED_ERRORS.ENDPOINT_MISSING.message);
		const codeAndProvider = await postJson(sn.url, {
			endpoint: { user_name: 'x' },
			issue_code: '',
			provider: '',
		});
		expect(codeAndProvider.json().error.message).toBe(DOCUMENTED_ERRORS.ISSUE_CODE_EMPTY.message);
		const unknownUserAndCode = await postJson(
			sn.url,
			valid({ issue_code: '999', endpoint: { user_name: 'nobody' } }),
		);
		expect(unknownUserAndCode.json().error.message).toBe(
			DOCUMENTED_ERRORS.ISSUE_CODE_OR_PROVIDER_UNKNOWN.message,
		);
	});
});

describe('requests the endpoint cannot take', () => {
	it('answer 400 "Requested URI does not represent any resource" for an unknown path', async () => {
		const res = await send(sn.url + '/api/sn_pren/self_remediation/experience_issue/make', {
			method: 'POST',
			body: '{}',
		});
		expect(res.status).toBe(400);
		expect(res.json()).toEqual({
			error: { message: 'Requested URI does not represent any resource', detail: '' },
			status: 'failure',
		});
	});

	it('answer 405 to a method other than POST on the create path', async () => {
		for (const method of ['GET', 'PUT', 'DELETE']) {
			const res = await send(sn.url + CREATE_PATH, { method });
			expect(res.status).toBe(405);
			expect(res.headers.allow).toBe('POST');
			expect(res.json().error.message).toBe(PLATFORM_ERRORS.METHOD_NOT_ALLOWED.message);
		}
	});

	it.each([
		[
			'truncated JSON',
			'application/json',
			'{"endpoint": {"user_name": "abel.tuter"',
			/Malformed JSON body/,
		],
		['a JSON array', 'application/json', '[1, 2]', /must be an object/],
		['an empty body', 'application/json', '', /empty/],
		['unclosed XML', 'application/xml', '<request><issue_code>100</request>', /Malformed XML/],
		['XML with text at the root', 'text/xml', '<request>100</request>', /child elements/],
		['XML with two roots', 'application/xml', '<a>1</a><b>2</b>', /Malformed XML|one root/],
	])('answer 400 with a clear message for %s, never crashing', async (_label, type, body, why) => {
		const res = await send(sn.url + CREATE_PATH, {
			method: 'POST',
			headers: { 'content-type': type },
			body,
		});
		expect(res.status).toBe(400);
		expect(res.json().error.message).toBe(PLATFORM_ERRORS.MALFORMED_BODY.message);
		expect(res.json().error.detail).toMatch(why);
		// The server is still there.
		expect((await postJson(sn.url, valid())).status).toBe(200);
		sn.reset();
	});

	it('refuse XML with a DOCTYPE (no entity expansion)', async () => {
		const bomb =
			'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><r><issue_code>&b;</issue_code></r>';
		const res = await send(sn.url + CREATE_PATH, {
			method: 'POST',
			headers: { 'content-type': 'application/xml' },
			body: bomb,
		});
		expect(res.status).toBe(400);
		expect(res.json().error.detail).toMatch(/DOCTYPE/);
	});

	it('answer 415 for a body that is neither JSON nor XML', async () => {
		const res = await send(sn.url + CREATE_PATH, {
			method: 'POST',
			headers: { 'content-type': 'text/plain' },
			body: 'issue_code=100',
		});
		expect(res.status).toBe(415);
		expect(res.json().error.detail).toMatch(/application\/json or application\/xml/);
	});

	it('answer 413 for a body over the size limit and keep serving', async () => {
		const small = await startEmulator({ port: 0, maxBodyBytes: 1024 });
		try {
			const res = await postJson(
				small.url,
				valid({ investigative_details: { note: 'x'.repeat(5000) } }),
			);
			expect(res.status).toBe(413);
			expect(res.json().error.message).toBe(PLATFORM_ERRORS.PAYLOAD_TOO_LARGE.message);
			expect(small.issues()).toHaveLength(0);
			expect((await postJson(small.url, valid())).status).toBe(200);
		} finally {
			await small.close();
		}
	});
});
