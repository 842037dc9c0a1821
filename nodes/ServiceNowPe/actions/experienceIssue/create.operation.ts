import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
	type JsonObject,
} from 'n8n-workflow';
import { DEFAULT_NAMESPACE, TABLES, createIssuePath, type Namespace } from '../../../shared/api';
import { DOCUMENTED_ERRORS } from '../../../shared/errors';
import { buildCreateIssueBody, serialiseBody, type RequestFormat } from '../../../shared/payload';
import { manualFields } from '../../payload/manual';
import { classify, outputIndex, OUTPUT_NAMES, type ErrorRouting, type Outcome } from '../../routing';
import {
	apiRequest,
	connectionFor,
	type ApiResult,
	type Connection,
	type CredentialType,
	type RetryPolicy,
} from '../../transport/request';
import { mapWithConcurrency } from '../../concurrency';

const show = { resource: ['experienceIssue'], operation: ['create'] };

const keyValueCollection = (displayName: string, name: string, description: string): INodeProperties => ({
	displayName,
	name,
	type: 'fixedCollection',
	typeOptions: { multipleValues: true },
	placeholder: 'Add Field',
	default: {},
	displayOptions: { show },
	description,
	options: [
		{
			displayName: 'Field',
			name: 'values',
			values: [
				{ displayName: 'Key', name: 'key', type: 'string', default: '' },
				{ displayName: 'Value', name: 'value', type: 'string', default: '' },
			],
		},
	],
});

export const description: INodeProperties[] = [
	{
		displayName: 'Endpoint CI',
		name: 'endpointCi',
		type: 'string',
		default: '',
		displayOptions: { show },
		description:
			'Sys_id of the device (cmdb_ci_computer) the issue was detected on. Set at least one of the four endpoint fields.',
	},
	{
		displayName: 'Endpoint Email',
		name: 'endpointEmail',
		type: 'string',
		placeholder: 'name@email.com',
		default: '',
		displayOptions: { show },
		description: 'Email address of the user the issue was detected for',
	},
	{
		displayName: 'Endpoint User ID',
		name: 'endpointUserId',
		type: 'string',
		default: '',
		displayOptions: { show },
		description: 'Sys_id of the user (sys_user) the issue was detected for',
	},
	{
		displayName: 'Endpoint User Name',
		name: 'endpointUserName',
		type: 'string',
		default: '',
		displayOptions: { show },
		description: 'User name (sys_user.user_name) of the user, e.g. abel.tuter',
	},
	{
		displayName: 'Issue Code',
		name: 'issueCode',
		type: 'string',
		default: '',
		required: true,
		displayOptions: { show },
		description: 'Issue code registered and deployed in the Issue Registry (sn_pren_issue_registry), e.g. 100',
	},
	{
		displayName: 'Provider',
		name: 'provider',
		type: 'string',
		default: 'sn',
		required: true,
		displayOptions: { show },
		description: 'Provider_code of the provider (sn_pren_provider)',
	},
	{
		displayName: 'Experience ID',
		name: 'experienceId',
		type: 'string',
		default: '',
		displayOptions: { show },
		description:
			'Your own ID for the issue (empty: the instance uses the new record\'s sys_id). An existing ID whose issue waits in action_wait chains the new issue code onto it.',
	},
	{
		displayName: 'Process ID',
		name: 'processId',
		type: 'string',
		default: '',
		displayOptions: { show },
		description: 'Input parameter process_id: the process the resolution should terminate or restart',
	},
	keyValueCollection('Additional Input Parameters', 'additionalInputParameters', 'More input_parameters for the remedial action'),
	{
		displayName: 'CPU Usage',
		name: 'cpuUsage',
		type: 'string',
		default: '',
		displayOptions: { show },
		description: 'Investigative detail cpu_usage, e.g. 78%',
	},
	{
		displayName: 'Processes Running',
		name: 'processesRunning',
		type: 'string',
		default: '',
		displayOptions: { show },
		description: 'Investigative detail processes_running',
	},
	{
		displayName: 'Available Memory',
		name: 'availableMemory',
		type: 'string',
		default: '',
		displayOptions: { show },
		description: 'Investigative detail available_memory, e.g. 23%',
	},
	keyValueCollection(
		'Additional Investigative Details',
		'additionalInvestigativeDetails',
		'More investigative_details, copied to the fallback incident',
	),
];

export interface CreateOptions {
	requestFormat: RequestFormat;
	namespace: Namespace;
	concurrency: number;
	timeoutMs: number;
	policy: RetryPolicy;
}

export function readCreateOptions(ctx: IExecuteFunctions): CreateOptions {
	const o = ctx.getNodeParameter('options', 0, {}) as IDataObject;
	const int = (v: unknown, fallback: number, min: number, max: number) => {
		const n = Number(v ?? fallback);
		return Number.isFinite(n) ? Math.min(max, Math.max(min, Math.floor(n))) : fallback;
	};
	return {
		requestFormat: o.requestFormat === 'xml' ? 'xml' : 'json',
		namespace: o.namespace === 'sn_srf' ? 'sn_srf' : DEFAULT_NAMESPACE,
		concurrency: int(o.concurrency, 4, 1, 64),
		timeoutMs: int(o.timeoutSeconds, 30, 1, 600) * 1000,
		policy: {
			maxAttempts: int(o.maxAttempts, 3, 1, 10),
			maxWaitSeconds: int(o.maxRetryWaitSeconds, 30, 0, 3600),
			baseDelayMs: int(o.retryBaseDelayMs, 500, 0, 60_000),
		},
	};
}

interface ItemResult {
	output: number;
	item: INodeExecutionData;
}

/**
 * After an attempt that may have been processed, a "being resolved" or "chain conflict" answer
 * can be our own issue. With an experience_id we can tell: the instance holds it with our code.
 */
async function recoverOwnIssue(
	ctx: IExecuteFunctions,
	connection: Connection,
	body: { experience_id?: string; issue_code: string },
	options: CreateOptions,
): Promise<boolean> {
	if (!body.experience_id) return false;
	const found = await apiRequest(
		ctx,
		connection,
		{
			method: 'GET',
			path: `/api/now/table/${TABLES.experienceIssue}`,
			qs: { sysparm_query: `experience_id=${body.experience_id}`, sysparm_fields: 'issue_code,state', sysparm_limit: 1 },
			format: 'json',
			timeoutMs: options.timeoutMs,
		},
		options.policy,
	);
	const rows = (found.data as { result?: Array<{ issue_code?: string; state?: string }> } | undefined)?.result;
	const row = Array.isArray(rows) ? rows[0] : undefined;
	return !!row && row.issue_code === body.issue_code && (row.state === 'open' || row.state === 'in_progress');
}

export async function execute(this: IExecuteFunctions, credentialType: CredentialType): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const routing = this.getNodeParameter('errorRouting', 0, 'perError') as ErrorRouting;
	const options = readCreateOptions(this);
	let connection: Connection;
	try {
		connection = await connectionFor(this, credentialType);
	} catch (e) {
		throw new NodeOperationError(this.getNode(), (e as Error).message, {
			description: 'Fix the Instance URL in the ServiceNow Proactive Engagement credential.',
		});
	}
	const outputs: INodeExecutionData[][] = OUTPUT_NAMES[routing].map(() => []);
	const path = createIssuePath(options.namespace);

	const errorItem = (
		i: number,
		outcome: Extract<Outcome, { kind: 'error' }>,
		extra: IDataObject,
	): ItemResult => {
		if (routing === 'single') {
			if (!this.continueOnFail()) {
				throw new NodeApiError(this.getNode(), { message: outcome.message, description: outcome.detail } as JsonObject, {
					itemIndex: i,
					message: `ServiceNow refused the experience issue: ${outcome.message}`,
					description: `${outcome.detail ? `${outcome.detail} ` : ''}(error code ${outcome.entry.code}${extra.httpStatus ? `, HTTP ${String(extra.httpStatus)}` : ''})`,
					httpCode: extra.httpStatus ? String(extra.httpStatus) : undefined,
				});
			}
			// `error` on the item is what n8n's "continue (using error output)" moves to the error output.
			return {
				output: 0,
				item: {
					json: { error: outcome.message, errorCode: outcome.entry.code, detail: outcome.detail, ...extra },
					error: new NodeApiError(this.getNode(), { message: outcome.message } as JsonObject, {
						itemIndex: i,
						message: outcome.message,
						description: outcome.detail,
					}),
					pairedItem: { item: i },
				},
			};
		}
		const json: IDataObject = {
			outcome: 'error',
			errorCode: outcome.entry.code,
			branch: outcome.entry.output,
			message: outcome.message,
			detail: outcome.detail,
			...extra,
		};
		return { output: outputIndex(routing, outcome), item: { json, pairedItem: { item: i } } };
	};

	const results = await mapWithConcurrency(items, options.concurrency, async (item, i): Promise<ItemResult> => {
		const { body, problems } = buildCreateIssueBody(manualFields(this, i));
		const input = item.json;
		if (problems.length > 0) {
			const problem = problems[0];
			if (!this.continueOnFail()) {
				throw new NodeOperationError(this.getNode(), problem.message, {
					itemIndex: i,
					description: `Item ${i + 1} was not sent. ${problems.map((p) => p.message).join(' ')}`,
				});
			}
			const entry = DOCUMENTED_ERRORS[problem.code];
			return errorItem(i, { kind: 'error', entry, message: problem.message, detail: `Not sent: ${problems.map((p) => p.field).join(', ')} missing.` }, {
				sent: false,
				field: problem.field,
				request: body as unknown as IDataObject,
				input,
			});
		}
		const result: ApiResult = await apiRequest(
			this,
			connection,
			{ method: 'POST', path, body: serialiseBody(body, options.requestFormat), format: options.requestFormat, timeoutMs: options.timeoutMs },
			options.policy,
		);
		let outcome = classify(result);
		let recovered = false;
		if (
			outcome.kind === 'error' &&
			result.earlierAttemptUncertain &&
			(outcome.entry === DOCUMENTED_ERRORS.BEING_RESOLVED || outcome.entry === DOCUMENTED_ERRORS.CHAIN_CONFLICT) &&
			(await recoverOwnIssue(this, connection, body, options))
		) {
			outcome = { kind: 'created', experienceId: body.experience_id as string };
			recovered = true;
		}
		const common: IDataObject = {
			httpStatus: result.status,
			attempts: result.attempts,
			sent: true,
			request: body as unknown as IDataObject,
			input,
		};
		if (outcome.kind === 'created') {
			return {
				output: 0,
				item: {
					json: {
						outcome: 'created',
						experience_id: outcome.experienceId,
						...(recovered ? { recoveredAfterRetry: true } : {}),
						...common,
					},
					pairedItem: { item: i },
				},
			};
		}
		const uncertain =
			result.earlierAttemptUncertain &&
			(outcome.entry === DOCUMENTED_ERRORS.BEING_RESOLVED || outcome.entry === DOCUMENTED_ERRORS.CHAIN_CONFLICT);
		return errorItem(
			i,
			uncertain
				? { ...outcome, detail: `${outcome.detail} An earlier attempt of this request may have created the issue.` }
				: outcome,
			{
				...common,
				...(uncertain ? { mayHaveBeenCreatedByEarlierAttempt: true } : {}),
				...(outcome.entry.documented ? {} : { response: result.rawText }),
			},
		);
	});
	for (const r of results) outputs[r.output].push(r.item);
	return outputs;
}
