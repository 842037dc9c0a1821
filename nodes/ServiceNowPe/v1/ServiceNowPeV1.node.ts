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
 * An INodeType (ServiceNowPe.node.ts types it as one among the node's versions); its icon and
 * names come from the versioned node's base description, where n8n reads them.
 */
export class ServiceNowPeV1 {
	description: INodeTypeDescription;

	constructor(baseDescription: INodeTypeBaseDescription) {
		this.description = {
			...baseDescription,
			version: 1,
			subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
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
