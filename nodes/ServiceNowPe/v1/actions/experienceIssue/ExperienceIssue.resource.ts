/** The Experience Issue resource: its operations, and the parameters they share. */
import { updateDisplayOptions, type INodeProperties } from 'n8n-workflow';
import type { ReadingOperation, SendingOperation } from '../interfaces';
import { chain } from './chain.operation';
import { checkSetup } from './checkSetup.operation';
import { create } from './create.operation';
import { get } from './get.operation';

export const operations: Record<string, SendingOperation | ReadingOperation> = {
	chain,
	create,
	get,
	checkSetup,
};

const errorRouting: INodeProperties = {
	displayName: 'Error Routing',
	name: 'errorRouting',
	type: 'options',
	noDataExpression: true,
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
			description:
				"Errors fail the node (or go to n8n's error output when the node is set to continue)",
		},
	],
	default: 'perError',
};

const options: INodeProperties = {
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
			description:
				'Namespace in the path /api/&lt;namespace&gt;/self_remediation/experience_issue/create',
		},
		{
			displayName: 'Batch Size',
			name: 'batchSize',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 100 },
			default: 50,
			description: 'Items per Batch API request, when Send Mode is Batch API',
		},
		{
			displayName: 'Concurrency',
			name: 'concurrency',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 64 },
			default: 4,
			description:
				'How many items (or batch requests, with the Batch API) are sent at the same time; outputs keep the input order',
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
			displayName: 'Send Mode',
			name: 'sendMode',
			type: 'options',
			options: [
				{
					name: 'One Request per Item',
					value: 'perItem',
					description: 'Each item is its own HTTP request',
				},
				{
					name: 'Batch API',
					value: 'batch',
					description:
						"Up to Batch Size items per request through ServiceNow's Batch API (/api/now/v1/batch); each item still ends on its own output",
				},
			],
			default: 'perItem',
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
};

export const description: INodeProperties[] = [
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
				description:
					'Read an experience issue (state, issue code, user) by experience_id or sys_id',
			},
			{
				name: 'Check Setup',
				value: 'checkSetup',
				action: 'Check the setup of the instance',
				description:
					'Read what the instance has (Proactive Engagement installed, roles, provider, issue code, user, Batch API) and output one pass, fail or unknown item per check; sends no create',
			},
		],
		default: 'create',
	},
	...create.description,
	...chain.description,
	...get.description,
	...checkSetup.description,
	...updateDisplayOptions(
		{ show: { resource: ['experienceIssue'], operation: ['create', 'chain'] } },
		[errorRouting],
	),
	...updateDisplayOptions({ show: { resource: ['experienceIssue'] } }, [options]),
];
