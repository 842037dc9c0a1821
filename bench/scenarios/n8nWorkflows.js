'use strict';
/**
 * The one home of what the n8n benchmark imports: its workflows (Webhook → Split Out → a target:
 * the action node per item, matched or in Batch API mode, the helper floor, n8n's HTTP Request
 * node) and their credentials, all pointed at one emulator.
 */
const { CREATE } = require('../lib');

const MATCHED = 16;
const BATCH = { sendMode: 'batch', batchSize: 100, concurrency: 8 };

/** n8n workflows: Webhook → Split Out → (our node | HTTP Request node), issues created in the emulator. */
function benchWorkflow(id, target) {
	return {
		id,
		json: {
			name: id,
			nodes: [
				{
					id: `${id}-1`,
					name: 'Start',
					type: 'n8n-nodes-base.webhook',
					typeVersion: 2,
					position: [0, 0],
					webhookId: `6a5b4c3d-2e1f-4a0b-9c8d-${id
						.padEnd(12, '0')
						.slice(0, 12)
						.replace(/[^0-9a-f]/g, 'a')}`,
					parameters: {
						httpMethod: 'POST',
						path: `bench-${id}`,
						responseMode: 'onReceived',
						options: {},
					},
				},
				{
					id: `${id}-2`,
					name: 'Split',
					type: 'n8n-nodes-base.splitOut',
					typeVersion: 1,
					position: [200, 0],
					parameters: { fieldToSplitOut: 'body.items', options: {} },
				},
				{ id: `${id}-3`, position: [400, 0], ...target },
			],
			connections: {
				Start: { main: [[{ node: 'Split', type: 'main', index: 0 }]] },
				Split: { main: [[{ node: target.name, type: 'main', index: 0 }]] },
			},
			settings: { executionOrder: 'v1', saveDataSuccessExecution: 'all' },
		},
	};
}

/** The six workflows, each sending its items to the emulator at `emulatorUrl`. */
function benchWorkflows(emulatorUrl) {
	const pe = (options) => ({
		name: 'Target',
		type: 'n8n-nodes-servicenow-proactive-engagement.serviceNowPe',
		typeVersion: 1,
		parameters: {
			endpointUserName: '={{ $json.user }}',
			issueCode: '100',
			provider: 'sn',
			experienceId: '={{ $json.id }}',
			cpuUsage: '78%',
			options,
		},
		credentials: { serviceNowPeApi: { id: 'benchPe', name: 'bench' } },
	});
	const floor = {
		name: 'Target',
		type: 'CUSTOM.benchFloor',
		typeVersion: 1,
		parameters: { url: `${emulatorUrl}${CREATE}`, concurrency: MATCHED },
		credentials: { serviceNowPeApi: { id: 'benchPe', name: 'bench' } },
	};
	const httpNode = (batch) => ({
		name: 'Target',
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		parameters: {
			method: 'POST',
			url: `${emulatorUrl}${CREATE}`,
			authentication: 'genericCredentialType',
			genericAuthType: 'httpBasicAuth',
			sendBody: true,
			specifyBody: 'json',
			jsonBody:
				'={{ JSON.stringify({ endpoint: { user_name: $json.user }, issue_code: "100", provider: "sn", experience_id: $json.id, investigative_details: { cpu_usage: "78%" } }) }}',
			options: batch ? { batching: { batch: { batchSize: batch, batchInterval: 1 } } } : {},
		},
		credentials: { httpBasicAuth: { id: 'benchHttp', name: 'bench basic' } },
	});
	return [
		benchWorkflow('pedefault', pe({})),
		benchWorkflow('pematched', pe({ concurrency: MATCHED })),
		benchWorkflow('pebatch', pe(BATCH)),
		benchWorkflow('floormatched', floor),
		benchWorkflow('httpdefault', httpNode(0)),
		benchWorkflow('httpmatched', httpNode(MATCHED)),
	];
}

/** The credentials the workflows use, as `n8n import:credentials` reads them. */
function benchCredentials(emulatorUrl) {
	return [
		{
			id: 'benchPe',
			name: 'bench',
			type: 'serviceNowPeApi',
			data: {
				instanceUrl: emulatorUrl,
				authType: 'basic',
				username: 'pe.integration',
				password: 'integration',
			},
		},
		{
			id: 'benchHttp',
			name: 'bench basic',
			type: 'httpBasicAuth',
			data: { user: 'pe.integration', password: 'integration' },
		},
	];
}

module.exports = { MATCHED, BATCH, benchWorkflow, benchWorkflows, benchCredentials };
