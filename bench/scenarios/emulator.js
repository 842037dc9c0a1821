'use strict';
/**
 * The one home of the emulator's throughput and latency against a bare node:http server (and the
 * same server answering per event-loop turn) at 1/10/50 clients, and of the alert-storm check.
 */
const path = require('node:path');
const {
	ROOT,
	BENCH,
	EMULATOR_ROUNDS,
	median,
	log,
	CREATE,
	BODY,
	PIN,
	startProcess,
} = require('../lib');
const { loadGenerator, abLoad, wrkLoad } = require('../generators');
const { load } = require('../load');

async function emulatorVsBare(results) {
	const generator = loadGenerator();
	results.loadGenerator = {
		ab: 'ab (ApacheBench), keep-alive; percentiles in whole ms',
		wrk: 'wrk',
		node: "node:http keep-alive loop (install Debian's apache2-utils for a client that is not the bottleneck)",
	}[generator];
	log('emulator vs a bare node:http server (fixed JSON), 1/10/50 concurrent keep-alive clients');
	results.pinnedCpus = PIN;
	const emu = await startProcess(
		[path.join(ROOT, 'dist/emulator/cli.js'), '--port', '0', '--initial-state', 'closed'],
		/listening on (http:\S+)/,
		{ cpu: 0 },
	);
	const bare = await startProcess(
		[path.join(BENCH, 'bare-server.js'), '0'],
		/listening on (http:\S+)/,
		{ cpu: 0 },
	);
	// Like for like: the same bare server answering per event-loop turn, as the emulator's does.
	const perTurn = await startProcess(
		[path.join(BENCH, 'bare-server.js'), '0', 'per-turn'],
		/listening on (http:\S+)/,
		{ cpu: 0 },
	);
	// Alert storm: issues stay open, so every create after the first is refused ("being resolved").
	const storm = await startProcess(
		[path.join(ROOT, 'dist/emulator/cli.js'), '--port', '0', '--initial-state', 'open'],
		/listening on (http:\S+)/,
		{ cpu: 0 },
	);
	const out = {};
	const measure = (url, concurrency, seconds) => {
		const options = { url, body: BODY, concurrency, seconds };
		if (generator === 'ab') return abLoad(options);
		return generator === 'wrk' ? wrkLoad(options) : load(options);
	};
	try {
		// Warm-up: both servers' code compiled by the JIT before anything is measured.
		for (const base of [bare.url, perTurn.url, emu.url, storm.url])
			await measure(base + CREATE, 10, 2);
		for (const concurrency of [1, 10, 50]) {
			const runs = { emulator: [], bare: [], perTurn: [] };
			for (let r = 0; r < EMULATOR_ROUNDS; r++) {
				// With one client the emulator answers at once (nothing else can arrive in the same
				// turn), so the per-turn reference is measured from 10 clients on.
				const servers =
					concurrency === 1
						? [
								['bare', bare.url],
								['emulator', emu.url],
							]
						: [
								['bare', bare.url],
								['perTurn', perTurn.url],
								['emulator', emu.url],
							];
				for (const [name, base] of servers) {
					if (name === 'emulator') await fetch(`${base}/_emulator/reset`, { method: 'POST' });
					runs[name].push(await measure(base + CREATE, concurrency, 2));
				}
			}
			const pick = (list, key) => median(list.map((x) => x[key]));
			out[concurrency] = {
				emulatorRps: pick(runs.emulator, 'rps'),
				bareRps: pick(runs.bare, 'rps'),
				// Each round measures both servers back to back: the median of those paired ratios
				// is steadier than a ratio of medians on a machine whose speed drifts.
				throughputRatio: median(runs.emulator.map((x, i) => x.rps / runs.bare[i].rps)),
				...(runs.perTurn.length > 0
					? {
							perTurnRps: pick(runs.perTurn, 'rps'),
							perTurnRatio: median(runs.emulator.map((x, i) => x.rps / runs.perTurn[i].rps)),
							perTurnP99Ms: pick(runs.perTurn, 'p99'),
						}
					: {}),
				emulatorP50Ms: pick(runs.emulator, 'p50'),
				emulatorP99Ms: pick(runs.emulator, 'p99'),
				bareP50Ms: pick(runs.bare, 'p50'),
				bareP99Ms: pick(runs.bare, 'p99'),
				errors: runs.emulator.reduce((a, x) => a + x.errors, 0),
				// Closed-loop load: the mean latency is exactly clients / throughput (Little's law).
				emulatorMeanMs: (concurrency / pick(runs.emulator, 'rps')) * 1000,
				bareMeanMs: (concurrency / pick(runs.bare, 'rps')) * 1000,
			};
		}
		// The storm check counts refusals, which only ab reports (as non-2xx answers).
		if (generator === 'ab') {
			const runs = { emulator: [], bare: [] };
			for (let r = 0; r < EMULATOR_ROUNDS; r++) {
				runs.bare.push(await measure(bare.url + CREATE, 50, 2));
				await fetch(`${storm.url}/_emulator/reset`, { method: 'POST' });
				const run = await measure(storm.url + CREATE, 50, 2);
				const held = (await (await fetch(`${storm.url}/_emulator/health`)).json()).issues;
				// The one-issue rule under load: one create accepted, every other one refused.
				if (held !== 1 || run.non2xx !== run.complete - 1)
					throw new Error(
						`storm round: ${held} issues held, ${run.non2xx} of ${run.complete} refused`,
					);
				runs.emulator.push(run);
			}
			results.emulatorStorm = {
				emulatorRps: median(runs.emulator.map((x) => x.rps)),
				bareRps: median(runs.bare.map((x) => x.rps)),
				throughputRatio: median(runs.emulator.map((x, i) => x.rps / runs.bare[i].rps)),
				emulatorP99Ms: median(runs.emulator.map((x) => x.p99)),
				bareP99Ms: median(runs.bare.map((x) => x.p99)),
				refusedPerRound: median(runs.emulator.map((x) => x.non2xx)),
			};
		}
	} finally {
		emu.child.kill('SIGTERM');
		bare.child.kill('SIGTERM');
		perTurn.child.kill('SIGTERM');
		storm.child.kill('SIGTERM');
	}
	results.emulatorVsBare = out;
}

module.exports = { emulatorVsBare };
