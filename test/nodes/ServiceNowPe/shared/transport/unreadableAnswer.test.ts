/**
 * An instance (or a proxy before it) answering a Table API read with 200 and an HTML page — what a
 * hibernating developer instance answers — is no answer: Check Setup, Get, Chain's state check and
 * the CI lookup must not read it as "no record".
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ABEL } from '../../../../helpers/http';
import { BASIC, CHAIN_ALONE, runAction } from '../../../../helpers/action';

const PAGE =
	'<!DOCTYPE html><html><head><title>Instance Hibernating page</title></head><body>Sign in to wake your instance.</body></html>';
const seen: string[] = [];
let url = '';
// Reads get the sign-in page; a create (should one come) is answered as created.
const server: Server = createServer((req, res) => {
	seen.push(`${req.method} ${req.url}`);
	if (req.method === 'POST' && req.url?.includes('/experience_issue/create')) {
		res.writeHead(200, { 'content-type': 'application/json' });
		res.end(JSON.stringify({ result: { experience_id: 'MADE-1' } }));
		return;
	}
	res.writeHead(200, { 'content-type': 'text/html;charset=UTF-8' });
	res.end(PAGE);
});
beforeAll(async () => {
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
	url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
beforeEach(() => (seen.length = 0));
afterAll(() => new Promise((r) => server.close(r)));

describe('a 200 HTML page is no Table API answer', () => {
	it('Check Setup: the instance check says the instance answered a web page, and to wake it', async () => {
		const { outputs } = await runAction({
			items: [{}],
			credentials: BASIC(url),
			parameters: { operation: 'checkSetup', checkFor: {}, options: { maxAttempts: 1 } },
		});
		const instance = outputs.Checks.find((i) => i.json.check === 'instance')!.json;
		expect(instance.status).toBe('fail');
		expect(`${instance.message} ${instance.fix}`).toMatch(/HTML|web page/i);
		expect(instance.fix).toMatch(/hibernat|wake/i);
	});

	it('Get does not say the issue does not exist', async () => {
		const { error } = await runAction({
			items: [{}],
			credentials: BASIC(url),
			parameters: { operation: 'get', issueId: 'EXP-1', options: { maxAttempts: 1 } },
			onError: 'stopWorkflow',
		});
		expect(error).toBeDefined();
		expect(error).not.toMatch(/no issue has/i);
	});

	it('Chain does not say there is nothing to chain onto', async () => {
		const { outputs } = await runAction({
			items: [{ experience_id: 'EXP-1', code: '101' }],
			credentials: BASIC(url),
			parameters: { ...CHAIN_ALONE, options: { maxAttempts: 1 } },
		});
		const [item] = Object.values(outputs).flat();
		expect(JSON.stringify(item.json)).not.toMatch(/nothing to chain onto/);
	});

	it('Resolve CI From Host Name: a lookup answered by a page is a failed lookup, the alert not sent without its CI', async () => {
		const { outputs } = await runAction({
			items: [{ user_id: ABEL.sys_id, code: '100' }],
			credentials: BASIC(url),
			parameters: {
				resolveCiFromHost: true,
				hostName: 'ABEL-LAPTOP',
				options: { maxAttempts: 1 },
			},
		});
		expect(seen.filter((s) => s.startsWith('POST'))).toEqual([]);
		const [item] = Object.values(outputs).flat();
		expect(item.json).toMatchObject({ errorCode: 'CI_LOOKUP_FAILED' });
	});
});
