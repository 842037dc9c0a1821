/**
 * Version 1 of the action node. Its outputs, parameter names and option values are a public
 * contract (saved workflows connect outputs by position): a change to any of them is a new
 * version beside this one (see docs/CONTRIBUTING.md, "Versions").
 */
import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeTypeBaseDescription,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { authenticationProperty, instanceCredentials } from '../shared/authentication';
import * as listSearch from '../shared/methods/listSearch';
import { description as experienceIssue } from './actions/experienceIssue/ExperienceIssue.resource';
import { router } from './actions/router';
import { OUTPUTS_EXPRESSION } from './engine/outputs';

/**
 * The canvas subtitle: the operation in words (n8n shows a subtitle expression's result as it is,
 * so an option's value would show as `create`). A value without words here shows as it is.
 */
const OPERATION_WORDS: Record<string, string> = {
	chain: 'Chain issue code',
	create: 'Create experience issue',
	get: 'Get experience issue',
	checkSetup: 'Check setup',
};
const SUBTITLE = `={{ ${JSON.stringify(OPERATION_WORDS)}[$parameter["operation"]] || $parameter["operation"] }}`;

/**
 * An INodeType (ServiceNowPe.node.ts types it as one among the node's versions); its icon and
 * names come from the versioned node's base description, where n8n reads them.
 */
export class ServiceNowPeV1 {
	description: INodeTypeDescription;

	constructor(baseDescription: INodeTypeBaseDescription) {
		this.description = {
			...baseDescription,
			version: 1,
			subtitle: SUBTITLE,
			defaults: { name: 'ServiceNow Proactive Engagement' },
			usableAsTool: true,
			inputs: [NodeConnectionTypes.Main],
			outputs: OUTPUTS_EXPRESSION,
			credentials: instanceCredentials,
			properties: [
				authenticationProperty,
				{
					displayName: 'Resource',
					name: 'resource',
					type: 'options',
					noDataExpression: true,
					options: [{ name: 'Experience Issue', value: 'experienceIssue' }],
					default: 'experienceIssue',
				},
				...experienceIssue,
			],
		};
	}

	methods = { listSearch };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return router.call(this);
	}
}
