/**
 * AI agents calling the action node as their tool, through n8n-core's own two tool paths. AI Agent
 * 1.x/2.x: the agent's `getInputConnectionData(ai_tool)` builds the tool (createNodeAsTool, $fromAI
 * schema) and each `invoke` runs the node in a SupplyDataContext, of whose outputs n8n hands the
 * agent only the first. AI Agent 3.x: the agent returns an EngineRequest, the engine runs the tool
 * node as an ordinary node execution (ExecuteContext, `isToolExecution()` false) and resumes the
 * agent with the node's run, of which the agent reads only `ai_tool[0]`.
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
import { ACTION_TYPE, API_CREDENTIAL, actionV1, basicStore } from './action';
import { buildWorkflow, nodeTypesOf, outputOf, runWorkflow, workflowNode } from './n8n';

export const TOOL_TYPE = `${ACTION_TYPE}Tool`;
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
	[TOOL_TYPE]: toolVariant(actionV1),
	[AGENT_TYPE]: toolCaller,
	[ENGINE_AGENT_TYPE]: engineAgent,
	[START_TYPE]: start,
});

/**
 * Runs a workflow of the agent (`agentType`, fed by `start` if given) and the action node's tool
 * variant as its tool, once per call (each input item's `args`); the run, failed if it failed.
 */
async function runAgent(
	url: string,
	agentType: string,
	parameters: Record<string, unknown>,
	calls: IDataObject[],
	start?: { type: string; json: IDataObject },
) {
	const tool = workflowNode(TOOL_TYPE, 'ServiceNow PE', parameters, {
		id: 'tool',
		position: [0, 200],
		credentials: API_CREDENTIAL,
	});
	const agent = workflowNode(agentType, 'Agent', {}, { id: 'agent' });
	const nodes = start
		? [workflowNode(start.type, 'Start', {}, { id: 'start' }), { ...agent, position: [200, 0] }]
		: [agent];
	const workflow = buildWorkflow(
		{
			nodes: [...nodes, tool] as INode[],
			connections: {
				...(start ? { Start: { main: [[{ node: 'Agent', type: 'main', index: 0 }]] } } : {}),
				'ServiceNow PE': { ai_tool: [[{ node: 'Agent', type: 'ai_tool', index: 0 }]] },
			},
		},
		nodeTypes,
	);
	// As n8n saves every new workflow: the engine runs the requested tools before it resumes the agent.
	if (start) workflow.settings.executionOrder = 'v1';
	const run = await runWorkflow({
		workflow,
		startNode: start ? 'Start' : 'Agent',
		startData: [calls.map((args) => ({ json: { args, ...start?.json } }))],
		credentials: basicStore(url),
	});
	if (run.data.resultData.error) throw new Error(run.data.resultData.error.message);
	return run;
}

/** Runs agent → tool (the instance at `url`) once per call; returns what the agent got back from each call. */
export async function callTool(
	url: string,
	parameters: Record<string, unknown>,
	calls: IDataObject[],
): Promise<IDataObject[][]> {
	const run = await runAgent(url, AGENT_TYPE, parameters, calls);
	return outputOf(run, 'Agent').map((item) => item.json.answer as IDataObject[]);
}

/** Runs start → agent (3.x engine path) → tool (the instance at `url`) once per call; returns what the agent got back from each call. */
export async function callToolThroughEngine(
	url: string,
	parameters: Record<string, unknown>,
	calls: IDataObject[],
): Promise<Array<{ text: string; answer: unknown }>> {
	const run = await runAgent(url, ENGINE_AGENT_TYPE, parameters, calls, {
		type: START_TYPE,
		json: { headers: { authorization: 'caller-secret' } },
	});
	// The engine ran the tool node as a node of its own, once per call.
	expect(run.data.resultData.runData['ServiceNow PE']).toHaveLength(calls.length);
	const answers = run.data.resultData.runData.Agent.at(-1)?.data?.main?.[0] ?? [];
	return answers.map((item) => item.json as { text: string; answer: unknown });
}
