import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { description as experienceIssue } from './actions/experienceIssue/ExperienceIssue.resource';
import { OUTPUTS_EXPRESSION, router } from './actions/router';
import * as listSearch from './methods/listSearch';
import { authenticationProperty, instanceCredentials } from './authentication';

export class ServiceNowPe implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'ServiceNow Proactive Engagement',
		name: 'serviceNowPe',
		icon: { light: 'file:servicenow.svg', dark: 'file:servicenow.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description:
			'Create ServiceNow Proactive Engagement experience issues from monitoring data, with a branch for each documented error',
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

	methods = { listSearch };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return router.call(this);
	}
}
