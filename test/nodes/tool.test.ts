/**
 * The action node as an AI agent's tool, called through n8n-core's own tool path: the agent's
 * `getInputConnectionData(ai_tool)` builds the tool (createNodeAsTool, $fromAI schema) and each
 * `invoke` runs the node in a SupplyDataContext, of whose outputs n8n hands the agent only the
 * first. Every outcome must be there, saying what happened and what to do next.
 */
import {
	NodeConnectionTypes,
	deepCopy,
	type IDataObject,
	type IExecuteFunctions,
	type INode,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { DOCUMENTED_ERRORS, PLATFORM_ERRORS } from '../../contract/errors';
import { startEmulator, type RunningEmulator } from '../../emulator/server';
import { ServiceNowPe } from '../../nodes/ServiceNowPe/ServiceNowPe.node';
import { ACTION_TYPE, BASIC, CREDENTIAL_TYPES, runAction } from '../helpers/action';
import { CredentialStore, buildWorkflow, nodeTypesOf, outputOf, runWorkflow } from '../helpers/n8n';

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
	description.properties.unshift({ displayName: 'Description', name: 'toolDescription', type: 'string', default: node.description.description });
	return Object.assign(Object.create(Object.getPrototypeOf(node) as object) as INodeType, node, { description });
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
		const tools = (await this.getInputConnectionData(NodeConnectionTypes.AiTool, 0)) as Array<{ name: string; schema: unknown; invoke(args: unknown): Promise<string> }>;
		const out: INodeExecutionData[] = [];
		for (const item of this.getInputData()) {
			const text = await tools[0].invoke(item.json.args);
			out.push({ json: { tool: tools[0].name, text, answer: JSON.parse(text) as IDataObject[] } });
		}
		return [out];
	},
};

const nodeTypes = nodeTypesOf({ [TOOL_TYPE]: toolVariant(new ServiceNowPe()), [AGENT_TYPE]: toolCaller });

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
	endpointUserName: "={{ $fromAI('user_name', 'The user name of the person whose device has the problem', 'string') }}",
	issueCode: { __rl: true, mode: 'id', value: "={{ $fromAI('issue_code', 'The issue code of the problem', 'string') }}" },
	provider: { __rl: true, mode: 'id', value: 'sn' },
};

/** Runs agent → tool once per call; returns what the agent got back from each call. */
async function callTool(parameters: Record<string, unknown>, calls: IDataObject[]): Promise<IDataObject[][]> {
	const tool: INode = {
		id: 'tool',
		name: 'ServiceNow PE',
		type: TOOL_TYPE,
		typeVersion: 1,
		position: [0, 200],
		parameters: parameters as INode['parameters'],
		credentials: { serviceNowPeApi: { id: '1', name: 'ServiceNow' } },
	};
	const agent: INode = { id: 'agent', name: 'Agent', type: AGENT_TYPE, typeVersion: 1, position: [0, 0], parameters: {} };
	const workflow = buildWorkflow({ nodes: [agent, tool], connections: { 'ServiceNow PE': { ai_tool: [[{ node: 'Agent', type: 'ai_tool', index: 0 }]] } } }, nodeTypes);
	const run = await runWorkflow({ workflow, startNode: 'Agent', startData: [calls.map((args) => ({ json: { args } }))], credentials });
	if (run.data.resultData.error) throw new Error(run.data.resultData.error.message);
	return outputOf(run, 'Agent').map((item) => item.json.answer as IDataObject[]);
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
		const id = sn.issues()[0].experience_id;
		expect(created).toMatchObject({ outcome: 'created', experience_id: id, branch: 'Created', sent: true });
		expect(String(created.message)).toContain(id);
		expect(String(created.nextStep)).toMatch(/action_wait.*Chain/);
		expect(again).toMatchObject({
			outcome: 'error',
			errorCode: 'BEING_RESOLVED',
			branch: 'Already Being Resolved',
			message: DOCUMENTED_ERRORS.BEING_RESOLVED.message,
			nextStep: DOCUMENTED_ERRORS.BEING_RESOLVED.nextStep,
			httpStatus: 400,
		});
		expect(unknownUser).toMatchObject({ errorCode: 'USER_NOT_RESOLVED', branch: 'Unknown User', nextStep: DOCUMENTED_ERRORS.USER_NOT_RESOLVED.nextStep });
		expect(unknownCode).toMatchObject({ errorCode: 'ISSUE_CODE_OR_PROVIDER_UNKNOWN', nextStep: DOCUMENTED_ERRORS.ISSUE_CODE_OR_PROVIDER_UNKNOWN.nextStep });
		// Four calls reached the instance; one issue exists.
		expect(sn.journal().map((e) => e.errorCode ?? e.status)).toEqual([200, 'BEING_RESOLVED', 'USER_NOT_RESOLVED', 'ISSUE_CODE_OR_PROVIDER_UNKNOWN']);
		expect(sn.issues()).toHaveLength(1);
	});

	it('without tool mode the same refusal is on its own branch, so the first output alone would be empty', async () => {
		const items = [{ user_name: 'abel.tuter', code: '101' }, { user_name: 'abel.tuter', code: '101' }];
		const { outputs } = await runAction({ items, credentials });
		expect(outputs.Created).toHaveLength(1);
		expect(outputs['Already Being Resolved']).toHaveLength(1);
		expect(outputs['Already Being Resolved'][0].json.nextStep).toBe(DOCUMENTED_ERRORS.BEING_RESOLVED.nextStep);
	});

	it('answers a request it cannot send (empty issue code) instead of failing the call, even with Single Output routing', async () => {
		const [[answer]] = await callTool({ ...CREATE_PARAMETERS, errorRouting: 'single' }, [{ user_name: 'abel.tuter', issue_code: '' }]);
		expect(answer).toMatchObject({ outcome: 'error', errorCode: 'ISSUE_CODE_EMPTY', sent: false, nextStep: DOCUMENTED_ERRORS.ISSUE_CODE_EMPTY.nextStep });
		expect(sn.journal()).toHaveLength(0);
	});

	it('chains and says so; a chain onto an open issue comes back as Chain Conflict with what to do', async () => {
		const chain = {
			operation: 'chain',
			experienceId: "={{ $fromAI('experience_id', 'The experience_id of the issue', 'string') }}",
			issueCode: { __rl: true, mode: 'id', value: "={{ $fromAI('issue_code', 'The next issue code', 'string') }}" },
			provider: { __rl: true, mode: 'id', value: 'sn' },
		};
		await callTool(CREATE_PARAMETERS, [{ user_name: 'abel.tuter', issue_code: '102' }]);
		const id = sn.issues()[0].experience_id;
		const [[conflict]] = await callTool(chain, [{ experience_id: id, issue_code: '103' }]);
		expect(conflict).toMatchObject({ outcome: 'error', errorCode: 'CHAIN_CONFLICT', branch: 'Chain Conflict', nextStep: DOCUMENTED_ERRORS.CHAIN_CONFLICT.nextStep });
		sn.emulator.setIssueState(id, 'action_wait');
		const [[chained]] = await callTool(chain, [{ experience_id: id, issue_code: '103' }]);
		expect(chained).toMatchObject({ outcome: 'chained', branch: 'Chained', experience_id: id });
		expect(sn.issues()[0].issue_code_history).toEqual(['102', '103']);
	});

	it('reads an issue, and answers an unknown ID with what to check', async () => {
		await callTool(CREATE_PARAMETERS, [{ user_name: 'abel.tuter', issue_code: '101' }]);
		const id = sn.issues()[0].experience_id;
		const get = { operation: 'get', issueId: "={{ $fromAI('experience_id', 'The experience_id of the issue', 'string') }}" };
		const [[issue], [missing]] = await callTool(get, [{ experience_id: id }, { experience_id: 'NO-SUCH-ISSUE' }]);
		expect(issue).toMatchObject({ experience_id: id, issue_code: '101', state: 'open' });
		expect(missing).toMatchObject({ outcome: 'error', nextStep: PLATFORM_ERRORS.ISSUE_NOT_FOUND.nextStep });
		expect(String(missing.message)).toContain('NO-SUCH-ISSUE');
	});
});
