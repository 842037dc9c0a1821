/**
 * The action node as an AI agent's tool, called through n8n-core's own two tool paths. AI Agent
 * 1.x/2.x: the agent's `getInputConnectionData(ai_tool)` builds the tool (createNodeAsTool, $fromAI
 * schema) and each `invoke` runs the node in a SupplyDataContext, of whose outputs n8n hands the
 * agent only the first. AI Agent 3.x: the agent returns an EngineRequest, the engine runs the tool
 * node as an ordinary node execution (ExecuteContext, `isToolExecution()` false) and resumes the
 * agent with the node's run, of which the agent reads only `ai_tool[0]`. Every outcome must be
 * there, saying what happened and what to do next.
 */
import {
	NodeConnectionTypes,
	deepCopy,
	type EngineRequest,
	type EngineResponse,
	type IDataObject,
	type IExecuteFunctions,
	type INode,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { DOCUMENTED_ERRORS, PLATFORM_ERRORS } from '../../../../../contract/errors';
import { startEmulator, type RunningEmulator } from '../../../../../emulator/server';
import { ServiceNowPe } from '../../../../../nodes/ServiceNowPe/ServiceNowPe.node';
import { runsAsAgentTool } from '../../../../../nodes/ServiceNowPe/v1/actions/agentTool';
import { ACTION_TYPE, BASIC, CREDENTIAL_TYPES, runAction } from '../../../../helpers/action';
import {
	CredentialStore,
	buildWorkflow,
	nodeTypesOf,
	outputOf,
	runWorkflow,
} from '../../../../helpers/n8n';

const TOOL_TYPE = `${ACTION_TYPE}Tool`;
const AGENT_TYPE = 'test.agent';

/**
 * The tool variant n8n's loader makes of a node with `usableAsTool` (n8n `tool-generation/ai-tools.js`,
 * `convertNodeToAiTool`): name + "Tool", no inputs, one ai_tool output, a tool description parameter.
 */
function toolVariant(node: INodeType): INodeType {
	const description = deepCopy(node.description) as INodeTypeDescription;
	description.name += 'Tool';
	description.displayName += ' Tool';
	description.inputs = [];
	description.outputs = [NodeConnectionTypes.AiTool];
	delete description.usableAsTool;
	description.properties.unshift({
		displayName: 'Description',
		name: 'toolDescription',
		type: 'string',
		default: node.description.description,
	});
	return Object.assign(Object.create(Object.getPrototypeOf(node) as object) as INodeType, node, {
		description,
	});
}

/**
 * The part of an agent that calls tools: takes the connected tools from n8n-core and invokes the
 * first with each input item's `args`, as a model's tool call would, keeping the string it gets back.
 */
const toolCaller: INodeType = {
	description: {
		displayName: 'Tool Caller',
		name: 'agent',
		group: ['transform'],
		version: 1,
		description: 'Calls its connected tool',
		defaults: { name: 'Agent' },
		inputs: [NodeConnectionTypes.Main, { type: NodeConnectionTypes.AiTool, required: true }],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	},

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const tools = (await this.getInputConnectionData(NodeConnectionTypes.AiTool, 0)) as Array<{
			name: string;
			schema: unknown;
			invoke(args: unknown): Promise<string>;
		}>;
		const out: INodeExecutionData[] = [];
		for (const item of this.getInputData()) {
			const text = await tools[0].invoke(item.json.args);
			out.push({ json: { tool: tools[0].name, text, answer: JSON.parse(text) as IDataObject[] } });
		}
		return [out];
	},
};

const ENGINE_AGENT_TYPE = 'test.engineAgent';
const START_TYPE = 'test.start';

/**
 * What AI Agent 3.x does with tool calls (n8n `ToolsAgent/V3` runAgent → createEngineRequests, and
 * `buildSteps` → buildObservation on resume): asks the engine to run the tool node with each input
 * item's `args` as an `ai_tool` action, then reads each run's `ai_tool[0]` (JSON of its items'
 * json), else its error, else the empty string.
 */
const engineAgent: INodeType = {
	description: { ...toolCaller.description, displayName: 'Engine Agent', name: 'engineAgent' },

	async execute(
		this: IExecuteFunctions,
		response?: EngineResponse<{ itemIndex: number }>,
	): Promise<INodeExecutionData[][] | EngineRequest<{ itemIndex: number }>> {
		// The engine passes an empty response on the first run.
		if (!response?.actionResponses.length) {
			const tool = this.getParentNodes(this.getNode().name, {
				connectionType: NodeConnectionTypes.AiTool,
				depth: 1,
			})[0].name;
			return {
				actions: this.getInputData().map((item, itemIndex) => ({
					actionType: 'ExecutionNodeAction' as const,
					nodeName: tool,
					input: item.json.args as IDataObject,
					type: NodeConnectionTypes.AiTool,
					id: `call_${itemIndex}`,
					metadata: { itemIndex },
				})),
				metadata: { itemIndex: 0 },
			};
		}
		const sorted = [...response.actionResponses].sort(
			(a, b) => a.action.metadata.itemIndex - b.action.metadata.itemIndex,
		);
		return [
			sorted.map(({ data }) => {
				const items = data.data?.[NodeConnectionTypes.AiTool]?.[0]?.map((item) => item?.json);
				const text =
					items && items.length > 0
						? JSON.stringify(items)
						: data.error
							? JSON.stringify({ error: data.error.message })
							: JSON.stringify('');
				return { json: { text, answer: JSON.parse(text) as IDataObject } };
			}),
		];
	},
};

const start: INodeType = {
	description: {
		displayName: 'Start',
		name: 'start',
		group: ['trigger'],
		version: 1,
		description: 'Starts',
		defaults: { name: 'Start' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	},
	async execute(this: IExecuteFunctions) {
		return [this.getInputData()];
	},
};

const nodeTypes = nodeTypesOf({
	[TOOL_TYPE]: toolVariant(new ServiceNowPe().getNodeType(1)),
	[AGENT_TYPE]: toolCaller,
	[ENGINE_AGENT_TYPE]: engineAgent,
	[START_TYPE]: start,
});

let sn: RunningEmulator;
let credentials: CredentialStore;
beforeAll(async () => {
	sn = await startEmulator({ port: 0, auth: 'basic' });
	credentials = new CredentialStore(BASIC(sn.url) as never, CREDENTIAL_TYPES);
});
afterAll(() => sn.close());
beforeEach(() => sn.reset());

const CREATE_PARAMETERS = {
	operation: 'create',
	endpointUserName:
		"={{ $fromAI('user_name', 'The user name of the person whose device has the problem', 'string') }}",
	issueCode: {
		__rl: true,
		mode: 'id',
		value: "={{ $fromAI('issue_code', 'The issue code of the problem', 'string') }}",
	},
	provider: { __rl: true, mode: 'id', value: 'sn' },
};

const GET_PARAMETERS = {
	operation: 'get',
	issueId: "={{ $fromAI('experience_id', 'The experience_id of the issue', 'string') }}",
};

/** The action node's tool variant, as the agent's tool, with the emulator's credential. */
const toolNode = (parameters: Record<string, unknown>): INode => ({
	id: 'tool',
	name: 'ServiceNow PE',
	type: TOOL_TYPE,
	typeVersion: 1,
	position: [0, 200],
	parameters: parameters as INode['parameters'],
	credentials: { serviceNowPeApi: { id: '1', name: 'ServiceNow' } },
});

/** The agent's answers to two calls creating the same issue: created with what to do next, then already being resolved. */
function expectCreatedThenBeingResolved(created: IDataObject, again: IDataObject): void {
	const id = sn.issues()[0].experience_id;
	expect(created).toMatchObject({
		outcome: 'created',
		experience_id: id,
		branch: 'Created',
		sent: true,
	});
	expect(String(created.message)).toContain(id);
	expect(String(created.nextStep)).toMatch(/action_wait.*Chain/);
	expect(again).toMatchObject({
		outcome: 'error',
		errorCode: 'BEING_RESOLVED',
		branch: 'Already Being Resolved',
		message: DOCUMENTED_ERRORS.BEING_RESOLVED.message,
		nextStep: DOCUMENTED_ERRORS.BEING_RESOLVED.nextStep,
	});
}

/** Runs agent → tool once per call; returns what the agent got back from each call. */
async function callTool(
	parameters: Record<string, unknown>,
	calls: IDataObject[],
): Promise<IDataObject[][]> {
	const tool = toolNode(parameters);
	const agent: INode = {
		id: 'agent',
		name: 'Agent',
		type: AGENT_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};
	const workflow = buildWorkflow(
		{
			nodes: [agent, tool],
			connections: {
				'ServiceNow PE': { ai_tool: [[{ node: 'Agent', type: 'ai_tool', index: 0 }]] },
			},
		},
		nodeTypes,
	);
	const run = await runWorkflow({
		workflow,
		startNode: 'Agent',
		startData: [calls.map((args) => ({ json: { args } }))],
		credentials,
	});
	if (run.data.resultData.error) throw new Error(run.data.resultData.error.message);
	return outputOf(run, 'Agent').map((item) => item.json.answer as IDataObject[]);
}

/** Runs start → agent (3.x engine path) → tool once per call; returns what the agent got back from each call. */
async function callToolThroughEngine(
	parameters: Record<string, unknown>,
	calls: IDataObject[],
): Promise<Array<{ text: string; answer: unknown }>> {
	const tool = toolNode(parameters);
	const agent: INode = {
		id: 'agent',
		name: 'Agent',
		type: ENGINE_AGENT_TYPE,
		typeVersion: 1,
		position: [200, 0],
		parameters: {},
	};
	const startNode: INode = {
		id: 'start',
		name: 'Start',
		type: START_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};
	const workflow = buildWorkflow(
		{
			nodes: [startNode, agent, tool],
			connections: {
				Start: { main: [[{ node: 'Agent', type: 'main', index: 0 }]] },
				'ServiceNow PE': { ai_tool: [[{ node: 'Agent', type: 'ai_tool', index: 0 }]] },
			},
		},
		nodeTypes,
	);
	// As n8n saves every new workflow: the engine runs the requested tools before it resumes the agent.
	workflow.settings.executionOrder = 'v1';
	const run = await runWorkflow({
		workflow,
		startNode: 'Start',
		startData: [
			calls.map((args) => ({ json: { args, headers: { authorization: 'caller-secret' } } })),
		],
		credentials,
	});
	if (run.data.resultData.error) throw new Error(run.data.resultData.error.message);
	// The engine ran the tool node as a node of its own, once per call.
	expect(run.data.resultData.runData['ServiceNow PE']).toHaveLength(calls.length);
	const answers = run.data.resultData.runData.Agent.at(-1)?.data?.main?.[0] ?? [];
	return answers.map((item) => item.json as { text: string; answer: unknown });
}

describe('as an AI agent tool', () => {
	it('gives the agent every outcome on the first output: created, already being resolved, unknown user, unknown issue code', async () => {
		const answers = await callTool(CREATE_PARAMETERS, [
			{ user_name: 'abel.tuter', issue_code: '101' },
			{ user_name: 'abel.tuter', issue_code: '101' },
			{ user_name: 'no.such.user', issue_code: '101' },
			{ user_name: 'abel.tuter', issue_code: '999' },
		]);
		expect(answers.map((a) => a.length)).toEqual([1, 1, 1, 1]);
		const [created, again, unknownUser, unknownCode] = answers.map((a) => a[0]);
		expectCreatedThenBeingResolved(created, again);
		expect(again.httpStatus).toBe(400);
		expect(unknownUser).toMatchObject({
			errorCode: 'USER_NOT_RESOLVED',
			branch: 'Unknown User',
			nextStep: DOCUMENTED_ERRORS.USER_NOT_RESOLVED.nextStep,
		});
		expect(unknownCode).toMatchObject({
			errorCode: 'ISSUE_CODE_OR_PROVIDER_UNKNOWN',
			nextStep: DOCUMENTED_ERRORS.ISSUE_CODE_OR_PROVIDER_UNKNOWN.nextStep,
		});
		// Four calls reached the instance; one issue exists.
		expect(sn.journal().map((e) => e.errorCode ?? e.status)).toEqual([
			200,
			'BEING_RESOLVED',
			'USER_NOT_RESOLVED',
			'ISSUE_CODE_OR_PROVIDER_UNKNOWN',
		]);
		expect(sn.issues()).toHaveLength(1);
	});

	it('without tool mode the same refusal is on its own branch, so the first output alone would be empty', async () => {
		const items = [
			{ user_name: 'abel.tuter', code: '101' },
			{ user_name: 'abel.tuter', code: '101' },
		];
		const { outputs } = await runAction({ items, credentials });
		expect(outputs.Created).toHaveLength(1);
		expect(outputs['Already Being Resolved']).toHaveLength(1);
		expect(outputs['Already Being Resolved'][0].json.nextStep).toBe(
			DOCUMENTED_ERRORS.BEING_RESOLVED.nextStep,
		);
	});

	it('answers a request it cannot send (empty issue code) instead of failing the call, even with Single Output routing', async () => {
		const [[answer]] = await callTool({ ...CREATE_PARAMETERS, errorRouting: 'single' }, [
			{ user_name: 'abel.tuter', issue_code: '' },
		]);
		expect(answer).toMatchObject({
			outcome: 'error',
			errorCode: 'ISSUE_CODE_EMPTY',
			sent: false,
			nextStep: DOCUMENTED_ERRORS.ISSUE_CODE_EMPTY.nextStep,
		});
		expect(sn.journal()).toHaveLength(0);
	});

	it('chains and says so; a chain onto an open issue comes back as Chain Conflict with what to do', async () => {
		const chain = {
			operation: 'chain',
			experienceId: "={{ $fromAI('experience_id', 'The experience_id of the issue', 'string') }}",
			issueCode: {
				__rl: true,
				mode: 'id',
				value: "={{ $fromAI('issue_code', 'The next issue code', 'string') }}",
			},
			provider: { __rl: true, mode: 'id', value: 'sn' },
		};
		await callTool(CREATE_PARAMETERS, [{ user_name: 'abel.tuter', issue_code: '102' }]);
		const id = sn.issues()[0].experience_id;
		const [[conflict]] = await callTool(chain, [{ experience_id: id, issue_code: '103' }]);
		expect(conflict).toMatchObject({
			outcome: 'error',
			errorCode: 'CHAIN_CONFLICT',
			branch: 'Chain Conflict',
			nextStep: DOCUMENTED_ERRORS.CHAIN_CONFLICT.nextStep,
		});
		sn.emulator.setIssueState(id, 'action_wait');
		const [[chained]] = await callTool(chain, [{ experience_id: id, issue_code: '103' }]);
		expect(chained).toMatchObject({ outcome: 'chained', branch: 'Chained', experience_id: id });
		expect(sn.issues()[0].issue_code_history).toEqual(['102', '103']);
	});

	it('reads an issue, and answers an unknown ID with what to check', async () => {
		await callTool(CREATE_PARAMETERS, [{ user_name: 'abel.tuter', issue_code: '101' }]);
		const id = sn.issues()[0].experience_id;
		const [[issue], [missing]] = await callTool(GET_PARAMETERS, [
			{ experience_id: id },
			{ experience_id: 'NO-SUCH-ISSUE' },
		]);
		expect(issue).toMatchObject({ experience_id: id, issue_code: '101', state: 'open' });
		expect(missing).toMatchObject({
			outcome: 'error',
			nextStep: PLATFORM_ERRORS.ISSUE_NOT_FOUND.nextStep,
		});
		expect(String(missing.message)).toContain('NO-SUCH-ISSUE');
	});
});

describe('as the tool of AI Agent 3.x, which has the engine run the tool as an ordinary node execution', () => {
	it('gives the agent every outcome on the first output: created with what to do next, already being resolved, an item it cannot send', async () => {
		const answers = await callToolThroughEngine(CREATE_PARAMETERS, [
			{ user_name: 'abel.tuter', issue_code: '101' },
			{ user_name: 'abel.tuter', issue_code: '101' },
			{ user_name: 'abel.tuter', issue_code: '' },
		]);
		expect(answers.map((a) => a.text)).not.toContain('""');
		const [[created], [again], [unsendable]] = answers.map((a) => a.answer as IDataObject[]);
		expectCreatedThenBeingResolved(created, again);
		expect(unsendable).toMatchObject({
			outcome: 'error',
			errorCode: 'ISSUE_CODE_EMPTY',
			sent: false,
			nextStep: DOCUMENTED_ERRORS.ISSUE_CODE_EMPTY.nextStep,
		});
		// The engine merges the agent's own input item into the tool's: none of it goes back to the model.
		expect(answers.map((a) => a.text).join()).not.toContain('caller-secret');
		// Two requests reached the instance (the empty issue code was never sent); one issue exists.
		expect(sn.journal().map((e) => e.errorCode ?? e.status)).toEqual([200, 'BEING_RESOLVED']);
		expect(sn.issues()).toHaveLength(1);
	});

	it('answers an unknown ID with what to check instead of a bare error', async () => {
		const [missing] = await callToolThroughEngine(GET_PARAMETERS, [
			{ experience_id: 'NO-SUCH-ISSUE' },
		]);
		const [answer] = missing.answer as IDataObject[];
		expect(answer).toMatchObject({
			outcome: 'error',
			nextStep: PLATFORM_ERRORS.ISSUE_NOT_FOUND.nextStep,
		});
		expect(String(answer.message)).toContain('NO-SUCH-ISSUE');
	});
});

describe('knowing it runs as an agent tool', () => {
	const context = (node: Partial<INode>, isToolExecution?: boolean) =>
		({
			getNode: () => ({
				id: 'n',
				name: 'PE',
				typeVersion: 1,
				position: [0, 0],
				parameters: {},
				type: ACTION_TYPE,
				...node,
			}),
			...(isToolExecution === undefined ? {} : { isToolExecution: () => isToolExecution }),
		}) as unknown as IExecuteFunctions;

	it('through supplyData (AI Agent 1.x, 2.x, sub-agents, MCP): isToolExecution', () => {
		expect(runsAsAgentTool(context({}, true))).toBe(true);
	});

	it('as an engine action (AI Agent 3.x): the engine logs its output as ai_tool', () => {
		expect(runsAsAgentTool(context({ rewireOutputLogTo: NodeConnectionTypes.AiTool }, false))).toBe(
			true,
		);
	});

	it("as the tool variant, whose only output is the agent's, whatever the package is installed as", () => {
		expect(runsAsAgentTool(context({ type: TOOL_TYPE }, false))).toBe(true);
		expect(runsAsAgentTool(context({ type: 'serviceNowPeTool' }))).toBe(true);
		expect(
			runsAsAgentTool(context({ type: '@acme/n8n-nodes-servicenow-pe.serviceNowPeTool' })),
		).toBe(true);
	});

	it('not as the action node in a workflow', () => {
		expect(runsAsAgentTool(context({}, false))).toBe(false);
		expect(runsAsAgentTool(context({}))).toBe(false);
		expect(runsAsAgentTool(context({ rewireOutputLogTo: NodeConnectionTypes.Main }))).toBe(false);
	});
});
