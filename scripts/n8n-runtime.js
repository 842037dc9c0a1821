'use strict';
/**
 * A real n8n, installed once per machine and version, and driven from scripts: used by
 * `npm run dev`, the end-to-end tests and the benchmark. Plain CommonJS, so it runs on the
 * Node on PATH (20) before the project's Node 24 exists.
 *
 * The one home of the runtime's public functions; each lives in scripts/n8n/: config.js (version,
 * cache folder, Node, environment, log), install.js (n8n and this package), process.js (CLI, start,
 * wait, stop), database.js (executions and what n8n stored).
 */
const config = require('./n8n/config');
const { ensureN8n, installPackage } = require('./n8n/install');
const { n8nCli, startN8n, get, waitFor, waitReady, stop } = require('./n8n/process');
const { readExecutions, nodeOutput, bcryptHash } = require('./n8n/database');

module.exports = {
	N8N_VERSION: config.N8N_VERSION,
	isV1: config.isV1,
	nodeFor: config.nodeFor,
	ROOT: config.ROOT,
	PACKAGE: config.PACKAGE,
	n8nDir: config.n8nDir,
	node24: config.node24,
	envWithNode24: config.envWithNode24,
	ensureN8n,
	installPackage,
	n8nEnv: config.n8nEnv,
	n8nCli,
	startN8n,
	waitFor,
	waitReady,
	get,
	stop,
	readExecutions,
	nodeOutput,
	bcryptHash,
	log: config.log,
};
