/** The node as an AI agent's tool: how it knows it is one. */
import {
	NodeConnectionTypes,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';

/** The type name n8n gives the node's tool variant (`usableAsTool`: the node's name + "Tool"). */
const TOOL_TYPE_NAME = 'serviceNowPeTool';

/**
 * Whether the node runs as an AI agent's tool, which reads only the first output. n8n runs a tool
 * two ways: AI Agent 1.x and 2.x call it through `supplyData` (`isToolExecution()`); AI Agent 3.x
 * asks the engine to run it as an ordinary node execution, in which `isToolExecution()` is false
 * but the engine marks the node to log its output as the agent's `ai_tool` input, and hands the
 * agent only that input's first output. Either way the node is the tool variant, whose only output
 * is the agent's.
 */
export function runsAsAgentTool(ctx: IExecuteFunctions): boolean {
	if (ctx.isToolExecution?.() === true) return true;
	const node = ctx.getNode();
	if (node.rewireOutputLogTo === NodeConnectionTypes.AiTool) return true;
	return node.type === TOOL_TYPE_NAME || node.type.endsWith(`.${TOOL_TYPE_NAME}`);
}

/** An outcome as an AI agent reads it: what happened (the branch it would take) and what to do next. */
export function forAgent(item: INodeExecutionData, output: string): INodeExecutionData {
	const json: IDataObject = { ...item.json, branch: item.json.branch ?? output };
	// The model knows what it asked (`request` shows what was sent). The input item is not its
	// business: AI Agent 3.x merges its own input item (e.g. a webhook call with its headers) into it.
	delete json.input;
	const id = json.experience_id ? String(json.experience_id) : '';
	if (json.outcome === 'created' || json.outcome === 'chained') {
		json.message ??= `Experience issue ${id} ${String(json.outcome)}: ServiceNow now engages the user to resolve it.`;
		json.nextStep ??= `Nothing more to send for it now. Read its state with Get (experience_id ${id}); when it reaches action_wait, chain the next issue code with Chain.`;
	} else if (json.outcome === 'skipped') {
		json.message ??= `Not sent: ${String(json.reason)}`;
		json.nextStep ??= 'Nothing to do: nothing was sent for this alert.';
	} else if (json.outcome === 'dryRun') {
		json.message ??= 'Dry Run is on: the request was built and checked, not sent.';
		json.nextStep ??= 'Turn Dry Run off to send it.';
	}
	return { ...item, json };
}
