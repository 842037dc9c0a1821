/** Parameters of the request body fields, shared by Create (manual) and Chain (read by `manualFields` in parameters.ts). */
import type { INodeProperties } from 'n8n-workflow';

const keyValueCollection = (displayName: string, name: string, description: string): INodeProperties => ({
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
	{
		displayName: 'Endpoint CI',
		name: 'endpointCi',
		type: 'string',
		default: '',
		description: 'Sys_id of the device (cmdb_ci_computer) the issue was detected on. Set at least one of the four endpoint fields.',
	},
	{
		displayName: 'Endpoint Email',
		name: 'endpointEmail',
		type: 'string',
		placeholder: 'name@email.com',
		default: '',
		description: 'Email address of the user the issue was detected for',
	},
	{
		displayName: 'Endpoint User ID',
		name: 'endpointUserId',
		type: 'string',
		default: '',
		description: 'Sys_id of the user (sys_user) the issue was detected for',
	},
	{
		displayName: 'Endpoint User Name',
		name: 'endpointUserName',
		type: 'string',
		default: '',
		description: 'User name (sys_user.user_name) of the user, e.g. abel.tuter',
	},
];

export const providerField: INodeProperties = {
	displayName: 'Provider',
	name: 'provider',
	type: 'string',
	default: 'sn',
	required: true,
	description: 'Provider_code of the provider (sn_pren_provider)',
};

export const detailFields: INodeProperties[] = [
	{
		displayName: 'Process ID',
		name: 'processId',
		type: 'string',
		default: '',
		description: 'Input parameter process_id: the process the resolution should terminate or restart',
	},
	keyValueCollection('Additional Input Parameters', 'additionalInputParameters', 'More input_parameters for the remedial action'),
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
	keyValueCollection('Additional Investigative Details', 'additionalInvestigativeDetails', 'More investigative_details, copied to the fallback incident'),
];
