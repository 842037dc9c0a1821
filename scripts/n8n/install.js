'use strict';
/**
 * The one home of installing: n8n itself under ~/.cache (once per machine and version, with
 * progress), and this package into an n8n user folder as n8n installs a community package.
 */
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const {
	N8N_VERSION,
	isV1,
	ROOT,
	PACKAGE,
	cacheRoot,
	n8nDir,
	nodeFor,
	envFor,
	envWithNode24,
	log,
} = require('./config');

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

module.exports = { ensureN8n, installPackage };
