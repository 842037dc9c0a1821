/** Parameters of every monitoring source of Build From (shown when Build From is one). */
import type { INodeProperties } from 'n8n-workflow';

/** What happens to an item whose host no cmdb_ci_computer record has (presets and Manual Fields). */
export const ciNotFoundProperty: INodeProperties = {
	displayName: 'When No CI Has the Host Name',
	name: 'ciNotFound',
	type: 'options',
	options: [
		{ name: 'Continue Without CI', value: 'continue' },
		{
			name: 'Route as Failed',
			value: 'fail',
			description:
				'An alert or item that names no user goes to Other (Failed when grouped) with code CI_NOT_FOUND',
		},
	],
	default: 'continue',
	displayOptions: { show: { resolveCiFromHost: [true] } },
};

export const alertProperties: INodeProperties[] = [
	{
		displayName: 'Issue Code Rules',
		name: 'issueCodeRules',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		placeholder: 'Add Rule',
		default: {},
		description:
			"The first rule that matches an alert gives its issue code; then the alert's issue code label; then the default",
		options: [
			{
				displayName: 'Rule',
				name: 'rules',
				values: [
					{
						displayName: 'Match',
						name: 'match',
						type: 'options',
						options: [
							{ name: 'Alert Name', value: 'alertName' },
							{ name: 'Label Value', value: 'label' },
						],
						default: 'alertName',
					},
					{
						displayName: 'Label',
						name: 'label',
						type: 'string',
						default: '',
						placeholder: 'severity',
						displayOptions: { show: { match: ['label'] } },
					},
					{
						displayName: 'Value',
						name: 'value',
						type: 'string',
						default: '',
						placeholder: 'HighCpuUsage or /cpu|load/',
						description: 'Exact value (any case), or a /regular expression/',
					},
					{ displayName: 'Issue Code', name: 'issueCode', type: 'string', default: '' },
				],
			},
		],
	},
	{
		displayName: 'Default Issue Code',
		name: 'defaultIssueCode',
		type: 'string',
		default: '',
		description:
			'Issue code of alerts no rule matches. Empty: such alerts go to the Invalid Issue Code branch.',
	},
	{
		displayName: 'Include Resolved Alerts',
		name: 'includeResolved',
		type: 'boolean',
		default: false,
		description: 'Whether to send resolved alerts too (off: they go to the Skipped output)',
	},
	{
		displayName: 'Resolve CI From Host Name',
		name: 'resolveCiFromHost',
		type: 'boolean',
		default: false,
		description:
			"Whether to look the alert's host up in cmdb_ci_computer by name and send its sys_id as endpoint.CI",
	},
	ciNotFoundProperty,
	{
		displayName: 'Metric Names',
		name: 'metricNames',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		placeholder: 'Add Metric Name',
		default: {},
		description:
			'Which investigative detail a value the alert carries is (Azure: the metric; Grafana: the alert name or summary). Your rules come first, then: available/free memory → available_memory, memory → memory_usage, CPU → cpu_usage, processes → processes_running.',
		options: [
			{
				displayName: 'Rule',
				name: 'rules',
				values: [
					{
						displayName: 'Metric',
						name: 'match',
						type: 'string',
						default: '',
						placeholder: 'Percentage CPU or /cpu/',
						description: 'Exact name (any case), or a /regular expression/',
					},
					{
						displayName: 'Investigative Detail',
						name: 'detail',
						type: 'string',
						default: '',
						placeholder: 'cpu_usage',
					},
				],
			},
		],
	},
	{
		displayName: 'Grafana Value Query (Ref ID)',
		name: 'grafanaValueRefId',
		type: 'string',
		default: '',
		placeholder: 'B',
		displayOptions: { show: { source: ['grafana'] } },
		description:
			"Query whose value is the alert's value (Grafana sends one per query, e.g. B: 44.2 and the threshold C: 1). Empty: the only one, else of those that are not a threshold's 0 or 1 the reduce step B, else the first of them.",
	},
	{
		displayName: 'Alert Context in Investigative Details',
		name: 'alertContext',
		type: 'multiOptions',
		options: [
			{ name: 'Alert Name', value: 'name' },
			{ name: 'Description', value: 'description' },
			{ name: 'Links (Rule, Dashboard, Runbook…)', value: 'links' },
			{ name: 'Severity', value: 'severity' },
			{ name: 'Start Time', value: 'startedAt' },
			{ name: 'Summary', value: 'summary' },
		],
		default: ['name', 'summary', 'description', 'severity', 'startedAt', 'links'],
		description:
			'What the alert says that ServiceNow copies into the fallback incident; each value up to 1,000 characters, 4,000 in all',
	},
	{
		displayName: 'Label Names',
		name: 'labelNames',
		type: 'collection',
		placeholder: 'Add Label Name',
		default: {},
		description:
			'Labels (Datadog: tags, Azure: custom properties or dimensions) holding each value',
		options: [
			{ displayName: 'CI Sys_id Label', name: 'ci', type: 'string', default: 'ci_sys_id' },
			{ displayName: 'Email Label', name: 'emailLabel', type: 'string', default: 'email' },
			{ displayName: 'Issue Code Label', name: 'issueCode', type: 'string', default: 'issue_code' },
			{ displayName: 'Process ID Label', name: 'processId', type: 'string', default: 'process_id' },
			{ displayName: 'User ID Label', name: 'userId', type: 'string', default: 'user_id' },
			{ displayName: 'User Name Label', name: 'user', type: 'string', default: 'user' },
		],
	},
	{
		displayName: 'Overrides',
		name: 'overrides',
		type: 'collection',
		placeholder: 'Add Override',
		default: {},
		description:
			'Values (usually expressions) that replace what the preset reads from the alert, for every alert of the item',
		options: [
			{ displayName: 'Available Memory', name: 'availableMemory', type: 'string', default: '' },
			{ displayName: 'CPU Usage', name: 'cpuUsage', type: 'string', default: '' },
			{ displayName: 'Endpoint CI', name: 'endpointCi', type: 'string', default: '' },
			{
				displayName: 'Endpoint Email',
				name: 'endpointEmail',
				type: 'string',
				placeholder: 'name@email.com',
				default: '',
			},
			{ displayName: 'Endpoint User ID', name: 'endpointUserId', type: 'string', default: '' },
			{ displayName: 'Endpoint User Name', name: 'endpointUserName', type: 'string', default: '' },
			{
				displayName: 'Experience ID',
				name: 'experienceId',
				type: 'string',
				default: '',
				description:
					'Experience_id of an issue waiting in action_wait, to chain this alert onto it (empty: a new issue)',
			},
			{ displayName: 'Host Name', name: 'host', type: 'string', default: '' },
			{ displayName: 'Memory Usage', name: 'memoryUsage', type: 'string', default: '' },
			{ displayName: 'Process ID', name: 'processId', type: 'string', default: '' },
			{ displayName: 'Processes Running', name: 'processesRunning', type: 'string', default: '' },
		],
	},
];
