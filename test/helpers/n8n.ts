/**
 * Real n8n machinery inside Jest: workflows run by n8n-core's WorkflowExecute, the contexts n8n
 * gives a node's list search and a polling trigger, credentials as n8n's CredentialsHelper serves
 * them. Webhook calls: webhookHost.ts.
 */
import { mock } from 'jest-mock-extended';
import {
	ExecutionLifecycleHooks,
	LoadOptionsContext,
	PollContext,
	WorkflowExecute,
} from 'n8n-core';
import {
	NodeHelpers,
	Workflow,
	createRunExecutionData,
	type ICredentialDataDecryptedObject,
	type ICredentialsHelper,
	type ICredentialType,
	type IHttpRequestOptions,
	type IConnections,
	type IDataObject,
	type INode,
	type INodeExecutionData,
	type INodeType,
	type INodeTypes,
	type IRun,
	type IVersionedNodeType,
	type IWorkflowExecuteAdditionalData,
	type WorkflowExecuteMode,
} from 'n8n-workflow';

export function nodeTypesOf(types: Record<string, INodeType | IVersionedNodeType>): INodeTypes {
	return {
		getByName: (name) => types[name],
		getByNameAndVersion: (name, version) => NodeHelpers.getVersionedNodeType(types[name], version),
		getKnownTypes: () => ({}),
	};
}

/** A node of a workflow at version 1, named `name` (its id too unless `extra` says otherwise). */
export function workflowNode(
	type: string,
	name: string,
	parameters: Record<string, unknown> = {},
	extra: Partial<INode> = {},
): INode {
	return {
		id: name,
		name,
		type,
		typeVersion: 1,
		position: [0, 0],
		parameters: parameters as INode['parameters'],
		...extra,
	};
}

/**
 * What n8n makes of an expression of a node's description (its outputs, a webhook's path) for a
 * node of that type with these parameters, defaults filled in: as the editor and the engine do.
 */
export function descriptionValueInN8n(
	type: string,
	nodeType: INodeType | IVersionedNodeType,
	expression: string,
	parameters: Record<string, unknown> = {},
): unknown {
	const workflow = new Workflow({
		id: 'w',
		nodes: [workflowNode(type, 'N', parameters)],
		connections: {},
		active: false,
		nodeTypes: nodeTypesOf({ [type]: nodeType }),
	});
	return workflow.expression.getSimpleParameterValue(workflow.nodes.N, expression, 'internal', {});
}

export interface WorkflowJson {
	id?: string;
	nodes: INode[];
	connections: IConnections;
	staticData?: IDataObject;
}

export type TestCredentials = Record<string, ICredentialDataDecryptedObject>;

/**
 * Credentials as n8n's CredentialsHelper serves them: decrypted data from a store, the type's own
 * `authenticate`, and `preAuthentication` run when the expirable field is empty or a request
 * answered 401, with the result written back to the store (as n8n saves it).
 */
export class CredentialStore {
	readonly data: TestCredentials;
	readonly types: Record<string, ICredentialType>;
	preAuthenticationCalls = 0;

	constructor(data: TestCredentials, types: ICredentialType[] = []) {
		this.data = structuredClone(data);
		this.types = Object.fromEntries(types.map((t) => [t.name, t]));
	}

	helper(): ICredentialsHelper {
		// eslint-disable-next-line @typescript-eslint/no-this-alias
		const store = this;
		return mock<ICredentialsHelper>({
			getDecrypted: async (_data, _nodeCredentials, type) => {
				const found = store.data[type];
				if (!found) throw new Error(`No test credentials of type ${type}`);
				return structuredClone(found);
			},
			getParentTypes: (type: string) => store.types[type]?.extends ?? [],
			isCredentialUsableByNode: () => true,
			getCredentialsProperties: (type: string) => store.types[type]?.properties ?? [],
			authenticate: async (credentials, type, requestOptions) => {
				const authenticate = store.types[type as string]?.authenticate;
				if (typeof authenticate === 'function')
					return authenticate(credentials, requestOptions as IHttpRequestOptions);
				return requestOptions as IHttpRequestOptions;
			},
			preAuthentication: async (helpers, credentials, type, _node, expired) => {
				const credentialType = store.types[type];
				const expirable = credentialType?.properties.find(
					(p) => p.type === 'hidden' && p.typeOptions?.expirable,
				);
				if (!credentialType?.preAuthentication || !expirable) return undefined;
				if (credentials[expirable.name] !== '' && !expired) return undefined;
				store.preAuthenticationCalls++;
				const output = await credentialType.preAuthentication.call(helpers as never, credentials);
				if (output[expirable.name] === undefined) return undefined;
				store.data[type] = { ...store.data[type], ...output } as ICredentialDataDecryptedObject;
				return Object.assign(credentials, output);
			},
			updateCredentials: async () => undefined,
			updateCredentialsOauthTokenData: async (_nodeCredentials, type, data) => {
				store.data[type] = { ...store.data[type], ...(data as ICredentialDataDecryptedObject) };
			},
		});
	}
}

export function additionalDataFor(
	hooks: ExecutionLifecycleHooks,
	credentials: TestCredentials | CredentialStore,
	extra: Partial<IWorkflowExecuteAdditionalData> = {},
): IWorkflowExecuteAdditionalData {
	const store =
		credentials instanceof CredentialStore ? credentials : new CredentialStore(credentials);
	return (mock as any)({
		hooks,
		executionId: hooks.executionId,
		credentialsHelper: store.helper(),
		currentNodeParameters: undefined,
		encryptedRunnerIdentity: undefined,
		ssrfBridge: undefined,
		restApiUrl: 'http://127.0.0.1:5678/rest',
		webhookBaseUrl: 'http://127.0.0.1:5678/webhook',
		webhookTestBaseUrl: 'http://127.0.0.1:5678/webhook-test',
		webhookWaitingBaseUrl: 'http://127.0.0.1:5678/webhook-waiting',
		formWaitingBaseUrl: 'http://127.0.0.1:5678/form-waiting',
		variables: {},
		...extra,
	}) as IWorkflowExecuteAdditionalData;
}

let executionCounter = 0;

/** Runs a workflow from `startNode`, fed `startData` on its main outputs, to completion. */
export async function runWorkflow(options: {
	workflow: Workflow;
	startNode: string;
	startData: INodeExecutionData[][];
	credentials?: TestCredentials | CredentialStore;
	mode?: WorkflowExecuteMode;
}): Promise<IRun> {
	const { workflow, startNode, startData, credentials = {}, mode = 'manual' } = options;
	const executionId = String(++executionCounter);
	const hooks = new ExecutionLifecycleHooks(mode, executionId, {
		id: workflow.id,
		name: 'test',
		nodes: Object.values(workflow.nodes),
		connections: workflow.connectionsBySourceNode,
		active: false,
		activeVersionId: null,
		isArchived: false,
		createdAt: new Date(),
		updatedAt: new Date(),
	} as never);
	const done = new Promise<IRun>((resolve) =>
		hooks.addHandler('workflowExecuteAfter', (run) => resolve(run)),
	);
	const additionalData = additionalDataFor(hooks, credentials);
	const node = workflow.getNode(startNode);
	if (!node) throw new Error(`No node named ${startNode}`);
	const runExecutionData = createRunExecutionData({
		executionData: { nodeExecutionStack: [{ node, data: { main: startData }, source: null }] },
	});
	await new WorkflowExecute(additionalData, mode, runExecutionData).processRunExecutionData(
		workflow,
	);
	return done;
}

/** The context n8n gives a node's list search (a picker's "From List"). */
export function loadOptionsContext(
	workflow: Workflow,
	nodeName: string,
	credentials: TestCredentials | CredentialStore,
): LoadOptionsContext {
	const node = workflow.getNode(nodeName);
	if (!node) throw new Error(`No node named ${nodeName}`);
	const hooks = new ExecutionLifecycleHooks('internal', 'load-options', {} as never);
	return new LoadOptionsContext(
		workflow,
		node,
		additionalDataFor(hooks, credentials),
		'parameters',
	);
}

/**
 * The context n8n gives a polling trigger: `mode` 'trigger' for a scheduled poll (activation
 * 'activate' for the first one), 'manual' for "Fetch Test Event". Static data is the workflow's.
 */
export function pollContext(
	workflow: Workflow,
	nodeName: string,
	credentials: TestCredentials | CredentialStore,
	mode: 'trigger' | 'manual' = 'trigger',
	activation: 'activate' | 'init' | 'update' | 'manual' = 'init',
): PollContext {
	const node = workflow.getNode(nodeName);
	if (!node) throw new Error(`No node named ${nodeName}`);
	const hooks = new ExecutionLifecycleHooks(mode, 'poll', {} as never);
	return new PollContext(workflow, node, additionalDataFor(hooks, credentials), mode, activation);
}

/** Output k of a node's first run. */
export function outputOf(run: IRun, nodeName: string, k = 0): INodeExecutionData[] {
	const task = run.data.resultData.runData[nodeName]?.[0];
	if (!task)
		throw new Error(
			`${nodeName} did not run: ${JSON.stringify(run.data.resultData.error ?? null)}`,
		);
	return task.data?.main?.[k] ?? [];
}

export function buildWorkflow(json: WorkflowJson, nodeTypes: INodeTypes): Workflow {
	return new Workflow({
		id: json.id ?? 'wf-test',
		// A fresh copy each time, as n8n loads a workflow from its database.
		nodes: JSON.parse(JSON.stringify(json.nodes)),
		connections: json.connections,
		active: true,
		nodeTypes,
		staticData: json.staticData ? structuredClone(json.staticData) : {},
	});
}
