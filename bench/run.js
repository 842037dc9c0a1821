'use strict';
/**
 * `npm run bench`: speed and memory of the package, each figure a ratio against a baseline
 * measured in the same run (medians of several rounds). Prints a table, writes bench/results.json.
 * Not part of `npm test`.
 *
 * The one home of the benchmark's orchestration (which scenarios run, BENCH_ONLY) and of its
 * report table. Each measured thing lives in bench/scenarios/; shared settings and helpers in
 * bench/lib.js; the load generators in bench/generators.js and bench/load.js.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { ROUNDS, log } = require('./lib');
const { payloadCost } = require('./scenarios/payload');
const { coldLoad } = require('./scenarios/coldLoad');
const { emulatorVsBare } = require('./scenarios/emulator');
const { durableEmulator } = require('./scenarios/durable');
const { heap } = require('./scenarios/heap');
const { nodeVsHttpRequest } = require('./scenarios/n8n');

const results = { machine: { cpus: os.cpus().length, node: process.version }, rounds: ROUNDS };

function table() {
	const r = results;
	const f = (x, d = 2) => (typeof x === 'number' ? x.toFixed(d) : String(x));
	const rows = [];
	if (r.nodeVsHttpRequest) {
		const n = r.nodeVsHttpRequest;
		rows.push([
			'node vs HTTP Request node, defaults (items/s)',
			`${f(n.itemsPerSecond.pedefault, 0)} vs ${f(n.itemsPerSecond.httpdefault, 0)}`,
			`${f(n.ratioDefault)}×`,
			'≥ 1.5×',
		]);
		rows.push([
			`node vs HTTP Request node, concurrency ${n.itemsPerSecond.matchedConcurrency}`,
			`${f(n.itemsPerSecond.pematched, 0)} vs ${f(n.itemsPerSecond.httpmatched, 0)}`,
			`${f(n.ratioMatched)}×`,
			'≥ 1.5×',
		]);
		rows.push([
			`node per item vs helper floor, concurrency ${n.itemsPerSecond.matchedConcurrency}`,
			`${f(n.itemsPerSecond.pematched, 0)} vs ${f(n.itemsPerSecond.floormatched, 0)}`,
			`${f(n.ratioToFloor)}×`,
			'≥ 0.9×',
		]);
		rows.push([
			`node Batch API (${n.itemsPerSecond.batch.batchSize} per request, ${n.itemsPerSecond.batch.concurrency} at once) vs raw keep-alive client`,
			`${f(n.itemsPerSecond.pebatch, 0)} vs ${f(n.itemsPerSecond.rawClient, 0)}`,
			`${f(n.batchToRawClient)}×`,
			'≥ 1.0×',
		]);
		rows.push([
			'node Batch API vs HTTP Request node (its faster setting)',
			`${f(n.itemsPerSecond.pebatch, 0)} vs ${f(Math.max(n.itemsPerSecond.httpdefault, n.itemsPerSecond.httpmatched), 0)}`,
			`${f(n.batchToHttpRequest)}×`,
			'≥ 10×',
		]);
		rows.push([
			'node per item vs raw keep-alive client',
			`${f(n.itemsPerSecond.pematched, 0)} vs ${f(n.itemsPerSecond.rawClient, 0)}`,
			`${f(n.ratioToRawLimit)}×`,
			'(withdrawn)',
		]);
		rows.push([
			'node vs raw client, new connection per request',
			`${f(n.itemsPerSecond.pematched, 0)} vs ${f(n.itemsPerSecond.rawClientNewConnections, 0)}`,
			`${f(n.ratioToRawNewConnections)}×`,
			'',
		]);
	}
	for (const [c, e] of Object.entries(r.emulatorVsBare ?? {})) {
		rows.push([
			`emulator vs bare server, ${c} clients (req/s)`,
			`${f(e.emulatorRps, 0)} vs ${f(e.bareRps, 0)}`,
			`${f(e.throughputRatio)}×`,
			'≥ 0.6×',
		]);
		// ab's percentiles are whole milliseconds: 0 means under 1 ms.
		const ms = (x) => (x === 0 ? '<1' : Number.isInteger(x) ? String(x) : f(x));
		if (e.perTurnRps)
			rows.push([
				`  like for like: vs bare server answering per turn`,
				`${f(e.emulatorRps, 0)} vs ${f(e.perTurnRps, 0)} (its p99 ${e.perTurnP99Ms === 0 ? '<1' : e.perTurnP99Ms} ms)`,
				`${f(e.perTurnRatio)}×`,
				'',
			]);
		rows.push([
			`emulator p50 / p99 / mean at ${c} clients (ms)`,
			`${ms(e.emulatorP50Ms)} / ${ms(e.emulatorP99Ms)} / ${f(e.emulatorMeanMs)} (bare ${ms(e.bareP50Ms)} / ${ms(e.bareP99Ms)} / ${f(e.bareMeanMs)})`,
			e.bareP99Ms > 0 ? `${f(e.emulatorP99Ms / e.bareP99Ms)}× p99` : '',
			c === '50' ? 'p99 ≤ 2× bare' : '',
		]);
	}
	if (r.emulatorStorm) {
		const e = r.emulatorStorm;
		rows.push([
			'alert storm: duplicates refused, 50 clients (req/s)',
			`${f(e.emulatorRps, 0)} vs ${f(e.bareRps, 0)} (p99 ${e.emulatorP99Ms} vs ${e.bareP99Ms} ms)`,
			`${f(e.throughputRatio)}×`,
			'1 issue',
		]);
	}
	if (r.durable) {
		const d = r.durable;
		rows.push([
			'durable (--state) vs in memory, 50 clients (creates/s)',
			`${f(d.emptyRps, 0)} vs ${f(d.memoryRps, 0)}`,
			`${f(d.emptyToMemory)}×`,
			'',
		]);
		rows.push([
			`  state holding ${d.heldIssues} issues vs empty`,
			`${f(d.fullRps, 0)} vs ${f(d.emptyRps, 0)}`,
			`${f(d.fullToEmpty)}×`,
			'≈ 1× (no growth)',
		]);
	}
	if (r.payload)
		rows.push([
			'payload build + classify (µs/item)',
			`${f(r.payload.usPerItem)} vs ${f(r.payload.baselineUsPerItem)} (JSON round trip)`,
			`${f(r.payload.ratio)}×`,
			'< 50 µs',
		]);
	if (r.heap)
		rows.push([
			'10,000 items through the node: extra heap (MB)',
			`${f(r.heap.extraHeapMb, 1)} vs ${f(r.heap.dataHeldMb, 1)} (the items' data)`,
			`${f(r.heap.ratio)}×`,
			'< 100 MB',
		]);
	if (r.coldLoad)
		rows.push([
			'cold load of the node module (ms)',
			`${r.coldLoad.nodeMs < 0 ? '' : '+'}${f(r.coldLoad.nodeMs, 1)} over ${f(r.coldLoad.baselineMs, 1)} (n8n-workflow)`,
			`${f(r.coldLoad.ratio)}×`,
			'',
		]);
	const header = ['measure', 'ours vs baseline', 'ratio', 'target'];
	const widths = [0, 1, 2, 3].map((i) =>
		Math.max(...[header, ...rows].map((row) => row[i].length)),
	);
	const line = (row) => '| ' + row.map((c, i) => c.padEnd(widths[i])).join(' | ') + ' |';
	process.stdout.write(
		'\n' +
			line(header) +
			'\n' +
			line(widths.map((w) => '-'.repeat(w))) +
			'\n' +
			rows.map(line).join('\n') +
			'\n',
	);
}

(async () => {
	const started = Date.now();
	const only = process.env.BENCH_ONLY
		? process.env.BENCH_ONLY.split(',')
		: ['payload', 'cold', 'emulator', 'durable', 'heap', 'n8n'];
	if (only.includes('payload')) payloadCost(results);
	if (only.includes('cold')) coldLoad(results);
	if (only.includes('emulator')) await emulatorVsBare(results);
	if (only.includes('durable')) await durableEmulator(results);
	if (only.includes('heap')) heap(results);
	if (only.includes('n8n')) await nodeVsHttpRequest(results);
	results.seconds = Math.round((Date.now() - started) / 1000);
	fs.writeFileSync(path.join(__dirname, 'results.json'), JSON.stringify(results, null, 2));
	table();
	log(`done in ${results.seconds} s; bench/results.json written`);
	process.exit(0);
})().catch((e) => {
	process.stderr.write(`${e.stack || e}\n`);
	process.exit(1);
});
