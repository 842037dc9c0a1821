'use strict';
/**
 * The one home of the per-item CPU cost: building and serialising a create body and classifying
 * its answer, against a JSON round trip of the same data.
 */
const path = require('node:path');
const { ROOT, ROUNDS, median, log } = require('../lib');

function payloadCost(results) {
	log('payload build + classify per item, vs JSON.stringify + JSON.parse of the same data');
	const { buildCreateIssueBody, serialiseBody } = require(path.join(ROOT, 'dist/contract/body'));
	const { classify } = require(path.join(ROOT, 'dist/nodes/ServiceNowPe/v1/engine/classify'));
	const N = 10_000;
	const fields = Array.from({ length: N }, (_, i) => ({
		endpoint: { user_name: `user.${i}`, CI: '', email: '', user_id: '' },
		issue_code: '100',
		provider: 'sn',
		experience_id: `E-${i}`,
		input_parameters: { process_id: String(i) },
		investigative_details: { cpu_usage: '78%', processes_running: '', available_memory: '23%' },
	}));
	const answers = fields.map((_, i) => ({
		status: i % 3 ? 200 : 400,
		headers: {},
		rawText: '',
		attempts: 1,
		earlierAttemptUncertain: false,
		data:
			i % 3
				? { result: { experience_id: `E-${i}` } }
				: {
						error: {
							message:
								'An experience issue is being resolved with given issue code for specified user.',
							detail: '',
						},
					},
	}));
	const ours = [];
	const base = [];
	for (let r = 0; r < ROUNDS + 2; r++) {
		let t = process.hrtime.bigint();
		for (let i = 0; i < N; i++) {
			const { body } = buildCreateIssueBody(fields[i]);
			serialiseBody(body, 'json');
			classify(answers[i]);
		}
		ours.push(Number(process.hrtime.bigint() - t) / 1e3 / N);
		t = process.hrtime.bigint();
		for (let i = 0; i < N; i++) {
			JSON.parse(JSON.stringify(fields[i]));
			JSON.parse(JSON.stringify(answers[i].data));
		}
		base.push(Number(process.hrtime.bigint() - t) / 1e3 / N);
	}
	results.payload = {
		usPerItem: median(ours.slice(2)),
		baselineUsPerItem: median(base.slice(2)),
		ratio: median(ours.slice(2)) / median(base.slice(2)),
	};
}

module.exports = { payloadCost };
