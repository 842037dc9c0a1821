import {
	NodeConnectionTypes,
	sleep,
	type IHookFunctions,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';
import { properties, webhooks } from './emulatorTrigger/description';
import { handleWebhook, initialiseState, stateKeyPrefix } from './emulatorTrigger/adapter';
import { forgetEmulator } from './emulatorTrigger/live';

export class ServiceNowPeEmulatorTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'ServiceNow Proactive Engagement Emulator Trigger',
		name: 'serviceNowPeEmulatorTrigger',
		icon: { light: 'file:servicenow.svg', dark: 'file:servicenow.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{"/webhook/" + $parameter["path"]}}',
		description:
			'Emulates the ServiceNow Proactive Engagement API inside n8n for local testing, and starts the workflow with each issue received',
		defaults: { name: 'ServiceNow PE Emulator' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['Accepted', 'Rejected'],
		webhooks,
		properties,
	};

	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return this.getWorkflowStaticData('node').emulatorState !== undefined;
			},
			async create(this: IHookFunctions): Promise<boolean> {
				initialiseState(this.getWorkflowStaticData('node'));
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				// The stored issues stay; the next activation starts from them.
				forgetEmulator(stateKeyPrefix(this.getWorkflow().id, this.getNode().id));
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const { answer, outputs } = await handleWebhook(this);
		const res = this.getResponseObject() as unknown as {
			writeHead(status: number, headers: Record<string, string>): void;
			end(body: string): void;
		};
		const req = this.getRequestObject() as unknown as { socket?: { destroy(): void } };
		if (answer.delayMs) await sleep(answer.delayMs);
		if (answer.drop) {
			req.socket?.destroy();
		} else {
			res.writeHead(answer.status, {
				...answer.headers,
				'content-length': String(Buffer.byteLength(answer.body)),
			});
			res.end(answer.body);
		}
		if (!outputs) return { noWebhookResponse: true };
		return { noWebhookResponse: true, workflowData: outputs };
	}
}
