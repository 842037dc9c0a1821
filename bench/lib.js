'use strict';
/**
 * The one home of what every benchmark scenario shares: the settings (rounds, issues), the median,
 * the `[bench]` log line, the create request sent, and starting a server under test (pinned to a
 * CPU when the machine allows it).
 */
const { spawn, spawnSync } = require('node:child_process');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const BENCH = __dirname;
const ROUNDS = Number(process.env.BENCH_ROUNDS || 3);
const ISSUES = Number(process.env.BENCH_ISSUES || 2000);
// Short runs, so more of them: the median of 5 two-second runs per server and client count.
const EMULATOR_ROUNDS = Number(process.env.BENCH_EMULATOR_ROUNDS || Math.max(ROUNDS, 5));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const log = (m) => process.stdout.write(`[bench] ${m}\n`);

const CREATE = '/api/sn_pren/self_remediation/experience_issue/create';
const BODY = JSON.stringify({
	endpoint: { user_name: 'abel.tuter' },
	issue_code: '100',
	provider: 'sn',
	investigative_details: { cpu_usage: '78%' },
});

/**
 * On a machine with 2+ CPUs and taskset (util-linux), a server under test runs on CPU 0 and the
 * load generator on CPU 1, the same for both servers: neither competes with its client.
 */
const PIN = os.cpus().length >= 2 && spawnSync('taskset', ['-c', '0', 'true']).status === 0;
const pinned = (cpu, command, args) =>
	PIN ? ['taskset', ['-c', String(cpu), command, ...args]] : [command, args];

function startProcess(args, match, { cpu } = {}) {
	return new Promise((resolve, reject) => {
		const [command, argv] =
			cpu === undefined ? [process.execPath, args] : pinned(cpu, process.execPath, args);
		const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
		let out = '';
		child.stdout.on('data', (c) => {
			out += c;
			const m = match.exec(out);
			if (m) resolve({ child, url: m[1] });
		});
		child.on('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}: ${out}`)));
	});
}

module.exports = {
	ROOT,
	BENCH,
	ROUNDS,
	ISSUES,
	EMULATOR_ROUNDS,
	median,
	log,
	CREATE,
	BODY,
	PIN,
	pinned,
	startProcess,
};
