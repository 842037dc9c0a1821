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
import {
	CredentialStore,
	buildWorkflow,
	descriptionValueInN8n,
	loadOptionsContext,
	nodeTypesOf,
	outputOf,
	runWorkflow,
	workflowNode,
} from './n8n';
import { ABEL } from './http';

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

/** The credential a saved node names: the basic or OAuth2 client one. */
export const API_CREDENTIAL = { serviceNowPeApi: { id: '1', name: 'ServiceNow' } };

/** The store n8n reads credentials from, holding a basic credential of this instance. */
export const basicStore = (url: string, username?: string, password?: string) =>
	new CredentialStore(BASIC(url, username, password) as never, CREDENTIAL_TYPES);

/** The store holding an OAuth2 credential of the emulator's client, no token yet: client credentials unless `grant` says otherwise. */
export const oauthStore = (
	url: string,
	grant: Record<string, unknown> = { authType: 'oauth2ClientCredentials' },
) =>
	new CredentialStore(
		{
			serviceNowPeApi: {
				instanceUrl: url,
				clientId: 'pe-emulator-client',
				clientSecret: 'pe-emulator-secret',
				accessToken: '',
				refreshToken: '',
				...grant,
			},
		},
		CREDENTIAL_TYPES,
	);

/** Chain onto each item's experience_id with its code. */
export const CHAIN = {
	operation: 'chain',
	experienceId: '={{ $json.experience_id }}',
	issueCode: '={{ $json.code }}',
};
/** Chain sending no endpoint of its own: the issue's user goes. */
export const CHAIN_ALONE = { ...CHAIN, endpointUserId: '', endpointUserName: '', endpointCi: '' };

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

export interface RunOptions {
	items: Array<Record<string, unknown>>;
	parameters?: Record<string, unknown>;
	credentials: CredentialStore | Record<string, Record<string, unknown>>;
	routing?: ErrorRouting;
	onError?: INode['onError'];
}

export async function runAction(options: RunOptions): Promise<ActionRun> {
	const routing = options.routing ?? 'perError';
	const node = workflowNode(
		ACTION_TYPE,
		'PE',
		{ ...MAPPED, errorRouting: routing, ...options.parameters },
		{
			id: 'action-1',
			credentials: {
				...API_CREDENTIAL,
				serviceNowPeOAuth2Api: { id: '2', name: 'ServiceNow OAuth2' },
			},
			...(options.onError ? { onError: options.onError } : {}),
		},
	);
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

/** Abel's issue of code 100: the item most tests send. */
export const ABEL_100 = { user_id: ABEL.sys_id, code: '100' };

/** Sends Abel's issue of code 100 through the action node, with these credentials (and parameters). */
export const sendAbel100 = (
	credentials: RunOptions['credentials'],
	parameters?: Record<string, unknown>,
) => runAction({ items: [ABEL_100], credentials, parameters });

/** Creates the item's issue on this instance through the action node. */
export const createdBy = (url: string, item: Record<string, unknown>) =>
	runAction({ items: [item], credentials: BASIC(url) });

/** The item's issue was found by a read after its answer was lost, and it is its own: recovered (with `more`), not flagged as maybe created. */
export function expectRecovered(
	item: INodeExecutionData,
	more: Record<string, unknown> = {},
): void {
	expect(item.json).toMatchObject({ recoveredAfterRetry: true, ...more });
	expect(item.json.mayHaveBeenCreated).toBeUndefined();
}

/** Output name → input indexes (via pairedItem), for compact assertions. */
export function routed(outputs: Record<string, INodeExecutionData[]>): Record<string, number[]> {
	const out: Record<string, number[]> = {};
	for (const [name, items] of Object.entries(outputs)) {
		if (items.length) out[name] = items.map((i) => (i.pairedItem as { item: number }).item);
	}
	return out;
}

/** A picker's list search (`method`), as n8n's editor runs it, with a basic credential of this instance. */
export function searchList(
	url: string,
	method: keyof typeof actionV1.methods.listSearch,
	filter?: string,
	token?: string,
) {
	const node = workflowNode(ACTION_TYPE, 'PE', {}, { credentials: API_CREDENTIAL });
	const workflow = buildWorkflow(
		{ nodes: [node], connections: {} },
		nodeTypesOf({ [ACTION_TYPE]: actionV1 }),
	);
	const context = loadOptionsContext(workflow, 'PE', basicStore(url));
	return actionV1.methods.listSearch[method].call(context, filter, token);
}

/** The action node's outputs as n8n computes them from its parameters (defaults filled in), for the editor and the engine. */
export function outputsInN8n(parameters: Record<string, unknown>): string[] {
	const value = descriptionValueInN8n(
		ACTION_TYPE,
		actionNode,
		actionV1.description.outputs as string,
		parameters,
	);
	return (value as Array<{ type: string; displayName: string }>).map((o) => {
		expect(o.type).toBe('main');
		return o.displayName;
	});
}
