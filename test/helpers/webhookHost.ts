/**
 * Webhook calls served the way n8n's webhook server does it: find the webhook by method and path,
 * build a WebhookContext over the real request and response, run the workflow with what the node
 * returns.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ExecutionLifecycleHooks, WebhookContext } from 'n8n-core';
import type {
	IDataObject,
	IHttpRequestMethods,
	INode,
	INodeTypes,
	IRun,
	IWebhookDescription,
	Workflow,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import {
	CredentialStore,
	additionalDataFor,
	buildWorkflow,
	runWorkflow,
	type TestCredentials,
	type WorkflowJson,
} from './n8n';

/** n8n's static data is an observable proxy: store a plain copy, as the database does. */
function plain(data: IDataObject): IDataObject {
	const copy = JSON.parse(JSON.stringify(data)) as IDataObject;
	delete copy.__dataChanged;
	return copy;
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
