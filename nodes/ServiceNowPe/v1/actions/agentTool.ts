/** The node as an AI agent's tool: how it knows it is one. */
import { NodeConnectionTypes, type IExecuteFunctions } from 'n8n-workflow';

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
