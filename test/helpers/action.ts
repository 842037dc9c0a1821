/** Runs the action node in a real n8n-core workflow against an emulator on 127.0.0.1. */
import type { INode, INodeExecutionData, INodeType, IRun } from 'n8n-workflow';
import { ServiceNowPe } from '../../nodes/ServiceNowPe/ServiceNowPe.node';
import { ServiceNowPeApi } from '../../credentials/ServiceNowPeApi.credentials';
import { ServiceNowPeOAuth2Api } from '../../credentials/ServiceNowPeOAuth2Api.credentials';
import type * as listSearch from '../../nodes/ServiceNowPe/shared/methods/listSearch';
import {
	OUTPUT_TABLE,
	outputNames,
	type ErrorRouting,
} from '../../nodes/ServiceNowPe/v1/engine/outputs';
import { CredentialStore, buildWorkflow, nodeTypesOf, outputOf, runWorkflow } from './n8n';

export const ACTION_TYPE = 'n8n-nodes-servicenow-proactive-engagement.serviceNowPe';
const actionNode = new ServiceNowPe();
const nodeTypes = nodeTypesOf({ [ACTION_TYPE]: actionNode });
/** Version 1 of the action node, as n8n takes it from the versioned node for a saved workflow. */
export const actionV1 = actionNode.getNodeType(1) as INodeType & {
	methods: { listSearch: typeof listSearch };
};
export const CREDENTIAL_TYPES = [new ServiceNowPeApi(), new ServiceNowPeOAuth2Api()];

export const BASIC = (url: string, username = 'pe.integration', password = 'integration') => ({
	serviceNowPeApi: {
		instanceUrl: url,
		authType: 'basic',
		username,
		password,
		ignoreSslIssues: false,
		accessToken: '',
		refreshToken: '',
	},
});

/** Parameters mapping each input item's json fields into the create request. */
export const MAPPED = {
	endpointUserName: '={{ $json.user_name }}',
	endpointUserId: '={{ $json.user_id }}',
	endpointCi: '={{ $json.ci }}',
	issueCode: '={{ $json.code }}',
	provider: '={{ $json.provider ?? "sn" }}',
	experienceId: '={{ $json.experience_id }}',
	cpuUsage: '={{ $json.cpu }}',
};

export interface ActionRun {
	run: IRun;
	outputs: Record<string, INodeExecutionData[]>;
	error?: string;
}

export async function runAction(options: {
	items: Array<Record<string, unknown>>;
	parameters?: Record<string, unknown>;
	credentials: CredentialStore | Record<string, Record<string, unknown>>;
	routing?: ErrorRouting;
	onError?: INode['onError'];
}): Promise<ActionRun> {
	const routing = options.routing ?? 'perError';
	const node: INode = {
		id: 'action-1',
		name: 'PE',
		type: ACTION_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: { ...MAPPED, errorRouting: routing, ...options.parameters } as INode['parameters'],
		credentials: {
			serviceNowPeApi: { id: '1', name: 'ServiceNow' },
			serviceNowPeOAuth2Api: { id: '2', name: 'ServiceNow OAuth2' },
		},
		...(options.onError ? { onError: options.onError } : {}),
	};
	const workflow = buildWorkflow({ nodes: [node], connections: {} }, nodeTypes);
	const store =
		options.credentials instanceof CredentialStore
			? options.credentials
			: new CredentialStore(options.credentials as never, CREDENTIAL_TYPES);
	const run = await runWorkflow({
		workflow,
		startNode: 'PE',
		startData: [options.items.map((json) => ({ json: json as never }))],
		credentials: store,
	});
	const error = run.data.resultData.error?.message;
	const outputs: Record<string, INodeExecutionData[]> = {};
	if (!error) {
		const p = node.parameters as Record<string, unknown>;
		const names = [...outputNames(OUTPUT_TABLE, p)];
		if (options.onError === 'continueErrorOutput') names.push('Error');
		names.forEach((name, k) => (outputs[name] = outputOf(run, 'PE', k)));
	}
	return { run, outputs, error };
}

/** Output name → input indexes (via pairedItem), for compact assertions. */
export function routed(outputs: Record<string, INodeExecutionData[]>): Record<string, number[]> {
	const out: Record<string, number[]> = {};
	for (const [name, items] of Object.entries(outputs)) {
		if (items.length) out[name] = items.map((i) => (i.pairedItem as { item: number }).item);
	}
	return out;
}
