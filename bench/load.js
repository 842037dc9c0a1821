'use strict';
/** An HTTP load loop: `concurrency` clients posting for `seconds` (or `total` requests), keep-alive unless `keepAlive: false`. */
const http = require('node:http');

function percentile(sorted, p) {
	if (sorted.length === 0) return NaN;
	return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function load({ url, body, headers = {}, concurrency, seconds, total, keepAlive = true }) {
	const target = new URL(url);
	const agent = new http.Agent({ keepAlive, maxSockets: concurrency });
	const latencies = [];
	let errors = 0;
	let sent = 0;
	const deadline = seconds ? Date.now() + seconds * 1000 : Infinity;
	const one = () =>
		new Promise((resolve) => {
			const started = process.hrtime.bigint();
			const req = http.request(
				{
					host: target.hostname,
					port: target.port,
					path: target.pathname,
					method: 'POST',
					agent,
					headers: {
						'content-type': 'application/json',
						'content-length': Buffer.byteLength(body),
						...headers,
					},
				},
				(res) => {
					res.resume();
					res.on('end', () => {
						latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
						if (res.statusCode >= 500) errors++;
						resolve();
					});
				},
			);
			req.on('error', () => {
				errors++;
				resolve();
			});
			req.end(body);
		});
	const started = process.hrtime.bigint();
	const worker = async () => {
		while (Date.now() < deadline && (total === undefined || sent < total)) {
			sent++;
			await one();
		}
	};
	await Promise.all(Array.from({ length: concurrency }, worker));
	const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
	agent.destroy();
	latencies.sort((a, b) => a - b);
	return {
		requests: latencies.length,
		errors,
		seconds: elapsed,
		rps: latencies.length / elapsed,
		p50: percentile(latencies, 50),
		p99: percentile(latencies, 99),
	};
}

module.exports = { load, percentile };
