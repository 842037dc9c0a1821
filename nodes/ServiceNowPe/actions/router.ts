import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';
import * as chain from './experienceIssue/chain.operation';
import * as create from './experienceIssue/create.operation';
import * as get from './experienceIssue/get.operation';
import type { CredentialType } from '../transport/request';

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;
	const credentialType: CredentialType =
		this.getNodeParameter('authentication', 0, 'serviceNowPeApi') === 'serviceNowPeOAuth2Api'
			? 'serviceNowPeOAuth2Api'
			: 'serviceNowPeApi';
	if (resource === 'experienceIssue') {
		if (operation === 'create') return create.execute.call(this, credentialType);
		if (operation === 'chain') return chain.execute.call(this, credentialType);
		if (operation === 'get') return get.execute.call(this, credentialType);
	}
	throw new NodeOperationError(this.getNode(), `The operation "${operation}" of "${resource}" is not supported.`);
}
