'use strict';
/**
 * The one home of running n8n: a CLI command to completion, a long-lived `start`/`worker`
 * process, waiting for it over HTTP, and stopping it.
 */
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const { n8nBin, n8nEnv } = require('./config');

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

module.exports = { n8nCli, startN8n, get, waitFor, waitReady, stop };
