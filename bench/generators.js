'use strict';
/**
 * The one home of the external load generators: which one runs (ab, wrk, else the Node loop of
 * load.js) and reading their reports into { rps, p50, p99, errors }.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { pinned } = require('./lib');

/**
 * The load generator: ApacheBench (`ab`, Debian's apache2-utils) when present, else wrk, else a
 * Node keep-alive loop. ab comes first because its latencies agree with its throughput: in a
 * closed loop the mean latency is clients / throughput, and ab's does; wrk 4.1's percentiles
 * against a server that allocates (any real one) came out far above what that allows (a p99 of
 * 16 ms at 1 client and 9,000 req/s), so they cannot be trusted here.
 */
function loadGenerator() {
	if (spawnSync('ab', ['-V']).error === undefined) return 'ab';
	if (spawnSync('wrk', ['--version']).error === undefined) return 'wrk';
	return 'node';
}

function abLoad({ url, body, concurrency, seconds }) {
	const file = path.join(os.tmpdir(), 'sn-pe-ab-body.json');
	fs.writeFileSync(file, body);
	const res = spawnSync(
		...pinned(1, 'ab', [
			'-k',
			'-q',
			'-c',
			String(concurrency),
			'-t',
			String(seconds),
			'-n',
			'10000000',
			'-p',
			file,
			'-T',
			'application/json',
			url,
		]),
		{ encoding: 'utf8' },
	);
	const text = res.stdout;
	const pct = (p) => Number(new RegExp(`^\\s*${p}%\\s+(\\d+)`, 'm').exec(text)?.[1]);
	const rps = Number(/Requests per second:\s+([\d.]+)/.exec(text)?.[1]);
	if (!Number.isFinite(rps)) throw new Error(`ab gave no result:\n${text}\n${res.stderr}`);
	const non2xx = Number(/Non-2xx responses:\s+(\d+)/.exec(text)?.[1] ?? 0);
	const errors = non2xx + Number(/Failed requests:\s+(\d+)/.exec(text)?.[1] ?? 0);
	const complete = Number(/Complete requests:\s+(\d+)/.exec(text)?.[1]);
	// ab reports percentiles in whole milliseconds.
	return { rps, p50: pct(50), p99: pct(99), errors, non2xx, complete };
}

function wrkLoad({ url, body, concurrency, seconds }) {
	const script = path.join(os.tmpdir(), 'sn-pe-wrk.lua');
	fs.writeFileSync(
		script,
		`wrk.method = "POST"\nwrk.body = ${JSON.stringify(body)}\nwrk.headers["Content-Type"] = "application/json"\n`,
	);
	const res = spawnSync(
		...pinned(1, 'wrk', [
			'-t1',
			`-c${concurrency}`,
			`-d${seconds}s`,
			'--latency',
			'-s',
			script,
			url,
		]),
		{ encoding: 'utf8' },
	);
	const text = res.stdout;
	const ms = (label) => {
		const m = new RegExp(`${label}\\s+([\\d.]+)(us|ms|s)`).exec(text);
		if (!m) return NaN;
		return Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1);
	};
	const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1]);
	const errors = Number(/Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1] ?? 0);
	return { rps, p50: ms('50%'), p99: ms('99%'), errors };
}

module.exports = { loadGenerator, abLoad, wrkLoad };
