import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { router } from './actions/router';
import { description as chainDescription } from './actions/experienceIssue/chain.operation';
import { description as createDescription } from './actions/experienceIssue/create.operation';
import { description as getDescription } from './actions/experienceIssue/get.operation';
import { OUTPUTS_EXPRESSION } from './routing';

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
		credentials: [
			{ name: 'serviceNowPeApi', required: true, displayOptions: { show: { authentication: ['serviceNowPeApi'] } } },
			{
				name: 'serviceNowPeOAuth2Api',
				required: true,
				displayOptions: { show: { authentication: ['serviceNowPeOAuth2Api'] } },
			},
		],
		properties: [
			{
				displayName: 'Authentication',
				name: 'authentication',
				type: 'options',
				options: [
					{ name: 'Basic Auth or OAuth2 Password/Client Credentials', value: 'serviceNowPeApi' },
					{ name: 'OAuth2 Authorization Code', value: 'serviceNowPeOAuth2Api' },
				],
				default: 'serviceNowPeApi',
			},
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [{ name: 'Experience Issue', value: 'experienceIssue' }],
				default: 'experienceIssue',
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { resource: ['experienceIssue'] } },
				options: [
					{
						name: 'Chain',
						value: 'chain',
						action: 'Chain a new issue code onto an experience issue',
						description:
							'Send a new issue code with the experience_id of an issue waiting in action_wait, so the same issue continues',
					},
					{
						name: 'Create',
						value: 'create',
						action: 'Create an experience issue',
						description:
							'Create an experience issue for a user or device (from mapped fields or a monitoring alert) so ServiceNow engages the user to self-resolve it',
					},
					{
						name: 'Get',
						value: 'get',
						action: 'Get an experience issue',
						description: 'Read an experience issue (state, issue code, user) by experience_id or sys_id',
					},
				],
				default: 'create',
			},
			...createDescription,
			...chainDescription,
			...getDescription,
			{
				displayName: 'Error Routing',
				name: 'errorRouting',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { operation: ['create', 'chain'] } },
				options: [
					{
						name: 'Output per Documented Error',
						value: 'perError',
						description: 'Created, one output for each documented 400 error, then Other',
					},
					{
						name: 'Grouped',
						value: 'grouped',
						description: 'Created, Already Being Resolved, Fix Input (the data is wrong), Failed',
					},
					{
						name: 'Single Output',
						value: 'single',
						description: "Errors fail the node (or go to n8n's error output when the node is set to continue)",
					},
				],
				default: 'perError',
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'API Namespace',
						name: 'namespace',
						type: 'options',
						options: [
							{ name: 'Sn_pren (Current)', value: 'sn_pren' },
							{ name: 'Sn_srf (Older Instances)', value: 'sn_srf' },
						],
						default: 'sn_pren',
						description: 'Namespace in the path /api/&lt;namespace&gt;/self_remediation/experience_issue/create',
					},
					{
						displayName: 'Concurrency',
						name: 'concurrency',
						type: 'number',
						typeOptions: { minValue: 1, maxValue: 64 },
						default: 4,
						description: 'How many items are sent at the same time; outputs keep the input order',
					},
					{
						displayName: 'Dry Run',
						name: 'dryRun',
						type: 'boolean',
						default: false,
						description: 'Whether to output the exact request each item would send, and send nothing',
					},
					{
						displayName: 'Max Attempts',
						name: 'maxAttempts',
						type: 'number',
						typeOptions: { minValue: 1, maxValue: 10 },
						default: 3,
						description:
							'Attempts per item for 429, 5xx and network failures (429 waits for Retry-After, others back off exponentially)',
					},
					{
						displayName: 'Max Retry Wait (Seconds)',
						name: 'maxRetryWaitSeconds',
						type: 'number',
						typeOptions: { minValue: 0 },
						default: 30,
						description: 'Longest wait before a retry, whatever Retry-After asks',
					},
					{
						displayName: 'Request Format',
						name: 'requestFormat',
						type: 'options',
						options: [
							{ name: 'JSON', value: 'json' },
							{ name: 'XML', value: 'xml' },
						],
						default: 'json',
						description: 'Body format sent (and asked for); answers are read in either',
					},
					{
						displayName: 'Retry Base Delay (Ms)',
						name: 'retryBaseDelayMs',
						type: 'number',
						typeOptions: { minValue: 0 },
						default: 500,
						description: 'First back-off step for 5xx and network failures; doubles on each retry',
					},
					{
						displayName: 'Timeout (Seconds)',
						name: 'timeoutSeconds',
						type: 'number',
						typeOptions: { minValue: 1 },
						default: 30,
						description: 'How long to wait for an answer before counting the attempt as failed',
					},
				],
			},
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return router.call(this);
	}
}
