import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { DOCUMENTED_ERRORS, PLATFORM_ERRORS } from '../../../shared/errors';
import { buildCreateIssueBody } from '../../../shared/payload';
import { manualFields } from '../../payload/manual';
import { parameterReader } from '../../parameters';
import type { ErrorRouting } from '../../routing';
import { connectionFor, type CredentialType } from '../../transport/request';
import { detailFields, endpointFields, providerField } from './fields';
import { findIssue, readSubmitOptions, submitAll, type Prepared } from './submit';

const chain = { show: { resource: ['experienceIssue'], operation: ['chain'] } };

export const description: INodeProperties[] = [
	{
		displayName: 'Experience ID',
		name: 'experienceId',
		type: 'string',
		default: '',
		required: true,
		displayOptions: chain,
		description: 'Experience_id of the issue to continue; it must wait in action_wait',
	},
	{
		displayName: 'New Issue Code',
		name: 'issueCode',
		type: 'string',
		default: '',
		required: true,
		displayOptions: chain,
		description: 'The next issue code for the same experience issue',
	},
	providerField(chain),
	{
		displayName: 'Check State First',
		name: 'checkState',
		type: 'boolean',
		default: true,
		displayOptions: chain,
		description:
			"Whether to read the issue first: chain only when it is in action_wait (otherwise the item goes to Chain Conflict unsent), and fill the endpoint with the issue's user when none is given",
	},
	...endpointFields(chain),
	...detailFields(chain),
];

export async function execute(this: IExecuteFunctions, credentialType: CredentialType): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const routing = this.getNodeParameter('errorRouting', 0, 'perError') as ErrorRouting;
	const options = readSubmitOptions(this);
	const connection = await connectionFor(this, credentialType);
	const prepared: Prepared[] = [];
	const read = parameterReader(this);
	for (const [i, item] of items.entries()) {
		const fields = manualFields(read, i);
		const experienceId = String(fields.experience_id ?? '').trim();
		const p: Prepared = { itemIndex: i, input: item.json as IDataObject };
		if (!experienceId) {
			p.refusal = {
				entry: PLATFORM_ERRORS.ISSUE_NOT_FOUND,
				message: 'Experience ID is empty: give the experience_id of the issue to chain onto.',
				detail: 'Chain needs an existing experience issue; use Create for a new one.',
				field: 'experience_id',
			};
			prepared.push(p);
			continue;
		}
		if (this.getNodeParameter('checkState', i, true) as boolean) {
			const { found, result } = await findIssue(this, connection, `experience_id=${experienceId}`, options);
			if (!found && result.status === 200) {
				p.refusal = {
					entry: PLATFORM_ERRORS.ISSUE_NOT_FOUND,
					message: `No experience issue has experience_id "${experienceId}": there is nothing to chain onto.`,
					detail: 'Check the ID, or use Create to open a new issue.',
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
				if (!Object.values(endpoint).some((v) => String(v ?? '').trim())) fields.endpoint = { user_id: found.user };
				p.context = { issueState: found.state };
			}
		}
		Object.assign(p, buildCreateIssueBody(fields));
		prepared.push(p);
	}
	return submitAll(this, connection, prepared, options, { routing, skippedOutput: false });
}
