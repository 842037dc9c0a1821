/**
 * Send Mode "Batch API" when the batch answer holds values no instance sends: an id, a status or
 * an unserviced entry that is an object which cannot be turned into text. The node never throws
 * (a throw loses every item's outcome after the instance ran them): each item the answer does not
 * plainly name is handled as unanswered — read back from the issue table, never made twice.
 */
import { BASIC, routed, runAction } from '../../../../helpers/action';
import { ABEL, BETH, emulatorForSuite } from '../../../../helpers/http';
import { isBatch, startProxy } from '../../../../helpers/proxy';

const sn = emulatorForSuite({ auth: 'basic' });
const BATCH = { sendMode: 'batch', maxAttempts: 2, retryBaseDelayMs: 10 };
const two = [
	{ user_id: ABEL.sys_id, code: '100' },
	{ user_id: BETH.sys_id, code: '100' },
];
type Served = { id: unknown; status_code?: unknown };
type Answer = { serviced_requests: Served[]; unserviced_requests: unknown[] };

describe('Batch API: an answer with objects where text is due', () => {
	it.each<[string, (answer: Answer) => void]>([
		[
			"the first item's id an object whose toString is no function",
			(a) => (a.serviced_requests[0].id = { toString: a.serviced_requests[0].id }),
		],
		[
			"the first item's status_code an object whose valueOf is no function",
			(a) => (a.serviced_requests[0].status_code = { valueOf: 201 }),
		],
		['such an object among the unserviced', (a) => a.unserviced_requests.push({ toString: 'x' })],
	])('%s: no throw, each item once, no issue made twice', async (_, spoil) => {
		const proxy = await startProxy(sn.url, async (req, forward) => {
			const answer = await forward();
			if (!isBatch(req.url) || answer.status !== 200) return answer;
			const parsed = JSON.parse(answer.body) as Answer;
			spoil(parsed);
			return { ...answer, body: JSON.stringify(parsed) };
		});
		try {
			const { outputs, error } = await runAction({
				items: two,
				credentials: BASIC(proxy.url),
				parameters: { options: BATCH },
			});
			expect(error).toBeUndefined();
			const all = Object.values(outputs).flat();
			expect(all.map((i) => (i.pairedItem as { item: number }).item).sort()).toEqual([0, 1]);
			expect(routed(outputs).Created?.sort()).toEqual([0, 1]);
			expect(sn.issues()).toHaveLength(2);
		} finally {
			await proxy.close();
		}
	});
});
