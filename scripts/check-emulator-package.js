#!/usr/bin/env node
/**
 * The emulator package as a user gets it: packed (`npm pack -w servicenow-pe-emulator`), then run
 * with `npx` from that tarball in a fresh folder. It must start, answer a create in JSON and XML,
 * keep issues across a restart with --state, and install nothing else. With a Node on PATH that
 * has no node:sqlite (Node 20), --help and a --state-free start must still work and --state must
 * say in one line which Node it needs. Needs a build (`npm run build`) first.
 */
const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sn-pe-emulator-package-'));
const fresh = path.join(work, 'fresh');
fs.mkdirSync(fresh);

function fail(message) {
	console.error(`FAILED: ${message}`);
	process.exitCode = 1;
}

function post(url, body, type) {
	return new Promise((resolve, reject) => {
		const req = http.request(
			`${url}/api/sn_pren/self_remediation/experience_issue/create`,
			{ method: 'POST', headers: { 'content-type': type, accept: type } },
			(res) => {
				let text = '';
				res.on('data', (c) => (text += c));
				res.on('end', () => resolve({ status: res.statusCode, text }));
			},
		);
		req.on('error', reject);
		req.end(body);
	});
}

/** Starts `npx <tarball> args` with `node` first on PATH; resolves with its URL once it listens. */
function start(tarball, nodeDir, args) {
	const env = { ...process.env, PATH: `${nodeDir}${path.delimiter}${process.env.PATH}` };
	const child = spawn(
		'npm',
		['exec', '--yes', `--package=${tarball}`, '--', 'servicenow-pe-emulator', ...args],
		{ cwd: fresh, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
	);
	let out = '';
	const exit = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
	const listening = new Promise((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`no "listening" within 60 s: ${out}`)), 60_000);
		const read = (chunk) => {
			out += chunk;
			const url = /listening on (http:\S+)/.exec(out)?.[1];
			if (url) {
				clearTimeout(timer);
				resolve(url);
			}
		};
		child.stdout.on('data', read);
		child.stderr.on('data', read);
		exit.then((code) => {
			clearTimeout(timer);
			reject(new Error(`exited ${code}: ${out.trim()}`));
		});
	});
	const stop = async () => {
		process.kill(-child.pid, 'SIGTERM');
		await exit;
	};
	return { listening, stop, output: () => out, exit };
}

function run(tarball, nodeDir, args) {
	const env = { ...process.env, PATH: `${nodeDir}${path.delimiter}${process.env.PATH}` };
	try {
		return {
			code: 0,
			out: execFileSync(
				'npm',
				['exec', '--yes', `--package=${tarball}`, '--', 'servicenow-pe-emulator', ...args],
				{ cwd: fresh, env, encoding: 'utf8', stdio: 'pipe' },
			),
		};
	} catch (e) {
		return { code: e.status, out: `${e.stdout}${e.stderr}` };
	}
}

const ABEL = { endpoint: { user_name: 'abel.tuter' }, issue_code: '100', provider: 'sn' };

async function creates(url, label) {
	const json = await post(url, JSON.stringify(ABEL), 'application/json');
	if (json.status !== 200 || !/"experience_id"/.test(json.text))
		fail(`${label}: JSON create answered ${json.status} ${json.text}`);
	const xml = await post(
		url,
		'<request><endpoint><user_name>beth.anglin</user_name></endpoint><issue_code>101</issue_code><provider>sn</provider></request>',
		'application/xml',
	);
	if (xml.status !== 200 || !/<experience_id>/.test(xml.text))
		fail(`${label}: XML create answered ${xml.status} ${xml.text}`);
	console.log(`   ${label}: JSON create ${json.status}, XML create ${xml.status}`);
}

/** Node binaries on PATH (outside this project), by version. */
function nodesOnPath() {
	const found = new Map();
	for (const dir of (process.env.PATH || '').split(path.delimiter)) {
		if (!dir || dir.includes('node_modules')) continue;
		const bin = path.join(dir, 'node');
		if (!fs.existsSync(bin)) continue;
		const version = execFileSync(
			bin,
			[
				'-p',
				'let s = false; try { require("node:sqlite"); s = true } catch {} process.versions.node + " " + s',
			],
			{ encoding: 'utf8' },
		).trim();
		if (!found.has(version)) found.set(version, dir);
	}
	return found;
}

(async () => {
	try {
		const name = execFileSync(
			'npm',
			['pack', '--silent', '-w', 'servicenow-pe-emulator', '--pack-destination', work],
			{ cwd: ROOT, encoding: 'utf8' },
		)
			.trim()
			.split('\n')
			.pop();
		const tarball = path.join(work, name);
		const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).trim().split('\n');
		console.log(
			`== ${name}: ${files.length} files, ${(fs.statSync(tarball).size / 1024).toFixed(1)} kB`,
		);
		const manifest = JSON.parse(
			execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }),
		);
		if (manifest.dependencies && Object.keys(manifest.dependencies).length)
			fail(`the emulator package has dependencies: ${Object.keys(manifest.dependencies)}`);

		const thisNode = path.dirname(process.execPath);
		console.log(`== npx ${name} in a fresh folder, Node ${process.versions.node}`);
		const help = run(tarball, thisNode, ['--help']);
		if (help.code !== 0 || !/Usage: servicenow-pe-emulator/.test(help.out))
			fail(`--help: ${help.code} ${help.out}`);
		const state = path.join(work, 'state.db');
		let emu = start(tarball, thisNode, ['--port', '0', '--state', state]);
		await creates(await emu.listening, 'with --state');
		await emu.stop();
		emu = start(tarball, thisNode, ['--port', '0', '--state', state]);
		const url = await emu.listening;
		const again = await post(url, JSON.stringify(ABEL), 'application/json');
		if (!/An experience issue is being resolved/.test(again.text))
			fail(`the issue did not survive a restart with --state: ${again.status} ${again.text}`);
		else console.log('   the issue survived a restart with --state');
		await emu.stop();

		for (const [version, dir] of nodesOnPath()) {
			const [number, sqlite] = version.split(' ');
			if (sqlite === 'true') continue;
			console.log(`== the same on Node ${number} (no node:sqlite)`);
			const help20 = run(tarball, dir, ['--help']);
			if (help20.code !== 0 || !/Usage:/.test(help20.out))
				fail(`--help on Node ${number}: ${help20.code} ${help20.out}`);
			const plain = start(tarball, dir, ['--port', '0']);
			await creates(await plain.listening, 'without --state');
			await plain.stop();
			const refused = run(tarball, dir, ['--port', '0', '--state', path.join(work, 'other.db')]);
			const lines = refused.out
				.trim()
				.split('\n')
				.filter((l) => !/^npm (warn|notice)/.test(l));
			if (
				refused.code !== 1 ||
				lines.length !== 1 ||
				!/node:sqlite, in Node 22\.13 or newer/.test(lines[0])
			)
				fail(`--state on Node ${number}: ${refused.code} ${refused.out}`);
			else console.log(`   --state: "${lines[0]}"`);
		}
	} catch (e) {
		fail(e.stack || String(e));
	} finally {
		fs.rmSync(work, { recursive: true, force: true });
	}
	if (!process.exitCode) console.log('== the emulator package works from its tarball');
})();
