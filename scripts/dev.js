#!/usr/bin/env node
'use strict';
/**
 * `npm run dev`: real n8n with this package, the standalone emulator and the demo workflows,
 * all on 127.0.0.1. Installs what it needs (Node 24 and dependencies via npm ci, n8n once per
 * machine under ~/.cache), and stops everything it started on Ctrl-C.
 *
 * Its state lives in .dev (DEV_DIR=<folder> moves it). The demo credentials and workflows are
 * imported when the n8n user folder (.dev/n8n) does not have them yet; what is there is kept as
 * the user left it (edits, published or not).
 * `npm run dev -- --reset-demos` (or DEV_RESET_DEMOS=1) imports them again over the user's copies.
 */
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const N8N_PORT = Number(process.env.DEV_N8N_PORT || 5678);
const EMULATOR_PORT = Number(process.env.DEV_EMULATOR_PORT || 8787);
// Where npm run dev keeps its state (n8n's user folder, the emulator's state, the log); DEV_DIR
// moves it elsewhere (a relative path is taken from the repository root).
const DEV_DIR = process.env.DEV_DIR
	? path.resolve(ROOT, process.env.DEV_DIR)
	: path.join(ROOT, '.dev');
const USER_FOLDER = path.join(DEV_DIR, 'n8n');
const OWNER = {
	email: 'demo@example.com',
	password: 'Demo-n8n-1',
	firstName: 'Demo',
	lastName: 'User',
};

const RESET_DEMOS = process.argv.includes('--reset-demos') || process.env.DEV_RESET_DEMOS === '1';

/** A path of DEV_DIR as the user reads it: from the current folder when it is inside it. */
function shown(file) {
	const relative = path.relative(process.cwd(), file);
	return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

let step = 0;
const started = Date.now();
function say(message) {
	step += 1;
	process.stdout.write(
		`\n[dev ${step}] ${message} (${Math.round((Date.now() - started) / 1000)} s)\n`,
	);
}

function npm(args, label) {
	const res = spawnSync('npm', args, { cwd: ROOT, stdio: 'inherit', env: process.env });
	if (res.status !== 0) throw new Error(`${label} failed (exit ${res.status})`);
}

/**
 * `npm ci` on the project's Node 24. npm checks each package's `engines` against the Node it runs
 * on: run by the Node on PATH (20), it warns EBADENGINE for the packages that want Node 22 or 24
 * (isolated-vm, which n8n-workflow's expression engine needs, wants 24), though they only ever run
 * on the Node 24 that `npm ci` itself installs (the `node` devDependency). So Node 24 is fetched
 * first, alone, into .dev/node24 (from npm's cache afterwards), and `npm ci` runs on it.
 */
function npmCi() {
	if (Number(process.versions.node.split('.')[0]) >= 24) return npm(['ci'], 'npm ci');
	const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8'));
	const version = lock.packages['node_modules/node']?.version;
	if (!version) return npm(['ci'], 'npm ci');
	const prefix = path.join(DEV_DIR, 'node24');
	const bin = path.join(prefix, 'node_modules', '.bin');
	if (!fs.existsSync(path.join(bin, 'node'))) {
		process.stdout.write(
			`Node ${process.versions.node} runs npm here; fetching Node ${version} first, so that npm ci runs on it.\n`,
		);
		fs.mkdirSync(prefix, { recursive: true });
		fs.writeFileSync(
			path.join(prefix, 'package.json'),
			// allowScripts: node's preinstall puts the binary in place (npm 11 asks for a review of
			// install scripts, npm 12 skips unreviewed ones).
			JSON.stringify({ name: 'dev-node24', private: true, allowScripts: { node: true } }),
		);
		const res = spawnSync(
			'npm',
			['install', '--no-audit', '--no-fund', '--no-save', '--yes', `node@${version}`],
			{ cwd: prefix, stdio: 'inherit', env: process.env },
		);
		if (res.status !== 0 || !fs.existsSync(path.join(bin, 'node'))) {
			process.stdout.write(
				`Could not fetch Node ${version} on its own; npm ci runs on Node ${process.versions.node} and warns EBADENGINE for the packages that want Node 24: they run on the Node 24 it installs.\n`,
			);
			return npm(['ci'], 'npm ci');
		}
	}
	const res = spawnSync('npm', ['ci'], {
		cwd: ROOT,
		stdio: 'inherit',
		env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH}` },
	});
	if (res.status !== 0) throw new Error(`npm ci failed (exit ${res.status})`);
}

/** Ids already in the n8n user folder's database, of the given table (workflow_entity, credentials_entity). */
function existingIds(rt, table) {
	const db = path.join(USER_FOLDER, '.n8n', 'database.sqlite');
	if (!fs.existsSync(db)) return new Set();
	try {
		const { DatabaseSync } = require('node:sqlite');
		const conn = new DatabaseSync(db, { readOnly: true });
		try {
			return new Set(
				conn
					.prepare(`SELECT id FROM ${table}`)
					.all()
					.map((r) => r.id),
			);
		} finally {
			conn.close();
		}
	} catch {
		// No node:sqlite (Node < 22.5) or no such table yet: ask n8n (workflows only).
		if (table !== 'workflow_entity') return new Set();
		return new Set(
			rt.n8nCli(USER_FOLDER, ['list:workflow', '--onlyId']).split(/\s+/).filter(Boolean),
		);
	}
}

function dependenciesInstalled() {
	const marker = path.join(ROOT, 'node_modules', '.package-lock.json');
	if (!fs.existsSync(path.join(ROOT, 'node_modules', '.bin', 'node')) || !fs.existsSync(marker))
		return false;
	return fs.statSync(marker).mtimeMs >= fs.statSync(path.join(ROOT, 'package-lock.json')).mtimeMs;
}

async function main() {
	if (!dependenciesInstalled()) {
		say('Installing the project (Node 24 comes with it): npm ci');
		npmCi();
	}
	const rt = require('./n8n-runtime');
	say('Building the package');
	npm(['run', 'build', '--silent'], 'build');

	say(`Making sure n8n@${rt.N8N_VERSION} is installed (cached in ${rt.n8nDir()})`);
	await rt.ensureN8n();

	say(
		`Installing this package into ${USER_FOLDER}/.n8n/nodes, as n8n installs a community package`,
	);
	fs.mkdirSync(USER_FOLDER, { recursive: true });
	rt.installPackage(USER_FOLDER);

	const importDir = fs.mkdtempSync(path.join(DEV_DIR, 'import-'));
	const credentials = [
		{
			id: 'snPeEmulatorCred',
			name: 'ServiceNow PE (local emulator)',
			type: 'serviceNowPeApi',
			data: {
				instanceUrl: `http://127.0.0.1:${EMULATOR_PORT}`,
				authType: 'basic',
				username: 'pe.integration',
				password: 'integration',
				ignoreSslIssues: false,
			},
		},
		{
			id: 'snPeTriggerCred',
			name: 'ServiceNow PE (emulator trigger in this n8n)',
			type: 'serviceNowPeApi',
			data: {
				instanceUrl: `http://127.0.0.1:${N8N_PORT}/webhook/servicenow-emulator`,
				authType: 'basic',
				username: 'pe.integration',
				password: 'integration',
				ignoreSslIssues: false,
			},
		},
	];
	const workflows = [
		{ id: 'snPeDemoAlert', file: 'alert-to-experience-issue.json' },
		{ id: 'snPeDemoEmulator', file: 'emulator-in-n8n.json' },
		{ id: 'snPeDemoChain', file: 'chain-issue-codes-automatically.json' },
	];
	const haveCredentials = RESET_DEMOS ? new Set() : existingIds(rt, 'credentials_entity');
	const haveWorkflows = RESET_DEMOS ? new Set() : existingIds(rt, 'workflow_entity');
	const newCredentials = credentials.filter((c) => !haveCredentials.has(c.id));
	const newWorkflows = workflows.filter((wf) => !haveWorkflows.has(wf.id));
	const kept = workflows.filter((wf) => haveWorkflows.has(wf.id));
	say(
		newWorkflows.length === 0 && newCredentials.length === 0
			? `The ${workflows.length} demo workflows and their credentials are already in ${USER_FOLDER}: kept as you left them (npm run dev -- --reset-demos imports them again over your changes)`
			: RESET_DEMOS
				? `--reset-demos: importing the ${workflows.length} demo workflows and their credentials again, over your changes`
				: `Importing ${newWorkflows.length} demo workflow(s) and ${newCredentials.length} credential(s)${kept.length ? `; keeping your ${kept.map((wf) => wf.id).join(', ')} as you left them` : ''}`,
	);
	if (newCredentials.length > 0) {
		fs.writeFileSync(path.join(importDir, 'credentials.json'), JSON.stringify(newCredentials));
		rt.n8nCli(USER_FOLDER, [
			'import:credentials',
			`--input=${path.join(importDir, 'credentials.json')}`,
		]);
	}
	for (const wf of newWorkflows) {
		const json = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', wf.file), 'utf8'));
		fs.writeFileSync(
			path.join(importDir, `${wf.id}.json`),
			JSON.stringify({ ...json, id: wf.id, active: false }),
		);
		rt.n8nCli(USER_FOLDER, ['import:workflow', `--input=${path.join(importDir, `${wf.id}.json`)}`]);
		rt.n8nCli(USER_FOLDER, ['publish:workflow', `--id=${wf.id}`]);
	}
	fs.rmSync(importDir, { recursive: true, force: true });

	say(`Starting the standalone emulator on http://127.0.0.1:${EMULATOR_PORT}`);
	const { bin: node } = rt.node24();
	const emulator = spawn(
		node,
		[
			path.join(ROOT, 'dist', 'emulator', 'cli.js'),
			'--port',
			String(EMULATOR_PORT),
			'--state',
			path.join(DEV_DIR, 'emulator-state.json'),
		],
		{ stdio: ['ignore', 'inherit', 'inherit'] },
	);

	say(`Starting n8n on http://127.0.0.1:${N8N_PORT} (log: ${path.join(DEV_DIR, 'n8n.log')})`);
	const n8n = rt.startN8n(USER_FOLDER, {
		port: N8N_PORT,
		logFile: path.join(DEV_DIR, 'n8n.log'),
		extraEnv: {
			N8N_INSTANCE_OWNER_MANAGED_BY_ENV: 'true',
			N8N_INSTANCE_OWNER_EMAIL: OWNER.email,
			N8N_INSTANCE_OWNER_FIRST_NAME: OWNER.firstName,
			N8N_INSTANCE_OWNER_LAST_NAME: OWNER.lastName,
			N8N_INSTANCE_OWNER_PASSWORD_HASH: rt.bcryptHash(OWNER.password),
		},
	});
	let stopping = false;
	const shutdown = async (why) => {
		if (stopping) return;
		stopping = true;
		process.stdout.write(
			`\n[dev] ${why}: stopping n8n (pid ${n8n.pid}) and the emulator (pid ${emulator.pid})\n`,
		);
		await Promise.all([rt.stop(n8n), rt.stop(emulator)]);
		process.exit(0);
	};
	process.on('SIGINT', () => void shutdown('Ctrl-C'));
	process.on('SIGTERM', () => void shutdown('SIGTERM'));
	n8n.on(
		'exit',
		(code) =>
			void (
				stopping || shutdown(`n8n exited (${code}); see ${shown(path.join(DEV_DIR, 'n8n.log'))}`)
			),
	);

	const base = `http://127.0.0.1:${N8N_PORT}`;
	await rt.waitReady(base, 180_000);
	const webhooksReady = await rt
		.waitFor(
			'the demo webhooks',
			async () =>
				(await rt.get(`${base}/webhook/servicenow-emulator/api/now/table/sys_user_role`)).status ===
				200,
			60_000,
		)
		.then(
			() => true,
			() => false,
		);

	const alert = path.join(ROOT, 'examples', 'alertmanager-alert.json');
	const chainAlerts = path.join(ROOT, 'examples', 'alertmanager-chain-alerts.json');
	const emulatorUrl = `http://127.0.0.1:${EMULATOR_PORT}`;
	process.stdout.write(`
================================================================================
 n8n is running with n8n-nodes-servicenow-proactive-engagement (ready in ${Math.round((Date.now() - started) / 1000)} s)

 Editor:     ${base}/workflow/snPeDemoAlert
 Log in as:  ${OWNER.email} / ${OWNER.password}   (local-only demo account)

 Fire the demo (an Alertmanager alert -> experience issue in the emulator):
   curl -s -X POST ${base}/webhook/demo-alert -H 'content-type: application/json' --data @${path.relative(process.cwd(), alert) || alert}
 Fire it again: the issue is already being resolved -> the "Already Being Resolved" branch.

 Chain issue codes automatically (workflow ${base}/workflow/snPeDemoChain):
   curl -s -X POST ${base}/webhook/chain-alerts -H 'content-type: application/json' --data @${path.relative(process.cwd(), chainAlerts) || chainAlerts}
 Disk full -> issue 102, which waits in action_wait after 25 s; the trigger (polling every minute)
 chains 103, which resolves 20 s later. Low memory -> 101, whose resolution fails: a fallback incident.
 Skip the waiting: curl -s -X POST ${emulatorUrl}/_emulator/clock/advance --data '{"seconds":25}'

 Emulator:   http://127.0.0.1:${EMULATOR_PORT}  (journal: http://127.0.0.1:${EMULATOR_PORT}/_emulator/journal)
 Emulator inside n8n: ${base}/webhook/servicenow-emulator  (workflow ${base}/workflow/snPeDemoEmulator)${webhooksReady ? '' : '\n   (its webhook did not answer within 60 s: is the workflow published?)'}

 The ${workflows.length} demo workflows (alert, chain, emulator inside n8n) live in ${shown(USER_FOLDER)}:
 ${kept.length ? `kept as you left them (${kept.map((wf) => wf.id).join(', ')})` : 'imported from examples/'}; your edits stay across restarts.
 Start again from examples/:  npm run dev -- --reset-demos

 Ctrl-C stops n8n and the emulator.
================================================================================
`);
}

main().catch((e) => {
	process.stderr.write(`\n[dev] ${e instanceof Error ? e.message : String(e)}\n`);
	process.exit(1);
});
