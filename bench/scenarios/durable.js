'use strict';
/**
 * The one home of the durable emulator's benchmark (--state): creates/s at 50 clients with the
 * state file empty and holding 100,000 issues (each create one row: the cost does not grow with
 * the issues held), against the same emulator without a state file.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { ROOT, EMULATOR_ROUNDS, median, log, CREATE, BODY, startProcess } = require('../lib');
const { loadGenerator, abLoad } = require('../generators');
const { load } = require('../load');

async function durableEmulator(results) {
	const HELD = Number(process.env.BENCH_HELD_ISSUES || 100_000);
	log(
		`durable emulator (--state): creates/s at 50 clients, state empty and holding ${HELD} issues, vs no state file`,
	);
	const { StateFile } = require(path.join(ROOT, 'dist/emulator/store/stateFile'));
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sn-pe-bench-state-'));
	const full = path.join(dir, 'full.db');
	const { file } = StateFile.open(full);
	const at = '2026-11-28 00:00:00';
	for (let i = 0; i < HELD; i++) {
		const id = i.toString(16).padStart(32, '0');
		file.stage({
			kind: 'issue',
			counter: i + 1,
			issue: {
				sys_id: id,
				number: `PREN${String(i + 1).padStart(7, '0')}`,
				experience_id: id,
				issue_code: '100',
				provider: 'sn',
				state: 'closed',
				user: '62826bf03710200044e0bfc8bcbe5df1',
				configuration_item: '',
				endpoint: { user_name: 'abel.tuter' },
				input_parameters: {},
				investigative_details: { cpu_usage: '78%' },
				issue_code_history: ['100'],
				sys_created_on: at,
				sys_updated_on: at,
			},
		});
	}
	file.close();
	const servers = {
		memory: ['--initial-state', 'closed'],
		empty: ['--initial-state', 'closed', '--state', path.join(dir, 'empty.db')],
		full: ['--initial-state', 'closed', '--state', full],
	};
	const started = {};
	for (const [name, args] of Object.entries(servers))
		started[name] = await startProcess(
			[path.join(ROOT, 'dist/emulator/cli.js'), '--port', '0', ...args],
			/listening on (http:\S+)/,
			{ cpu: 0 },
		);
	const measure = (url) =>
		loadGenerator() === 'ab'
			? abLoad({ url, body: BODY, concurrency: 50, seconds: 2 })
			: load({ url, body: BODY, concurrency: 50, seconds: 2 });
	const runs = { memory: [], empty: [], full: [] };
	try {
		for (const s of Object.values(started)) await measure(s.url + CREATE);
		for (let r = 0; r < EMULATOR_ROUNDS; r++)
			for (const [name, s] of Object.entries(started))
				runs[name].push((await measure(s.url + CREATE)).rps);
		const held = (await (await fetch(`${started.full.url}/_emulator/health`)).json()).issues;
		if (held < HELD)
			throw new Error(`the full state file holds ${held} issues, expected at least ${HELD}`);
	} finally {
		const exited = Object.values(started).map(
			(s) => s.child.exitCode === null && new Promise((resolve) => s.child.once('exit', resolve)),
		);
		for (const s of Object.values(started)) s.child.kill('SIGTERM');
		await Promise.all(exited);
		// The run leaves nothing behind: the state files.
		fs.rmSync(dir, { recursive: true, force: true });
	}
	results.durable = {
		heldIssues: HELD,
		memoryRps: median(runs.memory),
		emptyRps: median(runs.empty),
		fullRps: median(runs.full),
		emptyToMemory: median(runs.empty.map((x, i) => x / runs.memory[i])),
		fullToEmpty: median(runs.full.map((x, i) => x / runs.empty[i])),
	};
}

module.exports = { durableEmulator };
