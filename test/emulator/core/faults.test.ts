/** Fault injection: the next N matching requests answered as a failing instance answers them, then recovery. */
import { Agent } from 'node:http';
import { DOCUMENTED_ERRORS, PLATFORM_ERRORS } from '../../../contract/errors';
import { postJson, postXml, send, toXml, xmlText, emulatorForSuite } from '../../helpers/http';
import { issueBody } from '../../helpers/issues';

const sn = emulatorForSuite();

const body = issueBody();
const addFault = (fault: unknown) =>
	send(sn.url + '/_emulator/faults', {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(fault),
	});

describe('fault injection', () => {
	it('answers the next N matching requests with 429, Retry-After and X-RateLimit-*, then recovers', async () => {
		expect(
			(await addFault({ status: 429, retryAfter: 3, count: 2, match: { route: 'create' } })).status,
		).toBe(200);
		for (let i = 0; i < 2; i++) {
			const res = await postJson(sn.url, body);
			expect(res.status).toBe(429);
			expect(res.headers['retry-after']).toBe('3');
			expect(res.headers['x-ratelimit-remaining']).toBe('0');
			expect(Number(res.headers['x-ratelimit-reset'])).toBeGreaterThan(Date.now() / 1000);
			expect(res.json().error.message).toBe(PLATFORM_ERRORS.RATE_LIMITED.message);
		}
		expect(sn.issues()).toHaveLength(0);
		expect((await postJson(sn.url, body)).status).toBe(200);
		expect(sn.journal().map((e) => e.fault ?? null)).toEqual(['status 429', 'status 429', null]);
	});

	it.each([500, 503])('answers %i without creating anything', async (status) => {
		await addFault({ status });
		const res = await postJson(sn.url, body);
		expect(res.status).toBe(status);
		expect(res.json().status).toBe('failure');
		expect(sn.issues()).toHaveLength(0);
	});

	it('forces a documented error, in JSON and XML', async () => {
		await addFault({ error: 'CREATION_FAILED', count: 2 });
		const json = await postJson(sn.url, body);
		expect(json.status).toBe(400);
		expect(json.json().error.message).toBe(DOCUMENTED_ERRORS.CREATION_FAILED.message);
		const xml = await postXml(sn.url, toXml('request', body));
		expect(xmlText(xml.text, 'message')).toBe(DOCUMENTED_ERRORS.CREATION_FAILED.message);
		expect(sn.issues()).toHaveLength(0);
	});

	it('matches on the issue code only', async () => {
		sn.injectFault({ error: 'NO_RESOLUTION', match: { issue_code: '101' } });
		expect((await postJson(sn.url, body)).status).toBe(200);
		const res = await postJson(sn.url, { ...body, issue_code: '101' });
		expect(res.json().error.message).toBe(DOCUMENTED_ERRORS.NO_RESOLUTION.message);
	});

	it('delays the answer of a request it processes normally', async () => {
		sn.injectFault({ delayMs: 300 });
		const started = Date.now();
		const res = await postJson(sn.url, body);
		expect(Date.now() - started).toBeGreaterThanOrEqual(290);
		expect(res.status).toBe(200);
		expect(sn.issues()).toHaveLength(1);
	});

	it('drops the connection before processing (nothing created) or after (the issue exists)', async () => {
		const agent = new Agent({ keepAlive: false });
		sn.injectFault({ drop: 'before' });
		await expect(postJson(sn.url, body)).rejects.toThrow(/socket hang up|ECONNRESET/);
		expect(sn.issues()).toHaveLength(0);

		sn.injectFault({ drop: 'after' });
		await expect(postJson(sn.url, body)).rejects.toThrow(/socket hang up|ECONNRESET/);
		expect(sn.issues()).toHaveLength(1);
		// The client retries: the issue exists, so the retry is told it is being resolved.
		const retry = await postJson(sn.url, body);
		expect(retry.json().error.message).toBe(DOCUMENTED_ERRORS.BEING_RESOLVED.message);
		expect(sn.journal().map((e) => e.status)).toEqual([0, 0, 400]);
		agent.destroy();
	});

	it('lists and clears faults over the control API', async () => {
		await addFault([{ status: 503 }, { delayMs: 10, match: { route: 'table' } }]);
		expect((await send(sn.url + '/_emulator/faults')).json().result).toHaveLength(2);
		await send(sn.url + '/_emulator/faults', { method: 'DELETE' });
		expect((await send(sn.url + '/_emulator/faults')).json().result).toHaveLength(0);
		expect((await postJson(sn.url, body)).status).toBe(200);
	});

	it.each([
		[{ status: 42 }, /"status" must be an integer ≥ 400/],
		[{ error: 'NOPE' }, /"error" must be an error code of the catalogue/],
		[{ drop: 'sometimes' }, /"drop" must be "before" or "after"/],
		[{ count: 2 }, /needs one of "status", "error", "drop", "unservicedAfter" or "delayMs"/],
		[{ status: 500, error: 'CREATION_FAILED' }, /only one of/],
		[{ status: 500, match: { route: 'everything' } }, /route is one of/],
	])('refuses a bad fault %j with a message naming the field', async (fault, why) => {
		const res = await addFault(fault);
		expect(res.status).toBe(400);
		expect(res.json().error.message).toMatch(why);
		expect(sn.emulator.listFaults()).toHaveLength(0);
	});
});
