/** The trigger as a thin adapter: n8n's webhook request in, the emulator core's answer out. */
import {
	NodeOperationError,
	type IDataObject,
	type INodeExecutionData,
	type IWebhookFunctions,
} from 'n8n-workflow';
import { isIssueState, type IssueState } from '../../../contract/api';
import { isErrorCode } from '../../../contract/errors';
import { text } from '../../../contract/values';
import {
	AUTH_MODES,
	defaultSeed,
	parseSeed,
	type AuthMode,
	type CreateOutcome,
	type EmulatorOptions,
	type EmulatorResponse,
	type EmulatorSnapshot,
	type FaultSpec,
} from '../../../emulator/core';
import { DEFAULT_PREFIX } from './description';
import { liveEmulator } from './live';

interface WebhookRequest {
	method?: string;
	url?: string;
	originalUrl?: string;
	headers: Record<string, string | string[] | undefined>;
	body?: unknown;
	rawBody?: Buffer;
	readRawBody?: () => Promise<void>;
}

const EMPTY_STATE: EmulatorSnapshot = {
	version: 1,
	issues: { issues: [], counter: 0 },
	tokens: { access: [], refresh: [] },
};

export function initialiseState(staticData: IDataObject): void {
	if (staticData.emulatorState === undefined) {
		staticData.emulatorState = structuredClone(EMPTY_STATE) as unknown as IDataObject;
	}
}

export function stateKeyPrefix(workflowId: string | undefined, nodeId: string): string {
	return `${workflowId ?? 'unsaved'}:${nodeId}:`;
}

function misconfigured(message: string): EmulatorResponse {
	return {
		status: 500,
		headers: { 'content-type': 'application/json;charset=UTF-8' },
		body: JSON.stringify({
			error: {
				message: 'ServiceNow Proactive Engagement Emulator Trigger is misconfigured',
				detail: message,
			},
			status: 'failure',
		}),
	};
}

function readOptions(ctx: IWebhookFunctions): { key: string; build: () => EmulatorOptions } {
	const auth = ctx.getNodeParameter('authentication', 'none') as AuthMode;
	const registry = ctx.getNodeParameter('registry', 'builtin') as string;
	const registryJson =
		registry === 'custom' ? ctx.getNodeParameter('registryJson', '{}') : undefined;
	const initialState = ctx.getNodeParameter('initialState', 'open') as IssueState;
	const rules = (ctx.getNodeParameter('forcedOutcomes.rules', []) as IDataObject[]) ?? [];
	const options = ctx.getNodeParameter('settings', {}) as IDataObject;
	const key = JSON.stringify([auth, registry, registryJson, initialState, rules, options]);
	const build = (): EmulatorOptions => {
		if (!AUTH_MODES.includes(auth))
			throw new NodeOperationError(
				ctx.getNode(),
				`Authentication must be one of ${AUTH_MODES.join(', ')}.`,
			);
		if (!isIssueState(initialState))
			throw new NodeOperationError(
				ctx.getNode(),
				'Initial State of New Issues is not a known state.',
			);
		let seed = defaultSeed();
		if (registry === 'custom') {
			let raw: unknown = registryJson;
			if (typeof raw === 'string') {
				try {
					raw = JSON.parse(raw);
				} catch (e) {
					throw new NodeOperationError(
						ctx.getNode(),
						`Registry JSON is not valid JSON: ${(e as Error).message}`,
					);
				}
			}
			try {
				seed = parseSeed(raw);
			} catch (e) {
				throw new NodeOperationError(ctx.getNode(), `Registry JSON: ${(e as Error).message}`);
			}
		}
		const faults: FaultSpec[] = rules.map((rule, i) => {
			const outcome = text(rule.outcome);
			const issueCode = text(rule.issueCode);
			const match: FaultSpec['match'] = {
				route: 'create',
				...(issueCode ? { issue_code: issueCode } : {}),
			};
			if (outcome.startsWith('status:'))
				return { match, count: 0, status: Number(outcome.slice(7)) };
			if (!isErrorCode(outcome))
				throw new NodeOperationError(
					ctx.getNode(),
					`Forced Outcomes rule ${i + 1}: choose an outcome.`,
				);
			return { match, count: 0, error: outcome };
		});
		return {
			seed,
			auth,
			initialState,
			faults,
			control: false,
			tokenTtlSeconds: Number(options.tokenTtlSeconds) || 1800,
			responseIdKey: options.responseIdKey === 'experienceId' ? 'experienceId' : 'experience_id',
		};
	};
	return { key, build };
}

/** The path of the request below the prefix, e.g. `/api/sn_pren/self_remediation/experience_issue/create`. */
export function emulatedPath(url: string, prefix: string): string {
	const [path, query] = url.split(/\?(.*)$/s, 2);
	const marker = `/${prefix}/`;
	const at = path.indexOf(marker);
	const below = at < 0 ? path : path.slice(at + marker.length - 1);
	return query ? `${below}?${query}` : below;
}

async function rawBodyOf(req: WebhookRequest): Promise<string> {
	if (!req.rawBody && typeof req.readRawBody === 'function') await req.readRawBody();
	if (req.rawBody) return req.rawBody.toString('utf8');
	// n8n consumed the stream without keeping the bytes: serialise what it parsed.
	if (typeof req.body === 'string') return req.body;
	if (req.body && typeof req.body === 'object' && Object.keys(req.body).length > 0)
		return JSON.stringify(req.body);
	return '';
}

function outputsFor(
	outcome: CreateOutcome,
	rawBody: string,
	answer: EmulatorResponse,
): INodeExecutionData[][] {
	if (outcome.kind === 'accepted') {
		const { issue } = outcome;
		const json: IDataObject = {
			experience_id: issue.experience_id,
			sys_id: issue.sys_id,
			number: issue.number,
			state: issue.state,
			chained: outcome.chained,
			issue_code: issue.issue_code,
			provider: issue.provider,
			issue_code_history: issue.issue_code_history,
			configuration_item: issue.configuration_item,
			user: outcome.user as unknown as IDataObject,
			request: outcome.body as IDataObject,
		};
		return [[{ json }], []];
	}
	const json: IDataObject = {
		errorCode: outcome.error.code,
		message: outcome.error.message,
		detail: answer.errorDetail ?? '',
		httpStatus: answer.status,
		documented: outcome.error.documented,
		request: (outcome.body as IDataObject | undefined) ?? rawBody,
	};
	return [[], [{ json }]];
}

export async function handleWebhook(
	ctx: IWebhookFunctions,
): Promise<{ answer: EmulatorResponse; outputs?: INodeExecutionData[][] }> {
	const req = ctx.getRequestObject() as unknown as WebhookRequest;
	const prefix = String(ctx.getNodeParameter('path', DEFAULT_PREFIX)).replace(/^\/+|\/+$/g, '');
	const staticData = ctx.getWorkflowStaticData('node');
	const { key: configKey, build } = readOptions(ctx);
	const mode = ctx.getMode() === 'manual' ? 'test' : 'live';
	let emulator;
	try {
		emulator = liveEmulator(
			stateKeyPrefix(ctx.getWorkflow().id, ctx.getNode().id) + mode,
			configKey,
			build,
			staticData.emulatorState as unknown as EmulatorSnapshot | undefined,
		);
	} catch (e) {
		// A configuration the trigger cannot run with is answered as a 500 that names the fix.
		if (e instanceof NodeOperationError) return { answer: misconfigured(e.message) };
		return {
			answer: misconfigured(`The stored emulator state cannot be used (${(e as Error).message}).`),
		};
	}

	const body = await rawBodyOf(req);
	let changed = false;
	const stop = emulator.onChange(() => (changed = true));
	const result = emulator.handle({
		method: req.method ?? 'GET',
		url: emulatedPath(req.originalUrl ?? req.url ?? '/', prefix),
		headers: req.headers,
		body,
	});
	stop();
	if (changed) staticData.emulatorState = emulator.snapshot() as unknown as IDataObject;
	const answer: EmulatorResponse = {
		status: result.status,
		headers: result.headers,
		body: result.body,
		delayMs: result.delayMs,
		drop: result.drop,
		errorDetail: result.errorDetail,
	};
	return { answer, outputs: result.outcome ? outputsFor(result.outcome, body, answer) : undefined };
}
