'use strict';
/** The one home of the cold-load benchmark: requiring the node module in a fresh Node, against n8n-workflow alone. */
const { spawnSync } = require('node:child_process');
const { ROOT, ROUNDS, median, log } = require('../lib');

function coldLoad(results) {
	log('cold load of the node module, vs loading n8n-workflow alone');
	const time = (code) => {
		const res = spawnSync(
			process.execPath,
			[
				'-e',
				`const t=process.hrtime.bigint();${code};process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`,
			],
			{ cwd: ROOT, encoding: 'utf8' },
		);
		return Number(res.stdout);
	};
	const node = [];
	const base = [];
	for (let r = 0; r < ROUNDS + 2; r++) {
		base.push(time("require('n8n-workflow')"));
		node.push(
			time("require('n8n-workflow');require('./dist/nodes/ServiceNowPe/ServiceNowPe.node.js')"),
		);
	}
	results.coldLoad = {
		nodeMs: median(node) - median(base),
		baselineMs: median(base),
		ratio: median(node) / median(base),
	};
}

module.exports = { coldLoad };
