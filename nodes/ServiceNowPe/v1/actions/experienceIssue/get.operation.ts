/** Get: an experience issue read through the Table API by experience_id or sys_id. */
import {
	NodeOperationError,
	updateDisplayOptions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';
import { brokenValueNote } from '../../../../../contract/encodedQuery';
import { PLATFORM_ERRORS, errorForStatus } from '../../../../../contract/errors';
import { text } from '../../../../../contract/values';
import { TABLES } from '../../../../../contract/api';
import { findIssue, issueJson, readRefusal } from '../../../shared/transport/tableApi';
import type { ReadingOperation } from '../interfaces';
import { runsAsAgentTool } from '../agentTool';

const properties: INodeProperties[] = [
	{
		displayName: 'Find By',
		name: 'findBy',
		type: 'options',
		options: [
			{ name: 'Experience ID', value: 'experience_id' },
			{ name: 'Sys_id', value: 'sys_id' },
		],
		default: 'experience_id',
	},
	{
		displayName: 'ID',
		name: 'issueId',
		type: 'string',
		default: '',
		required: true,
		description: 'Experience_id or sys_id of the experience issue',
	},
];

export const get: ReadingOperation = {
	description: updateDisplayOptions(
		{ show: { resource: ['experienceIssue'], operation: ['get'] } },
		properties,
	),
	outputs: { names: ['Issue'] },

	async execute(ctx, connection, options) {
		const out: INodeExecutionData[] = [];
		for (const [i] of ctx.getInputData().entries()) {
			const by =
				ctx.getNodeParameter('findBy', i, 'experience_id') === 'sys_id'
					? 'sys_id'
					: 'experience_id';
			const id = text(ctx.getNodeParameter('issueId', i, ''));
			let nextStep = 'Give the experience_id or sys_id of the issue.';
			try {
				if (!id)
					throw new NodeOperationError(
						ctx.getNode(),
						'ID is empty: give the experience_id or sys_id of the issue.',
						{ itemIndex: i },
					);
				const { found, result } = await findIssue(ctx, connection, by, id, options);
				if (result.status !== 200) {
					nextStep = (errorForStatus(result.status) ?? PLATFORM_ERRORS.NETWORK_ERROR).nextStep;
					const refused = readRefusal(TABLES.experienceIssue, result);
					if (refused) nextStep = refused;
					throw new NodeOperationError(
						ctx.getNode(),
						`Reading the experience issue failed (HTTP ${result.status || 'no answer'}).`,
						{
							itemIndex: i,
							description: refused ?? result.networkError ?? result.rawText.slice(0, 500),
						},
					);
				}
				if (!found) {
					nextStep = PLATFORM_ERRORS.ISSUE_NOT_FOUND.nextStep;
					throw new NodeOperationError(
						ctx.getNode(),
						`${PLATFORM_ERRORS.ISSUE_NOT_FOUND.message}: no issue has ${by} "${id}".`,
						{
							itemIndex: i,
							description: `Check the ID and Find By.${brokenValueNote(id)}`,
						},
					);
				}
				out.push({ json: issueJson(found), pairedItem: { item: i } });
			} catch (e) {
				const error =
					e instanceof NodeOperationError
						? e
						: new NodeOperationError(ctx.getNode(), e as Error, { itemIndex: i });
				// As an AI agent's tool, a failed read is an answer the agent can act on, not a failed call.
				if (runsAsAgentTool(ctx)) {
					out.push({
						json: {
							outcome: 'error',
							message: error.message,
							detail: error.description ?? '',
							nextStep,
						},
						pairedItem: { item: i },
					});
					continue;
				}
				if (!ctx.continueOnFail()) throw error;
				out.push({ json: { error: error.message }, pairedItem: { item: i } });
			}
		}
		return [out];
	},
};
