/**
 * The node's execution, one step after another: read the parameters → the operation builds and
 * checks one create request per item → the engine sends each and classifies its answer → every
 * item goes to exactly one output, in input order (Get reads on its own). As an AI agent's tool,
 * every outcome comes back on the first output.
 */
import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';
import { connectionFor, credentialTypeOf } from '../../shared/authentication';
import { sendInBatches } from '../engine/batch';
import { OUTPUT_TABLE, outputNames, type ErrorRouting } from '../engine/outputs';
import { Sender } from '../engine/send';
import { forAgent, runsAsAgentTool } from './agentTool';
import { operations } from './experienceIssue/ExperienceIssue.resource';
import type { Prepared } from './interfaces';
import { readOptions } from './parameters';

/**
 * The node fails only before anything is sent. Mapped fields an item lacks are a configuration
 * error (unless the node continues on error); so is any refusal when Error Routing is Single Output.
 * Alerts that cannot be sent go to their branches instead.
 */
function failBeforeSending(
	ctx: IExecuteFunctions,
	prepared: Prepared[],
	routing: ErrorRouting,
): void {
	if (ctx.continueOnFail()) return;
	for (const p of prepared) {
		if (p.skipped) continue;
		const problem = p.problems?.[0];
		// A known refusal names the root cause, so it goes before field problems (as when routed).
		if (problem && !p.refusal && (!p.fromAlert || routing === 'single')) {
			throw new NodeOperationError(ctx.getNode(), problem.message, {
				itemIndex: p.itemIndex,
				description: `Item ${p.itemIndex + 1} cannot be sent; nothing was sent. ${p.problems?.map((x) => x.message).join(' ')}`,
			});
		}
		if (p.refusal && routing === 'single') {
			throw new NodeOperationError(ctx.getNode(), p.refusal.message, {
				itemIndex: p.itemIndex,
				description: `${p.refusal.detail} Nothing was sent (error code ${p.refusal.entry.code}).`,
			});
		}
	}
}

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const resource = this.getNodeParameter('resource', 0) as string;
	const operationName = this.getNodeParameter('operation', 0) as string;
	const operation = resource === 'experienceIssue' ? operations[operationName] : undefined;
	if (!operation) {
		throw new NodeOperationError(
			this.getNode(),
			`The operation "${operationName}" of "${resource}" is not supported.`,
		);
	}
	const options = readOptions(this);
	const connection = await connectionFor(this, credentialTypeOf(this, 0));
	if ('execute' in operation) return operation.execute(this, connection, options);

	// As an AI agent's tool (any AI Agent version), n8n hands the agent only the first output:
	// every outcome goes there, saying what happened and what to do next, and no refusal fails the call.
	const asTool = runsAsAgentTool(this);
	const chosen = this.getNodeParameter('errorRouting', 0, 'perError') as ErrorRouting;
	const routing: ErrorRouting = asTool ? 'perError' : chosen;
	const names = outputNames(OUTPUT_TABLE, {
		operation: operationName,
		errorRouting: routing,
		source: this.getNodeParameter('source', 0, 'manual'),
		skipItems: this.getNodeParameter('skipItems', 0, 'never'),
	});
	const prepared = await operation.prepare(this, connection, options);
	if (!asTool) failBeforeSending(this, prepared, routing);
	const success = operation.outputs.success?.[1] ?? 'created';
	const sender = new Sender(this, connection, options, routing, names.length - 1, success);
	const all =
		options.sendMode === 'batch' && !options.dryRun
			? await sendInBatches(sender, prepared)
			: await sender.sendEach(prepared);
	const outputs: INodeExecutionData[][] = names.map(() => []);
	if (asTool) return [all.map((r) => forAgent(r.item, names[r.output]))];
	for (const r of all) outputs[r.output].push(r.item);
	return outputs;
}
