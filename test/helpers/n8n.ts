/**
 * Real n8n machinery inside Jest: workflows run by n8n-core's WorkflowExecute, and webhook calls
 * served the way n8n's webhook server does it (find the webhook by method and path, build a
 * WebhookContext over the real request and response, run the workflow with what the node returns).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mock } from 'jest-mock-extended';
import {
	ExecutionLifecycleHooks,
	LoadOptionsContext,
	PollContext,
	WebhookContext,
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
	type IHttpRequestMethods,
	type INode,
	type INodeExecutionData,
	type INodeType,
	type INodeTypes,
	type IRun,
	type IVersionedNodeType,
	type IWebhookDescription,
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
	const nodes: INode[] = [
		{
			id: 'n',
			name: 'N',
			type,
			typeVersion: 1,
			position: [0, 0],
			parameters: parameters as INode['parameters'],
		},
	];
	const workflow = new Workflow({
		id: 'w',
		nodes,
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

function additionalDataFor(
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

/** n8n's static data is an observable proxy: store a plain copy, as the database does. */
function plain(data: IDataObject): IDataObject {
	const copy = JSON.parse(JSON.stringify(data)) as IDataObject;
	delete copy.__dataChanged;
	return copy;
}

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

interface RegisteredWebhook {
	node: INode;
	description: IWebhookDescription;
	method: string;
	path: string;
	dynamic: boolean;
}

/**
 * A small stand-in for n8n's webhook server. Like n8n, it loads the workflow (and its static data,
 * as stored) afresh for every call and stores the static data back when the node changed it.
 */
export class WebhookHost {
	readonly executions: IRun[] = [];
	storedStaticData: IDataObject;
	private server?: Server;
	url = '';

	constructor(
		private readonly json: WorkflowJson,
		private readonly nodeTypes: INodeTypes,
		private readonly credentials: TestCredentials | CredentialStore = {},
		private readonly mode: WorkflowExecuteMode = 'webhook',
	) {
		this.storedStaticData = structuredClone(json.staticData ?? {});
	}

	/** What n8n registers on activation: every webhook of every node, paths resolved. */
	private webhooks(workflow: Workflow): RegisteredWebhook[] {
		const out: RegisteredWebhook[] = [];
		for (const node of Object.values(workflow.nodes)) {
			const type = this.nodeTypes.getByNameAndVersion(node.type, node.typeVersion);
			for (const description of type.description.webhooks ?? []) {
				const path = String(
					workflow.expression.getSimpleParameterValue(node, description.path, this.mode, {}),
				).replace(/^\/+|\/+$/g, '');
				const method = String(
					workflow.expression.getSimpleParameterValue(node, description.httpMethod, this.mode, {}),
				);
				out.push({
					node,
					description,
					method,
					path,
					dynamic: path.startsWith(':') || path.includes('/:'),
				});
			}
		}
		return out;
	}

	/** Activates the workflow: runs each webhook node's create lifecycle, as n8n does. */
	async activate(): Promise<void> {
		const workflow = buildWorkflow(
			{ ...this.json, staticData: this.storedStaticData },
			this.nodeTypes,
		);
		for (const node of Object.values(workflow.nodes)) {
			const type = this.nodeTypes.getByNameAndVersion(node.type, node.typeVersion);
			const methods = type.webhookMethods?.default;
			if (!methods) continue;
			const ctx = this.hookContext(workflow, node);
			if (!(await methods.checkExists.call(ctx))) await methods.create.call(ctx);
		}
		this.storedStaticData = plain(workflow.staticData as IDataObject);
	}

	async deactivate(): Promise<void> {
		const workflow = buildWorkflow(
			{ ...this.json, staticData: this.storedStaticData },
			this.nodeTypes,
		);
		for (const node of Object.values(workflow.nodes)) {
			const methods = this.nodeTypes.getByNameAndVersion(node.type, node.typeVersion).webhookMethods
				?.default;
			if (methods) await methods.delete.call(this.hookContext(workflow, node));
		}
	}

	private hookContext(workflow: Workflow, node: INode) {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const { HookContext } = require('n8n-core');
		const hooks = new ExecutionLifecycleHooks(this.mode, 'activation', {} as never);
		return new HookContext(
			workflow,
			node,
			additionalDataFor(hooks, this.credentials),
			this.mode,
			'activate',
		);
	}

	async start(): Promise<string> {
		this.server = createServer((req, res) => {
			this.serve(req, res).catch((e: Error) => {
				if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
				res.end(JSON.stringify({ message: e.message }));
			});
		});
		await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
		this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
		return this.url;
	}

	async stop(): Promise<void> {
		await new Promise<void>((resolve) => {
			this.server?.close(() => resolve());
			this.server?.closeAllConnections();
		});
	}

	private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		const raw = Buffer.concat(chunks);
		const url = req.url ?? '/';
		const base = url.startsWith('/webhook-test/') ? '/webhook-test/' : '/webhook/';
		if (!url.startsWith(base)) {
			res.writeHead(404).end();
			return;
		}
		const path = url.slice(base.length).split('?')[0].replace(/\/+$/, '');
		const workflow = buildWorkflow(
			{ ...this.json, staticData: this.storedStaticData },
			this.nodeTypes,
		);
		const method = req.method ?? 'GET';
		const candidates = this.webhooks(workflow).filter((w) => w.method === method);
		const segments = path.split('/');
		const found =
			candidates.find((w) => !w.dynamic && w.path === path) ??
			candidates.find((w) => {
				if (!w.dynamic || segments[0] !== w.node.webhookId) return false;
				const pattern = w.path.split('/');
				const rest = segments.slice(1);
				return (
					pattern.length === rest.length &&
					pattern.every((p, i) => p.startsWith(':') || p === rest[i])
				);
			});
		if (!found) {
			res.writeHead(404, { 'content-type': 'application/json' });
			res.end(
				JSON.stringify({
					code: 404,
					message: `The requested webhook "${method} ${path}" is not registered.`,
				}),
			);
			return;
		}
		const request = Object.assign(req, {
			rawBody: raw,
			readRawBody: async () => undefined,
			body: {},
			originalUrl: url,
			query: Object.fromEntries(new URL(url, 'http://127.0.0.1').searchParams),
			params: {},
		});
		const hooks = new ExecutionLifecycleHooks(this.mode, 'webhook', {} as never);
		const additionalData = additionalDataFor(hooks, this.credentials);
		// Set after mocking: the mock library must not walk the live request and response.
		additionalData.httpRequest = request as never;
		additionalData.httpResponse = res as never;
		const ctx = new WebhookContext(
			workflow,
			found.node,
			additionalData,
			this.mode,
			{
				httpMethod: method as IHttpRequestMethods,
				node: found.node.name,
				path: found.path,
				webhookDescription: found.description,
				workflowId: workflow.id,
				workflowExecuteAdditionalData: additionalData,
				webhookId: found.node.webhookId,
			},
			[],
			null,
		);
		const type = this.nodeTypes.getByNameAndVersion(found.node.type, found.node.typeVersion);
		const result = await type.webhook!.call(ctx);
		// n8n stores the static data when the node changed it.
		if ((workflow.staticData as IDataObject).__dataChanged) {
			this.storedStaticData = plain(workflow.staticData as IDataObject);
		}
		if (!result.noWebhookResponse && !res.headersSent) {
			res.writeHead(200, { 'content-type': 'application/json' });
			res.end(JSON.stringify(result.webhookResponse ?? { message: 'Workflow was started' }));
		}
		if (result.workflowData) {
			this.executions.push(
				await runWorkflow({
					workflow,
					startNode: found.node.name,
					startData: result.workflowData,
					credentials: this.credentials,
					mode: this.mode,
				}),
			);
		}
	}
}
