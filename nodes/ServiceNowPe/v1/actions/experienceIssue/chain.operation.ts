/** Chain: a new issue code sent with the experience_id of an issue that waits in action_wait. */
import { updateDisplayOptions, type IDataObject, type INodeProperties } from 'n8n-workflow';
import { buildCreateIssueBody } from '../../../../../contract/body';
import { brokenValueNote } from '../../../../../contract/encodedQuery';
import { DOCUMENTED_ERRORS, PLATFORM_ERRORS, errorForStatus } from '../../../../../contract/errors';
import { text } from '../../../../../contract/values';
import { manualFields, parameterReader } from '../parameters';
import { TABLES } from '../../../../../contract/api';
import { findIssue, issueCodeHistory, readRefusal } from '../../../shared/transport/tableApi';
import type { Prepared, SendingOperation } from '../interfaces';
import { detailFields, endpointFields, issueCodeField, providerField } from './fields';

const properties: INodeProperties[] = [
	{
		displayName: 'Experience ID',
		name: 'experienceId',
		type: 'string',
		default: '',
		required: true,
		description: 'Experience_id of the issue to continue; it must wait in action_wait',
	},
	issueCodeField('New Issue Code', 'The next issue code for the same experience issue'),
	providerField,
	{
		displayName: 'Check State First',
		name: 'checkState',
		type: 'boolean',
		default: true,
		description:
			"Whether to read the issue first: chain only when it is in action_wait (otherwise the item goes to Chain Conflict unsent), and fill the endpoint with the issue's user when none is given",
	},
	...endpointFields,
	...detailFields,
];

export const chain: SendingOperation = {
	description: updateDisplayOptions(
		{ show: { resource: ['experienceIssue'], operation: ['chain'] } },
		properties,
	),
	outputs: { success: ['Chained', 'chained'] },

	async prepare(ctx, connection, options) {
		const prepared: Prepared[] = [];
		const read = parameterReader(ctx);
		for (const [i, item] of ctx.getInputData().entries()) {
			const fields = manualFields(read, i);
			const experienceId = text(fields.experience_id);
			const p: Prepared = { itemIndex: i, input: item.json as IDataObject };
			prepared.push(p);
			if (!experienceId) {
				p.refusal = {
					entry: PLATFORM_ERRORS.ISSUE_NOT_FOUND,
					message: 'Experience ID is empty: give the experience_id of the issue to chain onto.',
					detail: 'Chain needs an existing experience issue; use Create for a new one.',
					field: 'experience_id',
				};
				continue;
			}
			if (ctx.getNodeParameter('checkState', i, true) as boolean) {
				const { found, result } = await findIssue(
					ctx,
					connection,
					'experience_id',
					experienceId,
					options,
				);
				if (result.status !== 200) {
					// Not read, so not checked: the item is not sent, and says why.
					const entry = errorForStatus(result.status) ?? PLATFORM_ERRORS.NETWORK_ERROR;
					p.refusal = {
						entry,
						message: `Reading the issue before chaining failed (HTTP ${result.status || 'no answer'}).`,
						detail: `Not sent. ${readRefusal(TABLES.experienceIssue, result) ?? (result.status === 401 ? "The credential's user needs read access to sn_pren_experience_issue." : 'The instance did not answer the read.')} Or turn off Check State First to chain without reading.`,
						field: 'experience_id',
					};
					continue;
				}
				if (!found) {
					p.refusal = {
						entry: PLATFORM_ERRORS.ISSUE_NOT_FOUND,
						message: `No experience issue has experience_id "${experienceId}": there is nothing to chain onto.`,
						detail: `Check the ID, or use Create to open a new issue.${brokenValueNote(experienceId)}`,
						field: 'experience_id',
					};
				} else if (found && found.state !== 'action_wait') {
					p.refusal = {
						entry: DOCUMENTED_ERRORS.CHAIN_CONFLICT,
						message: DOCUMENTED_ERRORS.CHAIN_CONFLICT.message,
						detail: `Not sent: the issue is in state "${found.state}"; a new issue code can be chained only while it is in action_wait.`,
					};
					p.context = { issueState: found.state };
				} else if (found) {
					const endpoint = fields.endpoint ?? {};
					if (!Object.values(endpoint).some((v) => text(v)))
						fields.endpoint = { user_id: found.user };
					p.context = { issueState: found.state };
					const codes = issueCodeHistory(found);
					if (codes) p.chainBase = { issueCodeHistory: codes };
				}
			}
			Object.assign(p, buildCreateIssueBody(fields));
		}
		return prepared;
	},
};
