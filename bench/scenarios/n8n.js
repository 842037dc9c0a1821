'use strict';
/**
 * The one home of the benchmark in real n8n: the action node against n8n's HTTP Request node, the
 * helper floor and a raw client, each round creating the same issues in the emulator, the ratios
 * paired within rounds.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const rt = require('../../scripts/n8n-runtime');
const { ROOT, BENCH, ROUNDS, ISSUES, median, log, CREATE, BODY, startProcess } = require('../lib');
const { load } = require('../load');
const { MATCHED, BATCH, benchWorkflows, benchCredentials } = require('./n8nWorkflows');

async function nodeVsHttpRequest(results) {
	log(`action node vs n8n's HTTP Request node in real n8n, ${ISSUES} issues each`);
	await rt.ensureN8n();
	const emu = await startProcess(
		[
			path.join(ROOT, 'dist/emulator/cli.js'),
			'--port',
			'0',
			'--initial-state',
			'closed',
			'--auth',
			'basic',
		],
		/listening on (http:\S+)/,
	);
	const userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'sn-pe-bench-'));
	rt.installPackage(userFolder);
	// The helper floor (bench/floor): n8n loads it from its custom folder as CUSTOM.benchFloor.
	fs.mkdirSync(path.join(userFolder, '.n8n', 'custom'), { recursive: true });
	fs.copyFileSync(
		path.join(BENCH, 'floor', 'BenchFloor.node.js'),
		path.join(userFolder, '.n8n', 'custom', 'BenchFloor.node.js'),
	);
	const workflows = benchWorkflows(emu.url);
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sn-pe-bench-import-'));
	fs.writeFileSync(path.join(dir, 'creds.json'), JSON.stringify(benchCredentials(emu.url)));
	rt.n8nCli(userFolder, ['import:credentials', `--input=${path.join(dir, 'creds.json')}`]);
	for (const wf of workflows) {
		fs.writeFileSync(
			path.join(dir, `${wf.id}.json`),
			JSON.stringify({ ...wf.json, id: wf.id, active: false }),
		);
		rt.n8nCli(userFolder, ['import:workflow', `--input=${path.join(dir, `${wf.id}.json`)}`]);
		rt.n8nCli(userFolder, ['publish:workflow', `--id=${wf.id}`]);
	}
	const port = 5800 + (process.pid % 100);
	const base = `http://127.0.0.1:${port}`;
	// BENCH_N8N_NODE_OPTIONS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) profiles the n8n process.
	const extraEnv = process.env.BENCH_N8N_NODE_OPTIONS
		? { NODE_OPTIONS: process.env.BENCH_N8N_NODE_OPTIONS }
		: {};
	const n8n = rt.startN8n(userFolder, {
		port,
		logFile: path.join(userFolder, 'n8n.log'),
		extraEnv,
	});
	const out = {};
	let ratios = {};
	try {
		await rt.waitReady(base, 180_000);
		await rt.waitFor(
			'bench webhooks',
			async () => /Did you mean/i.test((await rt.get(`${base}/webhook/bench-pedefault`)).body),
			60_000,
		);
		let n = 0;
		const runOnce = async (id) => {
			const items = Array.from({ length: ISSUES }, (_, i) => ({
				user: 'abel.tuter',
				id: `B${n}-${i}`,
			}));
			n++;
			await fetch(`${emu.url}/_emulator/reset`, { method: 'POST' });
			const before = rt.readExecutions(userFolder).filter((e) => e.workflowId === id).length;
			await fetch(`${base}/webhook/bench-${id}`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ items }),
			});
			let run;
			await rt.waitFor(
				`${id} execution`,
				async () => {
					const list = rt
						.readExecutions(userFolder)
						.filter((e) => e.workflowId === id && e.status !== 'running' && e.status !== 'new');
					run = list[before];
					return Boolean(run);
				},
				300_000,
				250,
			);
			const task = run.data.resultData.runData.Target[0];
			const made = (await (await fetch(`${emu.url}/_emulator/health`)).json()).issues;
			if (made !== ISSUES) throw new Error(`${id} created ${made} issues, expected ${ISSUES}`);
			return ISSUES / (task.executionTime / 1000);
		};
		const targets = process.env.BENCH_WORKFLOWS
			? process.env.BENCH_WORKFLOWS.split(',')
			: ['pedefault', 'pematched', 'floormatched', 'pebatch', 'httpdefault', 'httpmatched'];
		const samples = Object.fromEntries(
			[...targets, 'rawClient', 'rawClientNewConnections'].map((id) => [id, []]),
		);
		// The limit: a raw keep-alive client sending the same creates at the matched concurrency;
		// for reference, the same client opening a new connection per request, as n8n's request
		// helper does (it builds new HTTP agents for every request). Measured in every round, right
		// after the workflows, so each ratio compares figures of the same minute.
		const raw = async (keepAlive) => {
			await fetch(`${emu.url}/_emulator/reset`, { method: 'POST' });
			const res = await load({
				url: emu.url + CREATE,
				body: BODY,
				headers: {
					authorization: 'Basic ' + Buffer.from('pe.integration:integration').toString('base64'),
				},
				concurrency: MATCHED,
				total: ISSUES,
				keepAlive,
			});
			return res.rps;
		};
		await runOnce('pedefault'); // warm-up
		for (let r = 0; r < ROUNDS; r++) {
			for (const id of targets) samples[id].push(await runOnce(id));
			samples.rawClient.push(await raw(true));
			samples.rawClientNewConnections.push(await raw(false));
		}
		for (const [id, list] of Object.entries(samples)) out[id] = median(list);
		out.matchedConcurrency = MATCHED;
		out.batch = BATCH;
		// Each ratio: the median of the rounds' own ratios.
		const paired = (a, b) => {
			const by = Array.isArray(b) ? b : [b];
			if (!samples[a] || by.some((id) => !samples[id])) return NaN;
			return median(samples[a].map((x, i) => x / Math.max(...by.map((id) => samples[id][i]))));
		};
		ratios = {
			ratioDefault: paired('pedefault', 'httpdefault'),
			ratioMatched: paired('pematched', 'httpmatched'),
			ratioToRawLimit: paired('pematched', 'rawClient'),
			ratioToRawNewConnections: paired('pematched', 'rawClientNewConnections'),
			ratioToFloor: paired('pematched', 'floormatched'),
			batchToRawClient: paired('pebatch', 'rawClient'),
			batchToHttpRequest: paired('pebatch', ['httpdefault', 'httpmatched']),
		};
	} finally {
		await rt.stop(n8n);
		emu.child.kill('SIGTERM');
		// The run leaves nothing behind: n8n's user folder and the import files.
		for (const folder of [userFolder, dir]) fs.rmSync(folder, { recursive: true, force: true });
	}
	results.nodeVsHttpRequest = { itemsPerSecond: out, ...ratios };
}

module.exports = { nodeVsHttpRequest };
