'use strict';
/**
 * The one home of the memory benchmark's runner: bench/heap.bench.ts (10,000 items through the
 * node in an n8n-core workflow) in Jest with --expose-gc, its figures read from bench/.heap.json.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { ROOT, BENCH, log } = require('../lib');

function heap(results) {
	log('10,000 items through the node (n8n-core workflow, dry run): extra heap');
	const res = spawnSync(
		process.execPath,
		[
			'--expose-gc',
			path.join(ROOT, 'node_modules/jest/bin/jest.js'),
			'-c',
			path.join(ROOT, 'jest.bench.config.js'),
		],
		{ cwd: ROOT, encoding: 'utf8', env: { ...process.env } },
	);
	if (res.status !== 0) throw new Error(`heap bench failed:\n${res.stdout}\n${res.stderr}`);
	const h = JSON.parse(fs.readFileSync(path.join(BENCH, '.heap.json'), 'utf8'));
	results.heap = { ...h, ratio: h.extraHeapMb / h.dataHeldMb };
}

module.exports = { heap };
