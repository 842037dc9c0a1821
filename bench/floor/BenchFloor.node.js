'use strict';
/**
 * The benchmark's helper floor: a node that does nothing but what every community node must do to
 * reach an instance — one `httpRequestWithAuthentication` call per item with the action node's
 * credential and request body, at the same concurrency. The action node in one-request-per-item
 * mode is measured against it in the same n8n. Loaded by the benchmark only (n8n's custom folder).
 */
class BenchFloor {
	constructor() {
		this.description = {
			displayName: 'Bench Floor',
			name: 'benchFloor',
			group: ['output'],
			version: 1,
			description: 'httpRequestWithAuthentication per item, nothing else',
			defaults: { name: 'Floor' },
			inputs: ['main'],
			outputs: ['main'],
			credentials: [{ name: 'serviceNowPeApi', required: true }],
			properties: [
				{ displayName: 'URL', name: 'url', type: 'string', default: '' },
				{ displayName: 'Concurrency', name: 'concurrency', type: 'number', default: 16 },
			],
		};
	}

	async execute() {
		const items = this.getInputData();
		const url = this.getNodeParameter('url', 0);
		const concurrency = this.getNodeParameter('concurrency', 0);
		const out = new Array(items.length);
		let next = 0;
		const worker = async () => {
			while (next < items.length) {
				const i = next++;
				const body = JSON.stringify({
					endpoint: { user_name: items[i].json.user },
					issue_code: '100',
					provider: 'sn',
					experience_id: items[i].json.id,
					investigative_details: { cpu_usage: '78%' },
				});
				const answer = await this.helpers.httpRequestWithAuthentication.call(
					this,
					'serviceNowPeApi',
					{
						method: 'POST',
						url,
						body,
						headers: { 'content-type': 'application/json', accept: 'application/json' },
						json: false,
						encoding: 'text',
					},
				);
				out[i] = { json: { answer: JSON.parse(answer) }, pairedItem: { item: i } };
			}
		};
		await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
		return [out];
	}
}

module.exports = { BenchFloor };
