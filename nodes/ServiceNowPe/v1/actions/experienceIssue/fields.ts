/** Parameters of the request body fields, shared by Create (manual) and Chain (read by `manualFields` in parameters.ts). */
import type { INodeProperties } from 'n8n-workflow';
import { picker } from '../../../shared/descriptions';

/** Issue Code: a deployed issue registry entry. */
export const issueCodeField = (displayName: string, description: string): INodeProperties =>
	picker(
		{ displayName, name: 'issueCode', required: true, description },
		'issueCodeSearch',
		'e.g. 100',
		'By Code',
	);

const keyValueCollection = (
	displayName: string,
	name: string,
	description: string,
): INodeProperties => ({
	displayName,
	name,
	type: 'fixedCollection',
	typeOptions: { multipleValues: true },
	placeholder: 'Add Field',
	default: {},
	description,
	options: [
		{
			displayName: 'Field',
			name: 'values',
			values: [
				{ displayName: 'Key', name: 'key', type: 'string', default: '' },
				{ displayName: 'Value', name: 'value', type: 'string', default: '' },
			],
		},
	],
});

export const endpointFields: INodeProperties[] = [
	picker(
		{
			displayName: 'Endpoint CI',
			name: 'endpointCi',
			description:
				'The device (cmdb_ci_computer) the issue was detected on, sent as its sys_id. Set at least one of the four endpoint fields.',
		},
		'computerSearch',
		'sys_id, e.g. d049b28e936aa1106f98f6db5cba10d5',
		'By Sys_id',
	),
	{
		displayName: 'Endpoint Email',
		name: 'endpointEmail',
		type: 'string',
		placeholder: 'name@email.com',
		default: '',
		description: 'Email address of the user the issue was detected for',
	},
	picker(
		{
			displayName: 'Endpoint User ID',
			name: 'endpointUserId',
			description:
				'The user (sys_user) the issue was detected for, sent as their sys_id; search by user name, name or email',
		},
		'userSearch',
		'sys_id, e.g. 62826bf03710200044e0bfc8bcbe5df1',
		'By Sys_id',
	),
	{
		displayName: 'Endpoint User Name',
		name: 'endpointUserName',
		type: 'string',
		default: '',
		description: 'User name (sys_user.user_name) of the user, e.g. abel.tuter',
	},
];

export const providerField: INodeProperties = picker(
	{
		displayName: 'Provider',
		name: 'provider',
		required: true,
		description: 'The provider (sn_pren_provider), sent as its provider_code',
	},
	'providerSearch',
	'e.g. sn',
	'By Code',
	'sn',
);

export const detailFields: INodeProperties[] = [
	{
		displayName: 'Process ID',
		name: 'processId',
		type: 'string',
		default: '',
		description:
			'Input parameter process_id: the process the resolution should terminate or restart',
	},
	keyValueCollection(
		'Additional Input Parameters',
		'additionalInputParameters',
		'More input_parameters for the remedial action',
	),
	{
		displayName: 'CPU Usage',
		name: 'cpuUsage',
		type: 'string',
		default: '',
		description: 'Investigative detail cpu_usage, e.g. 78%',
	},
	{
		displayName: 'Processes Running',
		name: 'processesRunning',
		type: 'string',
		default: '',
		description: 'Investigative detail processes_running',
	},
	{
		displayName: 'Available Memory',
		name: 'availableMemory',
		type: 'string',
		default: '',
		description: 'Investigative detail available_memory, e.g. 23%',
	},
	keyValueCollection(
		'Additional Investigative Details',
		'additionalInvestigativeDetails',
		'More investigative_details, copied to the fallback incident',
	),
];
