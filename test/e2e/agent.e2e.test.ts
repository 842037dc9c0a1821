/**
 * The action node as the tool of n8n's own AI Agent, in a real n8n: a webhook starts the agent, its
 * OpenAI Chat Model reaches a fake OpenAI-compatible model on 127.0.0.1 (through the credential's
 * Base URL) that calls our tool, and the tool result the agent sends back to the model is what the
 * model records. AI Agent 3.1 (what the editor adds today) has the engine run the tool as an
 * ordinary node execution and reads only its first output; AI Agent 2.2 calls it through
 * supplyData. Every outcome must reach the model with what happened and what to do next.
 */
import { DOCUMENTED_ERRORS, PLATFORM_ERRORS } from '../../contract/errors';
import { startEmulator, type RunningEmulator } from '../../emulator/server';
import { CREATE_TOOL_PARAMETERS, GET_TOOL_PARAMETERS } from '../helpers/toolParameters';
import {
	emulatorCredential,
	executionsOf,
	importAll,
	post,
	startFakeModel,
	startRealN8n,
	stopRealN8n,
	waitForWebhook,
	type FakeModel,
	type PlannedCall,
	type RealN8n,
	type ToolResult,
} from './helpers';

const PACKAGE = 'n8n-nodes-servicenow-proactive-engagement';
const CREATE_TOOL = 'Create_Experience_Issue';
const GET_TOOL = 'Get_Experience_Issue';
/** A header of the webhook call that starts the agent. */
const CALLER_TOKEN = 'caller-secret-7f3a';

/** Webhook → AI Agent (typeVersion `agentVersion`) with the OpenAI Chat Model and our node as two tools. */
function agentWorkflow(agentVersion: number, path: string, webhookId: string) {
	/** Our node as one of the agent's tools, described by hand, with the emulator's credential. */
	const tool = (
		id: string,
		name: string,
		x: number,
		toolDescription: string,
		operation: Record<string, unknown>,
	) => ({
		id,
		name,
		type: `${PACKAGE}.serviceNowPeTool`,
		typeVersion: 1,
		position: [x, 250],
		parameters: {
			descriptionType: 'manual',
			toolDescription,
			resource: 'experienceIssue',
			...operation,
			options: {},
		},
		credentials: { serviceNowPeApi: { id: 'snPeAgentCred', name: 'ServiceNow PE (emulator)' } },
	});
	return {
		name: `AI Agent ${agentVersion} with the ServiceNow PE tool`,
		nodes: [
			{
				id: 'w1',
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId,
				parameters: { httpMethod: 'POST', path, responseMode: 'lastNode', options: {} },
			},
			{
				id: 'w2',
				name: 'AI Agent',
				type: '@n8n/n8n-nodes-langchain.agent',
				typeVersion: agentVersion,
				position: [300, 0],
				parameters: { promptType: 'define', text: '={{ $json.body.prompt }}', options: {} },
			},
			{
				id: 'w3',
				name: 'OpenAI Chat Model',
				type: '@n8n/n8n-nodes-langchain.lmChatOpenAi',
				typeVersion: 1.3,
				position: [200, 250],
				// An OpenAI-compatible server answers Chat Completions, not the Responses API.
				parameters: {
					model: { __rl: true, mode: 'id', value: 'fake-model' },
					responsesApiEnabled: false,
					options: {},
				},
				credentials: { openAiApi: { id: 'openAiFakeCred', name: 'OpenAI-compatible (fake)' } },
			},
			tool(
				'w4',
				'Create Experience Issue',
				400,
				'Creates a ServiceNow Proactive Engagement experience issue for a user',
				CREATE_TOOL_PARAMETERS,
			),
			tool(
				'w5',
				'Get Experience Issue',
				600,
				'Reads a ServiceNow Proactive Engagement experience issue by its experience_id',
				GET_TOOL_PARAMETERS,
			),
		],
		connections: {
			Webhook: { main: [[{ node: 'AI Agent', type: 'main', index: 0 }]] },
			'OpenAI Chat Model': {
				ai_languageModel: [[{ node: 'AI Agent', type: 'ai_languageModel', index: 0 }]],
			},
			'Create Experience Issue': { ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]] },
			'Get Experience Issue': { ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
}

/** The AI Agent versions n8n 2.x offers that run tools differently: the editor's default, and 2.2. */
const AGENTS = [
	{
		version: 3.1,
		path: 'agent-v31',
		webhookId: '5b1d2e3f-4a5b-4c6d-8e7f-8091a2b3c531',
		runsToolAs: 'an engine action',
	},
	{
		version: 2.2,
		path: 'agent-v22',
		webhookId: '5b1d2e3f-4a5b-4c6d-8e7f-8091a2b3c522',
		runsToolAs: 'a supplyData call',
	},
];
const workflowId = (version: number) => `e2eAgent${String(version).replace('.', '')}`;

describe('the node as the tool of n8n’s AI Agent in a real n8n', () => {
	let sn: RunningEmulator;
	let model: FakeModel;
	let n8n: RealN8n;

	beforeAll(async () => {
		sn = await startEmulator({ port: 0 });
		model = await startFakeModel();
		n8n = await startRealN8n({
			prepare: (folder) =>
				importAll(
					folder,
					[
						emulatorCredential('snPeAgentCred', 'ServiceNow PE (emulator)', sn.url),
						{
							id: 'openAiFakeCred',
							name: 'OpenAI-compatible (fake)',
							type: 'openAiApi',
							data: { apiKey: 'sk-local-e2e', url: `${model.url}/v1` },
						},
					],
					AGENTS.map((a) => ({
						id: workflowId(a.version),
						json: agentWorkflow(a.version, a.path, a.webhookId),
					})),
				),
		});
		// Once registered, a GET names the POST.
		for (const { path } of AGENTS)
			await waitForWebhook(n8n.base, path, (res) => res.body.includes('POST request'));
	}, 900_000);

	afterAll(async () => {
		await stopRealN8n(n8n);
		await sn?.close();
		await model?.close();
	});

	/** Has the agent make one tool call; returns the tool result the model got back, parsed. */
	async function callThroughAgent(
		path: string,
		call: PlannedCall,
	): Promise<{ result: ToolResult; items: Array<Record<string, unknown>> }> {
		const prompt = JSON.stringify(call);
		const before = model.toolResults.length;
		const answer = await post(`${n8n.base}/webhook/${path}`, JSON.stringify({ prompt }), {
			'x-caller-token': CALLER_TOKEN,
		});
		expect({ status: answer.status, body: JSON.parse(answer.text) }).toEqual({
			status: 200,
			body: { output: 'Done.' },
		});
		const results = model.toolResults.slice(before);
		expect(results.map((r) => [r.prompt, r.tool])).toEqual([[prompt, call.tool]]);
		// The agent's own input (here the webhook call, headers and all) is not the model's business.
		expect(results[0].content).not.toContain(CALLER_TOKEN);
		const parsed = JSON.parse(results[0].content) as unknown;
		return {
			result: results[0],
			items: (Array.isArray(parsed) ? parsed : [parsed]) as Array<Record<string, unknown>>,
		};
	}

	/** Create requests that reached the instance. */
	const creates = () => sn.journal().filter((e) => e.method === 'POST');

	describe.each(AGENTS)('AI Agent $version', ({ version, path, runsToolAs }) => {
		beforeAll(() => sn.reset());

		it('offers the model both tools', async () => {
			await callThroughAgent(path, { tool: GET_TOOL, args: { experience_id: 'WARM-UP' } });
			expect(model.offeredTools.at(-1)).toEqual(expect.arrayContaining([CREATE_TOOL, GET_TOOL]));
		});

		it('gives the model a created issue with what happened and what to do next', async () => {
			const { items } = await callThroughAgent(path, {
				tool: CREATE_TOOL,
				args: { user_name: 'abel.tuter', issue_code: '101' },
			});
			const id = sn.issues()[0].experience_id;
			expect(items).toHaveLength(1);
			expect(items[0]).toMatchObject({
				outcome: 'created',
				experience_id: id,
				branch: 'Created',
				sent: true,
			});
			expect(String(items[0].message)).toContain(id);
			expect(String(items[0].nextStep)).toMatch(/action_wait.*Chain/);
		});

		it('gives the model a refusal (already being resolved) with its error code and what to do, not an empty string', async () => {
			const { result, items } = await callThroughAgent(path, {
				tool: CREATE_TOOL,
				args: { user_name: 'abel.tuter', issue_code: '101' },
			});
			expect(result.content).not.toBe('""');
			expect(items).toEqual([
				expect.objectContaining({
					outcome: 'error',
					errorCode: 'BEING_RESOLVED',
					branch: 'Already Being Resolved',
					message: DOCUMENTED_ERRORS.BEING_RESOLVED.message,
					nextStep: DOCUMENTED_ERRORS.BEING_RESOLVED.nextStep,
				}),
			]);
			expect(creates().map((e) => e.errorCode ?? e.status)).toEqual([200, 'BEING_RESOLVED']);
			expect(sn.issues()).toHaveLength(1);
		});

		it('gives the model an item it cannot send (empty issue code) as an answer with the fix, and sends nothing', async () => {
			const { items } = await callThroughAgent(path, {
				tool: CREATE_TOOL,
				args: { user_name: 'abel.tuter', issue_code: '' },
			});
			expect(items).toEqual([
				expect.objectContaining({
					outcome: 'error',
					errorCode: 'ISSUE_CODE_EMPTY',
					sent: false,
					nextStep: DOCUMENTED_ERRORS.ISSUE_CODE_EMPTY.nextStep,
				}),
			]);
			expect(creates()).toHaveLength(2);
		});

		it('gives the model an unknown ID read with Get as an answer with what to check', async () => {
			const { items } = await callThroughAgent(path, {
				tool: GET_TOOL,
				args: { experience_id: 'NO-SUCH-ISSUE' },
			});
			expect(items).toEqual([
				expect.objectContaining({
					outcome: 'error',
					nextStep: PLATFORM_ERRORS.ISSUE_NOT_FOUND.nextStep,
				}),
			]);
			expect(String(items[0].message)).toContain('NO-SUCH-ISSUE');
		});

		it('gives the model an issue read with Get', async () => {
			const id = sn.issues()[0].experience_id;
			const { items } = await callThroughAgent(path, {
				tool: GET_TOOL,
				args: { experience_id: id },
			});
			expect(items).toEqual([
				expect.objectContaining({ experience_id: id, issue_code: '101', state: 'open' }),
			]);
		});

		it(`ran the tool as ${runsToolAs}`, async () => {
			const runs = await executionsOf(n8n.userFolder, workflowId(version), 6);
			expect(runs.map((e: any) => e.status)).toEqual(Array(6).fill('success'));
			// AI Agent 3.x hands its tool calls to the engine (which runs the tool node and resumes the
			// agent); AI Agent 2.x calls the tool itself.
			const engineActions = runs.map(
				(e: any) =>
					e.data.resultData.runData['AI Agent'][0].metadata?.subNodeExecutionData?.actions
						?.length ?? 0,
			);
			expect(engineActions).toEqual(Array(6).fill(version >= 3 ? 1 : 0));
		});
	});
});
