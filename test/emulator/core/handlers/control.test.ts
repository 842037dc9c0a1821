/** The control API under /_emulator/: health, journal, issues, reset, and the list of its endpoints. */
import { emulatorForSuite, postJson, send } from '../../../helpers/http';
import { issueBody } from '../../../helpers/issues';

const sn = emulatorForSuite();

const body = issueBody();

describe('control API', () => {
	it('reports health, lists issues and journal entries since a sequence number, and resets', async () => {
		await postJson(sn.url, body);
		await postJson(sn.url, body);
		const health = (await send(sn.url + '/_emulator/health')).json();
		expect(health).toEqual({ status: 'ok', auth: 'none', issues: 1 });
		const journal = (await send(sn.url + '/_emulator/journal')).json().result;
		expect(journal.map((e: { status: number }) => e.status)).toEqual([200, 400]);
		const since = (await send(`${sn.url}/_emulator/journal?since=${journal[0].seq}`)).json().result;
		expect(since).toHaveLength(1);
		expect(since[0].errorCode).toBe('BEING_RESOLVED');
		expect((await send(sn.url + '/_emulator/issues')).json().result).toHaveLength(1);
		await send(sn.url + '/_emulator/reset', { method: 'POST' });
		expect(sn.issues()).toHaveLength(0);
		expect(sn.journal()).toHaveLength(0);
	});

	it('answers an unknown control path with the list of control endpoints', async () => {
		const res = await send(sn.url + '/_emulator/nope');
		expect(res.status).toBe(404);
		expect(res.json().error.detail).toMatch(/journal/);
	});
});
