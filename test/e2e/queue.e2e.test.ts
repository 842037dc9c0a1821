import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../emulator/server';
import {
	emulatorCredential,
	example,
	executionsOf,
	freePort,
	importAll,
	newUserFolder,
	post,
	rt,
	runChainExample,
	waitForWebhook,
} from './helpers';

/** n8n in queue mode: main process + one worker sharing Redis (Debian's redis-server). */
describe('queue mode: the workflow runs on a worker with our node loaded', () => {
	let sn: RunningEmulator;
	let userFolder: string;
	const processes: ChildProcess[] = [];
	let base: string;
	let workerLog: string;

	beforeAll(async () => {
		if (spawnSync('redis-server', ['--version']).status !== 0) {
			throw new Error(
				'redis-server is not installed: apt-get install redis-server (.ci/run does).',
			);
		}
		await rt.ensureN8n();
		sn = await startEmulator({ port: 0 });
		const [port, redisPort] = [await freePort(), await freePort()];
		base = `http://127.0.0.1:${port}`;
		const redis = spawn(
			'redis-server',
			['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
			{ stdio: 'ignore' },
		);
		processes.push(redis);
		userFolder = newUserFolder();
		importAll(
			userFolder,
			[emulatorCredential('snPeEmulatorCred', 'ServiceNow PE', sn.url)],
			[
				{ id: 'queueAlert', json: example('alert-to-experience-issue.json') },
				{ id: 'queueChain', json: example('chain-issue-codes-automatically.json') },
			],
		);
		const queueEnv = {
			EXECUTIONS_MODE: 'queue',
			QUEUE_BULL_REDIS_HOST: '127.0.0.1',
			QUEUE_BULL_REDIS_PORT: String(redisPort),
			QUEUE_HEALTH_CHECK_ACTIVE: 'false',
		};
		processes.push(
			rt.startN8n(userFolder, { port, logFile: join(userFolder, 'main.log'), extraEnv: queueEnv }),
		);
		await rt.waitReady(base, 120_000);
		workerLog = join(userFolder, 'worker.log');
		const workerPort = await freePort();
		processes.push(
			rt.startN8n(userFolder, {
				command: 'worker',
				args: ['--concurrency=2'],
				port,
				logFile: workerLog,
				extraEnv: { ...queueEnv, QUEUE_HEALTH_CHECK_PORT: String(workerPort) },
			}),
		);
		await rt.waitFor(
			'the worker',
			async () =>
				/worker.*ready|Worker started|n8n worker is now ready/i.test(
					readFileSync(workerLog, 'utf8'),
				),
			120_000,
		);
		// A GET to the POST-only webhook answers "Did you mean to make a POST request?" once it is registered.
		await waitForWebhook(base, 'demo-alert', (res) => /Did you mean/i.test(res.body));
	}, 900_000);

	afterAll(async () => {
		for (const p of processes.reverse()) await rt.stop(p);
		await sn?.close();
	});

	it('creates the issue from the worker and routes the second alert to Already Being Resolved', async () => {
		const alert = JSON.stringify(example('alertmanager-alert.json'));
		const first = await post(`${base}/webhook/demo-alert`, alert);
		const second = await post(`${base}/webhook/demo-alert`, alert);
		expect(JSON.parse(first.text)).toMatchObject({ outcome: 'created' });
		expect(JSON.parse(second.text)).toMatchObject({ errorCode: 'BEING_RESOLVED' });
		const runs = await executionsOf(userFolder, 'queueAlert', 2);
		expect(runs.map((r: any) => r.status)).toEqual(['success', 'success']);
		expect(rt.nodeOutput(runs[0], 'Created')).toHaveLength(1);
		expect(rt.nodeOutput(runs[1], 'Already Being Resolved')).toHaveLength(1);
		// The worker, not the main process, ran them.
		const log = readFileSync(workerLog, 'utf8');
		for (const run of runs) expect(log).toMatch(new RegExp(`execution.{0,40}\\b${run.id}\\b`, 'i'));
		expect(sn.issues()).toHaveLength(1);
	});

	it('runs "Chain issue codes automatically" with the trigger polling from the main process and the workflow on the worker', async () => {
		const run = await runChainExample({ base, sn, userFolder, workflowId: 'queueChain' });
		console.log(
			`chain example timings in queue mode (s from the alert): ${JSON.stringify(run.timings)}`,
		);
		expect(run.counts).toMatchObject({ chained: 1, resolved: 1, incident: 1 });
		expect(run.resolved).toMatchObject({
			state: 'closed',
			end_reason: 'resolved',
			issue_code_history: ['102', '103'],
		});
		expect(run.incidents).toHaveLength(1);
		expect(run.incidents[0].origin_id).toBe(run.memory.sys_id);
		// The trigger's executions ran on the worker.
		const log = readFileSync(workerLog, 'utf8');
		const triggered = rt
			.readExecutions(userFolder)
			.filter((e: any) => e.workflowId === 'queueChain' && e.mode === 'trigger');
		expect(triggered.length).toBeGreaterThanOrEqual(2);
		for (const e of triggered)
			expect(log).toMatch(new RegExp(`execution.{0,40}\\b${e.id}\\b`, 'i'));
	}, 600_000);
});
