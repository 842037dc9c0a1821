/**
 * 10,000 items through the action node in a real n8n-core workflow (dry run, so no network):
 * extra heap and time per item. Run by `npm run bench` with --expose-gc; writes bench/.heap.json.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BASIC, runAction } from '../test/helpers/action';

const N = 10_000;
const gc = (globalThis as { gc?: () => void }).gc;

function heapMb(): number {
	gc?.();
	gc?.();
	return process.memoryUsage().heapUsed / 1024 / 1024;
}

it('measures 10,000 items through the node', async () => {
	if (!gc) throw new Error('run with node --expose-gc');
	const items = Array.from({ length: N }, (_, i) => ({
		user_name: `user.${i % 500}`,
		code: String(100 + (i % 4)),
		experience_id: `HEAP-${i}`,
		cpu: `${i % 100}%`,
	}));
	const parameters = { options: { dryRun: true, concurrency: 4 } };
	// Warm-up (JIT, module loading), then measure.
	await runAction({
		items: items.slice(0, 500),
		credentials: BASIC('http://127.0.0.1:9'),
		parameters,
	});
	const before = heapMb();
	const started = process.hrtime.bigint();
	const result = await runAction({ items, credentials: BASIC('http://127.0.0.1:9'), parameters });
	const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
	const peakWithResult = heapMb();
	expect(result.outputs.Created).toHaveLength(N);
	// Baseline: the same input and output items held without the node.
	const baselineBefore = heapMb();
	const held = {
		input: JSON.parse(JSON.stringify(items)),
		output: JSON.parse(JSON.stringify(result.outputs.Created.map((o) => o.json))),
	};
	const baselineAfter = heapMb();
	writeFileSync(
		join(__dirname, '.heap.json'),
		JSON.stringify({
			items: N,
			extraHeapMb: peakWithResult - before,
			dataHeldMb: baselineAfter - baselineBefore,
			msPerItemInWorkflow: elapsedMs / N,
			heldItems: held.input.length,
		}),
	);
});
