import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';
import { PLATFORM_ERRORS } from '../../../shared/errors';
import { connectionFor, type CredentialType } from '../../transport/request';
import { findIssue, readSubmitOptions } from './submit';

const get = { show: { resource: ['experienceIssue'], operation: ['get'] } };

export const description: INodeProperties[] = [
	{
		displayName: 'Find By',
		name: 'findBy',
		type: 'options',
		options: [
			{ name: 'Experience ID', value: 'experience_id' },
			{ name: 'Sys_id', value: 'sys_id' },
		],
		default: 'experience_id',
		displayOptions: get,
	},
	{
		displayName: 'ID',
		name: 'issueId',
		type: 'string',
		default: '',
		required: true,
		displayOptions: get,
		description: 'Experience_id or sys_id of the experience issue',
	},
];

const JSON_FIELDS = ['endpoint', 'input_parameters', 'investigative_details'];

/** A record as the Table API sends it, with its JSON text fields parsed. */
function readable(row: Record<string, string>): IDataObject {
	const out: IDataObject = { ...row };
	for (const f of JSON_FIELDS) {
		if (typeof row[f] === 'string' && row[f].startsWith('{')) {
			try {
				out[f] = JSON.parse(row[f]) as IDataObject;
			} catch {
				// Keep the text: the instance stores what it was given.
			}
		}
	}
	if (typeof row.issue_code_history === 'string') out.issue_code_history = row.issue_code_history.split(',').filter(Boolean);
	return out;
}

export async function execute(this: IExecuteFunctions, credentialType: CredentialType): Promise<INodeExecutionData[][]> {
	const options = readSubmitOptions(this);
	const connection = await connectionFor(this, credentialType);
	const out: INodeExecutionData[] = [];
	for (const [i] of this.getInputData().entries()) {
		const by = this.getNodeParameter('findBy', i, 'experience_id') as string;
		const id = String(this.getNodeParameter('issueId', i, '')).trim();
		try {
			if (!id) throw new NodeOperationError(this.getNode(), 'ID is empty: give the experience_id or sys_id of the issue.', { itemIndex: i });
			const { found, result } = await findIssue(this, connection, `${by}=${id}`, options);
			if (result.status !== 200) {
				throw new NodeOperationError(this.getNode(), `Reading the experience issue failed (HTTP ${result.status || 'no answer'}).`, {
					itemIndex: i,
					description: result.networkError ?? result.rawText.slice(0, 500),
				});
			}
			if (!found) {
				throw new NodeOperationError(this.getNode(), `${PLATFORM_ERRORS.ISSUE_NOT_FOUND.message}: no issue has ${by} "${id}".`, {
					itemIndex: i,
					description: 'Check the ID and Find By.',
				});
			}
			out.push({ json: readable(found), pairedItem: { item: i } });
		} catch (e) {
			const error = e instanceof NodeOperationError ? e : new NodeOperationError(this.getNode(), e as Error, { itemIndex: i });
			if (!this.continueOnFail()) throw error;
			out.push({ json: { error: error.message }, pairedItem: { item: i } });
		}
	}
	return [out];
}
