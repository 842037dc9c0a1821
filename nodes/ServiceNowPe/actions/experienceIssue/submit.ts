/**
 * Sends prepared create requests (from the Create and Chain operations) and routes every one to
 * exactly one output, in input order.
 */
import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type JsonObject,
} from 'n8n-workflow';
import { DEFAULT_NAMESPACE, TABLES, createIssuePath, type CreateIssueBody, type Namespace } from '../../../shared/api';
import { DOCUMENTED_ERRORS, type CatalogueEntry } from '../../../shared/errors';
import { serialiseBody, type PayloadProblem, type RequestFormat } from '../../../shared/payload';
import { mapWithConcurrency } from '../../concurrency';
import { classify, outputIndex, OUTPUT_NAMES, type ErrorRouting, type Outcome } from '../../routing';
import { apiRequest, type ApiResult, type Connection, type RetryPolicy } from '../../transport/request';

export interface SubmitOptions {
	requestFormat: RequestFormat;
	namespace: Namespace;
	concurrency: number;
	timeoutMs: number;
	policy: RetryPolicy;
	dryRun: boolean;
}

export function readSubmitOptions(ctx: IExecuteFunctions): SubmitOptions {
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
		dryRun: o.dryRun === true,
	};
}

/** One create request to send, or a reason it cannot be sent, tied to its input item. */
export interface Prepared {
	itemIndex: number;
	input: IDataObject;
	/** Extra fields for the output item (e.g. the alert it came from). */
	context?: IDataObject;
	body?: CreateIssueBody;
	problems?: PayloadProblem[];
	/** Known before sending: a routed error (e.g. CI not found, chain state). */
	refusal?: { entry: CatalogueEntry; message: string; detail: string; field?: string };
	/** Not sent on purpose (a resolved alert): goes to the Skipped output. */
	skipped?: string;
}

interface Routed {
	output: number;
	item: INodeExecutionData;
}

/** Reads the issue with this experience_id from the Table API (undefined when none). */
export async function findIssue(
	ctx: IExecuteFunctions,
	connection: Connection,
	query: string,
	options: SubmitOptions,
): Promise<{ found?: Record<string, string>; result: ApiResult }> {
	const result = await apiRequest(
		ctx,
		connection,
		{
			method: 'GET',
			path: `/api/now/table/${TABLES.experienceIssue}`,
			qs: { sysparm_query: query, sysparm_limit: 1 },
			format: 'json',
			timeoutMs: options.timeoutMs,
		},
		options.policy,
	);
	const rows = (result.data as { result?: Array<Record<string, string>> } | undefined)?.result;
	return { found: Array.isArray(rows) ? rows[0] : undefined, result };
}

export async function submitAll(
	ctx: IExecuteFunctions,
	connection: Connection,
	prepared: Prepared[],
	options: SubmitOptions,
	outputCount: { routing: ErrorRouting; skippedOutput: boolean },
): Promise<INodeExecutionData[][]> {
	const { routing } = outputCount;
	const names = [...OUTPUT_NAMES[routing], ...(outputCount.skippedOutput ? ['Skipped'] : [])];
	const outputs: INodeExecutionData[][] = names.map(() => []);
	const path = createIssuePath(options.namespace);

	const errorItem = (p: Prepared, outcome: Extract<Outcome, { kind: 'error' }>, extra: IDataObject): Routed => {
		const i = p.itemIndex;
		if (routing === 'single') {
			if (!ctx.continueOnFail()) {
				throw new NodeApiError(ctx.getNode(), { message: outcome.message, description: outcome.detail } as JsonObject, {
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
					error: new NodeApiError(ctx.getNode(), { message: outcome.message } as JsonObject, {
						itemIndex: i,
						message: outcome.message,
						description: outcome.detail,
					}),
					pairedItem: { item: i },
				},
			};
		}
		return {
			output: outputIndex(routing, outcome),
			item: {
				json: { outcome: 'error', errorCode: outcome.entry.code, branch: outcome.entry.output, message: outcome.message, detail: outcome.detail, ...extra },
				pairedItem: { item: i },
			},
		};
	};

	const routeOne = async (p: Prepared): Promise<Routed> => {
		const i = p.itemIndex;
		const base: IDataObject = { ...(p.context ?? {}) };
		if (p.skipped) {
			return { output: names.length - 1, item: { json: { outcome: 'skipped', reason: p.skipped, ...base, input: p.input }, pairedItem: { item: i } } };
		}
		// A known refusal names the root cause (e.g. no CI for the host), so it goes before field problems.
		if (p.refusal) {
			return errorItem(
				p,
				{ kind: 'error', entry: p.refusal.entry, message: p.refusal.message, detail: p.refusal.detail },
				{ sent: false, ...(p.refusal.field ? { field: p.refusal.field } : {}), ...base, request: (p.body ?? {}) as unknown as IDataObject, input: p.input },
			);
		}
		if (p.problems?.length) {
			const problem = p.problems[0];
			if (!ctx.continueOnFail()) {
				throw new NodeOperationError(ctx.getNode(), problem.message, {
					itemIndex: i,
					description: `Item ${i + 1} was not sent. ${p.problems.map((x) => x.message).join(' ')}`,
				});
			}
			return errorItem(
				p,
				{ kind: 'error', entry: DOCUMENTED_ERRORS[problem.code], message: problem.message, detail: `Not sent: ${p.problems.map((x) => x.field).join(', ')} missing.` },
				{ sent: false, field: problem.field, ...base, request: p.body as unknown as IDataObject, input: p.input },
			);
		}
		const body = p.body as CreateIssueBody;
		const serialised = serialiseBody(body, options.requestFormat);
		if (options.dryRun) {
			return {
				output: 0,
				item: {
					json: { outcome: 'dryRun', method: 'POST', path, format: options.requestFormat, serialisedBody: serialised, ...base, request: body as unknown as IDataObject, input: p.input },
					pairedItem: { item: i },
				},
			};
		}
		const result = await apiRequest(
			ctx,
			connection,
			{ method: 'POST', path, body: serialised, format: options.requestFormat, timeoutMs: options.timeoutMs },
			options.policy,
		);
		let outcome = classify(result);
		let recovered = false;
		// Did an attempt reach the instance and perhaps get processed? (5xx, lost answer, timeout)
		const maybeProcessed = result.earlierAttemptUncertain || result.status === 0 || result.status >= 500;
		const uncertain =
			outcome.kind === 'error' &&
			maybeProcessed &&
			(!outcome.entry.documented || outcome.entry === DOCUMENTED_ERRORS.BEING_RESOLVED || outcome.entry === DOCUMENTED_ERRORS.CHAIN_CONFLICT);
		if (uncertain && body.experience_id) {
			// With an experience_id we can tell: the instance holds it with our issue code.
			const { found } = await findIssue(ctx, connection, `experience_id=${body.experience_id}`, options);
			if (found && found.issue_code === body.issue_code && (found.state === 'open' || found.state === 'in_progress')) {
				outcome = { kind: 'created', experienceId: body.experience_id };
				recovered = true;
			}
		}
		const common: IDataObject = { httpStatus: result.status, attempts: result.attempts, sent: true, ...base, request: body as unknown as IDataObject, input: p.input };
		if (outcome.kind === 'created') {
			return {
				output: 0,
				item: { json: { outcome: 'created', experience_id: outcome.experienceId, ...(recovered ? { recoveredAfterRetry: true } : {}), ...common }, pairedItem: { item: i } },
			};
		}
		return errorItem(p, uncertain ? { ...outcome, detail: `${outcome.detail} An attempt of this request may have reached the instance and created the issue.` } : outcome, {
			...common,
			...(uncertain ? { mayHaveBeenCreated: true } : {}),
			...(outcome.entry.documented ? {} : { response: result.rawText }),
		});
	};

	const routed = await mapWithConcurrency(prepared, options.concurrency, (p) => routeOne(p));
	for (const r of routed) outputs[r.output].push(r.item);
	return outputs;
}
