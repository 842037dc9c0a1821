/**
 * The node's execution and its outputs. The operation prepares one create request per item (read
 * parameters → build → validate), then each goes send → classify → route, every item to exactly
 * one output, in input order (Get reads on its own). One table names the outputs of each operation
 * and Error Routing mode: n8n evaluates the `outputs` expression made from it (as for the Switch
 * node), and a run routes with the same table.
 */
import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type JsonObject,
} from 'n8n-workflow';
import { createIssuePath, type CreateIssueBody, type IssueRow } from '../../../contract/api';
import { serialiseBody } from '../../../contract/body';
import { BRANCH_ORDER, DOCUMENTED_ERRORS, type CatalogueEntry, type ErrorGroup } from '../../../contract/errors';
import { readOptions } from '../parameters';
import { classify, connectionFor, sendCreate, type Connection, type Outcome } from '../transport/request';
import { findOwnIssue, type RecoveryScope } from '../transport/tableApi';
import { operations } from './experienceIssue/ExperienceIssue.resource';
import type { OperationOutputs, Prepared, SendOptions } from './interfaces';

export type ErrorRouting = 'perError' | 'grouped' | 'single';

const GROUPS: Array<[ErrorGroup, string]> = [
	['alreadyBeingResolved', 'Already Being Resolved'],
	['fixInput', 'Fix Input'],
	['failed', 'Failed'],
];

export const OUTPUT_TABLE = {
	/** Outputs of the operations that send create requests, per Error Routing mode. */
	routing: {
		perError: ['Created', ...BRANCH_ORDER.map((e) => e.output), 'Other'],
		grouped: ['Created', ...GROUPS.map(([, name]) => name)],
		single: ['Created'],
	} satisfies Record<ErrorRouting, string[]>,
	/** Each operation's own outputs. */
	operations: Object.fromEntries(Object.entries(operations).map(([name, op]) => [name, op.outputs])) as Record<string, OperationOutputs>,
};

/**
 * Output names for the node's parameters. Self-contained (n8n evaluates its source text in an
 * expression), plain ES2015 syntax.
 */
export function outputNames(table: typeof OUTPUT_TABLE, p: Record<string, unknown>): string[] {
	const op = table.operations[String(p.operation || 'create')] || {};
	if (op.names) return op.names;
	let names = table.routing[(p.errorRouting || 'perError') as ErrorRouting] || table.routing.perError;
	if (op.success) names = [op.success[0]].concat(names.slice(1));
	const rule = op.skippedUnless;
	return rule && (p[rule[0]] || rule[1]) !== rule[1] ? names.concat(['Skipped']) : names;
}

/** `}}` would end n8n's expression early: nested objects and blocks get a space between braces. */
const source = `(${outputNames.toString()})(${JSON.stringify(OUTPUT_TABLE)}, $parameter).map((name) => ({ type: "main", displayName: name }))`;
export const OUTPUTS_EXPRESSION: `={{${string}}}` = `={{${source.replace(/\}(?=\})/g, '} ')}}}`;

/** Output index of an error in the chosen routing mode (single: only Created, index 0). */
export function errorOutput(routing: ErrorRouting, entry: CatalogueEntry): number {
	if (routing === 'perError') {
		const at = BRANCH_ORDER.indexOf(entry);
		return at >= 0 ? at + 1 : BRANCH_ORDER.length + 1;
	}
	if (routing === 'grouped') {
		const group = entry.documented ? entry.group : 'failed';
		return GROUPS.findIndex(([g]) => g === group) + 1;
	}
	return 0;
}

type ErrorOutcome = Extract<Outcome, { kind: 'error' }>;

interface Routed {
	output: number;
	item: INodeExecutionData;
}

interface Done {
	routed: Routed;
	/** What became of the request: undefined when it was not sent. */
	outcome?: Outcome | { kind: 'dryRun' };
}

/** Runs `fn` over items with at most `limit` in flight; results keep the items' order. */
async function mapWithConcurrency<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
	const results = new Array<R>(items.length);
	let next = 0;
	const worker = async () => {
		while (next < items.length) {
			const index = next++;
			results[index] = await fn(items[index]);
		}
	};
	await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
	return results;
}

class ItemRouter {
	constructor(
		private readonly ctx: IExecuteFunctions,
		private readonly connection: Connection,
		private readonly options: SendOptions,
		private readonly routing: ErrorRouting,
		private readonly skippedOutput: number,
		/** The items' `outcome` when the request succeeds: created, or chained. */
		private readonly success: string,
	) {}

	private error(p: Prepared, outcome: ErrorOutcome, extra: IDataObject): Routed {
		const { ctx } = this;
		const i = p.itemIndex;
		if (this.routing !== 'single') {
			return {
				output: errorOutput(this.routing, outcome.entry),
				item: {
					json: { outcome: 'error', errorCode: outcome.entry.code, branch: outcome.entry.output, message: outcome.message, detail: outcome.detail, nextStep: outcome.entry.nextStep, ...extra },
					pairedItem: { item: i },
				},
			};
		}
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
				json: { error: outcome.message, errorCode: outcome.entry.code, detail: outcome.detail, nextStep: outcome.entry.nextStep, ...extra },
				error: new NodeApiError(ctx.getNode(), { message: outcome.message } as JsonObject, { itemIndex: i, message: outcome.message, description: outcome.detail }),
				pairedItem: { item: i },
			},
		};
	}

	/** Items that are not sent: skipped on purpose, refused before sending, or missing a field. */
	private unsent(p: Prepared, base: IDataObject): Routed | undefined {
		const i = p.itemIndex;
		if (p.skipped) {
			return { output: this.skippedOutput, item: { json: { outcome: 'skipped', reason: p.skipped, ...base, input: p.input }, pairedItem: { item: i } } };
		}
		// A known refusal names the root cause (e.g. no CI for the host), so it goes before field problems.
		if (p.refusal) {
			const { entry, message, detail, field } = p.refusal;
			return this.error(p, { kind: 'error', entry, message, detail }, { sent: false, ...(field ? { field } : {}), ...base, request: (p.body ?? {}) as unknown as IDataObject, input: p.input });
		}
		if (!p.problems?.length) return undefined;
		const problem = p.problems[0];
		return this.error(
			p,
			{ kind: 'error', entry: DOCUMENTED_ERRORS[problem.code], message: problem.message, detail: `Not sent: ${p.problems.map((x) => x.field).join(', ')} missing.` },
			{ sent: false, field: problem.field, ...base, request: p.body as unknown as IDataObject, input: p.input },
		);
	}

	/** Each request's result and what the instance answered it, for requests of the same issue. */
	private readonly done = new Map<Prepared, Promise<Done>>();
	/** Requests for the same issue (same user and code, or chains onto one experience_id) go one after another. */
	private readonly lanes = new Map<string, Promise<unknown>>();
	/** experience_ids the instance gave items of this execution: a recovery never claims another item's issue. */
	private readonly claimed = new Set<string>();

	route(p: Prepared): Promise<Routed> {
		let done: Promise<Done>;
		if (p.sameIssueAs) done = this.repeat(p, p.sameIssueAs);
		else {
			// Sent one after another, a lost answer's recovery cannot take the next request's issue
			// for its own, nor chain twice.
			const lane = laneOf(p);
			const before = lane ? this.lanes.get(lane) : undefined;
			done = before ? before.then(() => this.send(p)) : this.send(p);
			if (lane) this.lanes.set(lane, done.catch(() => undefined));
		}
		this.done.set(p, done);
		return done.then((d) => d.routed);
	}

	/** A request for the same issue as an earlier one of its item: not sent, it ends where that one did. */
	private async repeat(p: Prepared, first: Prepared): Promise<Done> {
		const { outcome } = await (this.done.get(first) as Promise<Done>);
		const alertName = (q: Prepared) => String((q.context?.alert as IDataObject | undefined)?.name ?? `item ${q.itemIndex + 1}`);
		const extra: IDataObject = { sent: false, sameIssueAs: first.context?.alert ?? null, ...(p.context ?? {}), request: (p.body ?? {}) as unknown as IDataObject, input: p.input };
		if (outcome?.kind === 'error') {
			const detail = `Not sent: the same user and issue code as alert "${alertName(first)}" of this notification, which got this answer.`;
			return { routed: this.error(p, { ...outcome, detail }, extra), outcome };
		}
		const message = `Alert "${alertName(p)}" is for the same user and issue code as alert "${alertName(first)}" of this notification: one issue covers both.`;
		const detail = outcome?.kind === 'created' ? `Not sent: that alert's issue ${outcome.experienceId} is being resolved.` : 'Not sent: that alert would create the issue.';
		if (outcome?.kind === 'created') extra.experience_id = outcome.experienceId;
		if (this.routing === 'single') {
			// Single Output: no refusal happened, so nothing fails: the alert is covered by the created issue.
			const json = { outcome: outcome?.kind === 'dryRun' ? 'dryRun' : this.success, message, detail, ...extra };
			return { routed: { output: 0, item: { json, pairedItem: { item: p.itemIndex } } }, outcome };
		}
		return { routed: this.error(p, { kind: 'error', entry: DOCUMENTED_ERRORS.BEING_RESOLVED, message, detail }, extra), outcome };
	}

	private async send(p: Prepared): Promise<Done> {
		const i = p.itemIndex;
		const base: IDataObject = { ...(p.context ?? {}) };
		const unsent = this.unsent(p, base);
		if (unsent) return { routed: unsent };
		const body = p.body as CreateIssueBody;
		const { options } = this;
		const serialised = serialiseBody(body, options.requestFormat);
		const path = createIssuePath(options.namespace);
		const request = body as unknown as IDataObject;
		if (options.dryRun) {
			const json = { outcome: 'dryRun', method: 'POST', path, format: options.requestFormat, serialisedBody: serialised, ...base, request, input: p.input };
			return { routed: { output: 0, item: { json, pairedItem: { item: i } } }, outcome: { kind: 'dryRun' } };
		}
		// Before any resend, look for what an uncertain attempt may have made: found, it is ours and
		// nothing is resent; unprovable with an experience_id, nothing is resent either (it could chain
		// onto the issue the attempt made).
		const scope: RecoveryScope = { since: Date.now(), chainBase: p.chainBase, claimed: this.claimed };
		let recovered: IssueRow | undefined;
		let unprovable = false;
		const lookUp = async (): Promise<'stop' | 'retry'> => {
			const found = await findOwnIssue(this.ctx, this.connection, body, scope, options);
			if (found === 'absent') return 'retry';
			if (found === 'unknown') {
				unprovable = true;
				return body.experience_id ? 'stop' : 'retry';
			}
			recovered = found.row;
			return 'stop';
		};
		const result = await sendCreate(this.ctx, this.connection, path, serialised, options, lookUp);
		let outcome = classify(result);
		// After an uncertain attempt, a refusal (being resolved, chain conflict) or an answer the
		// document does not list may be the earlier attempt's own issue: look once more.
		if (result.earlierAttemptUncertain && !recovered && outcome.kind === 'error' && !unprovable) {
			const doubtful = !outcome.entry.documented || outcome.entry === DOCUMENTED_ERRORS.BEING_RESOLVED || outcome.entry === DOCUMENTED_ERRORS.CHAIN_CONFLICT;
			if (doubtful) await lookUp();
		}
		if (recovered) outcome = { kind: 'created', experienceId: recovered.experience_id };
		else if (result.earlierAttemptUncertain && outcome.kind === 'created' && !unprovable) {
			// An attempt that timed out may have been processed after the look-up: then two issues fit.
			const again = await findOwnIssue(this.ctx, this.connection, body, scope, options);
			if (again === 'unknown' || (again !== 'absent' && again.row.experience_id !== outcome.experienceId)) unprovable = true;
		}
		// Flagged when nothing could be proven, or when the last attempt itself may still be processed.
		const uncertain = !recovered && ((result.earlierAttemptUncertain && unprovable) || (outcome.kind === 'error' && mayStillBeProcessed(result)));
		if (outcome.kind === 'created') this.claimed.add(outcome.experienceId);
		const common: IDataObject = {
			httpStatus: recovered ? 200 : result.status,
			attempts: result.attempts,
			sent: true,
			...(uncertain ? { mayHaveBeenCreated: true } : {}),
			...base,
			request,
			input: p.input,
		};
		if (outcome.kind === 'created') {
			// mayHaveBeenCreated on a created item: an earlier attempt may have made another issue.
			const json = { outcome: this.success, experience_id: outcome.experienceId, ...(recovered ? { recoveredAfterRetry: true } : {}), ...common };
			return { routed: { output: 0, item: { json, pairedItem: { item: i } } }, outcome };
		}
		const reported = uncertain ? { ...outcome, detail: `${outcome.detail} An attempt of this request may have reached the instance and created the issue.` } : outcome;
		const routed = this.error(p, reported, { ...common, ...(outcome.entry.documented ? {} : { response: result.rawText }) });
		return { routed, outcome: reported };
	}
}

/** Requests of one issue share a lane: chains by experience_id, creates by issue code, provider and endpoint. */
function laneOf(p: Prepared): string | undefined {
	const body = p.body;
	if (!body || p.refusal || p.problems?.length) return undefined;
	return body.experience_id ? `chain ${body.experience_id}` : `create ${JSON.stringify([body.issue_code, body.provider, body.endpoint])}`;
}

/** A last answer that does not say the request was refused before it was processed (lost, timed out, 5xx). */
function mayStillBeProcessed(result: { status: number }): boolean {
	return result.status === 0 || result.status >= 500;
}

/** An outcome as an AI agent reads it: what happened (the branch it would take) and what to do next. */
function forAgent(item: INodeExecutionData, output: string): INodeExecutionData {
	const json: IDataObject = { ...item.json, branch: item.json.branch ?? output };
	const id = json.experience_id ? String(json.experience_id) : '';
	if (json.outcome === 'created' || json.outcome === 'chained') {
		json.message ??= `Experience issue ${id} ${String(json.outcome)}: ServiceNow now engages the user to resolve it.`;
		json.nextStep ??= `Nothing more to send for it now. Read its state with Get (experience_id ${id}); when it reaches action_wait, chain the next issue code with Chain.`;
	} else if (json.outcome === 'skipped') {
		json.message ??= `Not sent: ${String(json.reason)}`;
		json.nextStep ??= 'Nothing to do: nothing was sent for this alert.';
	} else if (json.outcome === 'dryRun') {
		json.message ??= 'Dry Run is on: the request was built and checked, not sent.';
		json.nextStep ??= 'Turn Dry Run off to send it.';
	}
	return { ...item, json };
}

/**
 * The node fails only before anything is sent. Mapped fields an item lacks are a configuration
 * error (unless the node continues on error); so is any refusal when Error Routing is Single Output.
 * Alerts that cannot be sent go to their branches instead.
 */
function failBeforeSending(ctx: IExecuteFunctions, prepared: Prepared[], routing: ErrorRouting): void {
	if (ctx.continueOnFail()) return;
	for (const p of prepared) {
		if (p.skipped) continue;
		const problem = p.problems?.[0];
		// A known refusal names the root cause, so it goes before field problems (as when routed).
		if (problem && !p.refusal && (!p.fromAlert || routing === 'single')) {
			throw new NodeOperationError(ctx.getNode(), problem.message, {
				itemIndex: p.itemIndex,
				description: `Item ${p.itemIndex + 1} cannot be sent; nothing was sent. ${p.problems?.map((x) => x.message).join(' ')}`,
			});
		}
		if (p.refusal && routing === 'single') {
			throw new NodeOperationError(ctx.getNode(), p.refusal.message, {
				itemIndex: p.itemIndex,
				description: `${p.refusal.detail} Nothing was sent (error code ${p.refusal.entry.code}).`,
			});
		}
	}
}

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const resource = this.getNodeParameter('resource', 0) as string;
	const operationName = this.getNodeParameter('operation', 0) as string;
	const operation = resource === 'experienceIssue' ? operations[operationName] : undefined;
	if (!operation) {
		throw new NodeOperationError(this.getNode(), `The operation "${operationName}" of "${resource}" is not supported.`);
	}
	const options = readOptions(this);
	const credentialType = this.getNodeParameter('authentication', 0, 'serviceNowPeApi') === 'serviceNowPeOAuth2Api' ? 'serviceNowPeOAuth2Api' : 'serviceNowPeApi';
	const connection = await connectionFor(this, credentialType);
	if ('execute' in operation) return operation.execute(this, connection, options);

	// As an AI agent's tool, n8n hands the agent only the first output: every outcome goes there,
	// saying what happened and what to do next, and no refusal fails the call.
	const asTool = this.isToolExecution?.() === true;
	const chosen = this.getNodeParameter('errorRouting', 0, 'perError') as ErrorRouting;
	const routing: ErrorRouting = asTool ? 'perError' : chosen;
	const names = outputNames(OUTPUT_TABLE, { operation: operationName, errorRouting: routing, source: this.getNodeParameter('source', 0, 'manual') });
	const prepared = await operation.prepare(this, connection, options);
	if (!asTool) failBeforeSending(this, prepared, routing);
	const success = operation.outputs.success?.[1] ?? 'created';
	const items = new ItemRouter(this, connection, options, routing, names.length - 1, success);
	const outputs: INodeExecutionData[][] = names.map(() => []);
	const all = await mapWithConcurrency(prepared, options.concurrency, (p) => items.route(p));
	if (asTool) return [all.map((r) => forAgent(r.item, names[r.output]))];
	for (const r of all) outputs[r.output].push(r.item);
	return outputs;
}
