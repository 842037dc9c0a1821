/** Create: one request per item from mapped fields, or one per alert from a monitoring payload. */
import { NodeOperationError, updateDisplayOptions, type INodeProperties } from 'n8n-workflow';
import { SOURCES, SOURCE_NAMES, sourceNamed } from '../../../sources';
import type { SendingOperation } from '../interfaces';
import { detailFields, endpointFields, issueCodeField, providerField } from './fields';
import { alertProperties, ciNotFoundProperty } from './alertParameters';
import { resolveCis } from './ciLookup';
import { explainProblems, markRepeats, prepareFromAlerts } from './fromAlerts';
import { prepareFromFields } from './fromFields';

const manualProperties: INodeProperties[] = [
	...endpointFields,
	issueCodeField(
		'Issue Code',
		'Issue code deployed in the Issue Registry (sn_pren_issue_registry), e.g. 100',
	),
	{
		displayName: 'Experience ID',
		name: 'experienceId',
		type: 'string',
		default: '',
		description:
			"Your own ID for the issue (empty: the instance uses the new record's sys_id). An existing ID whose issue waits in action_wait chains the new issue code onto it.",
	},
	...detailFields,
];

/** Manual Fields: the CI from a host name, and items not to send. */
const manualExtras: INodeProperties[] = [
	{
		displayName: 'Resolve CI From Host Name',
		name: 'resolveCiFromHost',
		type: 'boolean',
		default: false,
		description:
			'Whether to look Host Name up in cmdb_ci_computer by name and send its sys_id as endpoint.CI (when Endpoint CI is empty)',
	},
	{
		displayName: 'Host Name',
		name: 'hostName',
		type: 'string',
		default: '',
		placeholder: 'e.g. {{ $json.host }}',
		description: 'Name of the device as cmdb_ci_computer names it; an empty name is not looked up',
		displayOptions: { show: { resolveCiFromHost: [true] } },
	},
	ciNotFoundProperty,
	{
		displayName: 'Skip Items',
		name: 'skipItems',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Never', value: 'never', description: 'Send every item' },
			{
				name: 'When a Condition Is True',
				value: 'when',
				description: 'Adds a Skipped output for the items Skip When is true for',
			},
		],
		default: 'never',
	},
	{
		displayName: 'Skip When',
		name: 'skipWhen',
		type: 'boolean',
		default: false,
		description:
			'Whether to skip the item: an expression that is true for items not to send, e.g. a recovery. They go to the Skipped output, are not checked, and never fail the others.',
		hint: "E.g. {{ $json.NewStateValue === 'OK' }} (AWS CloudWatch) or {{ $json.state === 'CLOSED' }}",
		displayOptions: { show: { skipItems: ['when'] } },
	},
];

const properties: INodeProperties[] = [
	{
		displayName: 'Build From',
		name: 'source',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Manual Fields', value: 'manual', description: 'Map each body field yourself' },
			...SOURCES.map((s) => ({ name: s.label, value: s.name, description: s.description })),
		],
		default: 'manual',
	},
	...updateDisplayOptions({ show: { source: ['manual'] } }, [...manualProperties, ...manualExtras]),
	providerField,
	...updateDisplayOptions({ show: { source: SOURCE_NAMES } }, alertProperties),
];

export const create: SendingOperation = {
	description: updateDisplayOptions(
		{ show: { resource: ['experienceIssue'], operation: ['create'] } },
		properties,
	),
	outputs: { skippedUnless: ['source', 'manual'], skippedWhen: ['skipItems', 'when'] },

	async prepare(ctx, connection, options) {
		const items = ctx.getInputData();
		const sourceName = ctx.getNodeParameter('source', 0, 'manual') as string;
		if (sourceName === 'manual') {
			const requests = prepareFromFields(ctx);
			await resolveCis(ctx, connection, requests, options);
			return requests;
		}
		const source = sourceNamed(sourceName);
		if (!source)
			throw new NodeOperationError(
				ctx.getNode(),
				`Build From "${sourceName}" is not a known source: choose one of the list.`,
			);
		const requests = items.flatMap((_, i) => prepareFromAlerts(ctx, source, i));
		// CI lookups only read, so a dry run does them too and shows the exact body.
		await resolveCis(ctx, connection, requests, options);
		explainProblems(ctx, requests);
		markRepeats(requests);
		return requests;
	},
};
