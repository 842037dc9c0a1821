/** Create: one request per item from mapped fields, or one per alert from a monitoring payload. */
import {
	NodeOperationError,
	updateDisplayOptions,
	type IDataObject,
	type INodeProperties,
} from 'n8n-workflow';
import { buildCreateIssueBody } from '../../../../../contract/body';
import { manualFields, parameterReader } from '../parameters';
import { SOURCES, SOURCE_NAMES, sourceNamed } from '../../../sources';
import type { SendingOperation } from '../interfaces';
import { detailFields, endpointFields, issueCodeField, providerField } from './fields';
import { alertProperties } from './alertParameters';
import { resolveCis } from './ciLookup';
import { explainProblems, markRepeats, prepareFromAlerts } from './fromAlerts';

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
	...updateDisplayOptions({ show: { source: ['manual'] } }, manualProperties),
	providerField,
	...updateDisplayOptions({ show: { source: SOURCE_NAMES } }, alertProperties),
];

export const create: SendingOperation = {
	description: updateDisplayOptions(
		{ show: { resource: ['experienceIssue'], operation: ['create'] } },
		properties,
	),
	outputs: { skippedUnless: ['source', 'manual'] },

	async prepare(ctx, connection, options) {
		const items = ctx.getInputData();
		const sourceName = ctx.getNodeParameter('source', 0, 'manual') as string;
		if (sourceName === 'manual') {
			const read = parameterReader(ctx);
			return items.map((item, i) => ({
				itemIndex: i,
				input: item.json as IDataObject,
				...buildCreateIssueBody(manualFields(read, i)),
			}));
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
