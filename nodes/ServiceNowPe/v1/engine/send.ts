/**
 * Each item's way after it was prepared: send → classify → route, to exactly one output. Requests
 * for the same issue go one after another; an answer that was lost is recovered from the issue
 * table before anything is resent.
 */
import { NodeApiError, type IDataObject, type IExecuteFunctions, type INodeExecutionData, type JsonObject } from 'n8n-workflow';
import { createIssuePath, type CreateIssueBody, type IssueRow } from '../../../../contract/api';
import { serialiseBody } from '../../../../contract/body';
import { DOCUMENTED_ERRORS } from '../../../../contract/errors';
import { sleep } from 'n8n-workflow';
import { classify, retryable, retryAfterSeconds, sendCreate, unanswered, type ApiResult, type Attempt, type Connection, type Outcome } from '../../shared/transport/request';
import { chainKey, findOwnIssue, type RecoveryScope } from '../../shared/transport/tableApi';
import { routeInBatches } from './batch';
import type { Prepared, SendOptions } from '../actions/interfaces';
import { errorOutput, type ErrorRouting } from './outputs';

type ErrorOutcome = Extract<Outcome, { kind: 'error' }>;

export interface Routed {
	output: number;
	item: INodeExecutionData;
}

export interface Done {
	routed: Routed;
	/** What became of the request: undefined when it was not sent. */
	outcome?: Outcome | { kind: 'dryRun' };
}

/**
 * Runs `fn` over items with at most `limit` in flight; results keep the items' order. After a
 * failure nothing new is started; what is in flight settles, then the failure is thrown.
 */
export async function mapWithConcurrency<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
	const results = new Array<R>(items.length);
	let next = 0;
	let failure: { error: unknown } | undefined;
	const worker = async () => {
		while (!failure && next < items.length) {
			const index = next++;
			try {
				results[index] = await fn(items[index]);
			} catch (error) {
				failure ??= { error };
			}
		}
	};
	await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
	if (failure) throw failure.error;
	return results;
}

export class ItemRouter {
	constructor(
		readonly ctx: IExecuteFunctions,
		readonly connection: Connection,
		readonly options: SendOptions,
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
	/** Chains of a code onto an issue counted as some item's (recoveries of chains lost together). */
	private readonly chainClaims = new Map<string, number>();
	/** Requests in flight by issue code and provider: a recovery read waits for their answers. */
	private readonly inFlight = new Map<string, Set<Promise<unknown>>>();
	/** Items sent on their own from a batch share Concurrency, as in one-request-per-item mode. */
	private free = 0;
	private readonly waiting: Array<() => void> = [];

	/** Runs `fn` when fewer than Concurrency such calls are running. */
	async limited<T>(fn: () => Promise<T>): Promise<T> {
		if (this.free >= this.options.concurrency) await new Promise<void>((resolve) => this.waiting.push(resolve));
		this.free++;
		try {
			return await fn();
		} finally {
			this.free--;
			this.waiting.shift()?.();
		}
	}

	/**
	 * Follows a request in flight for issues of `body`'s code and provider; an answer with an
	 * issue is claimed at once, before any recovery read can take that issue for another item's.
	 */
	follow(body: CreateIssueBody, pending: Promise<Attempt>): void {
		const key = `${body.issue_code}|${body.provider}`;
		let set = this.inFlight.get(key);
		if (!set) this.inFlight.set(key, (set = new Set()));
		set.add(pending);
		const settle = (attempt?: Attempt) => {
			set.delete(pending);
			if (attempt) this.claimAnswer(attempt);
		};
		pending.then(settle, () => settle());
	}

	/** Claims the issue an answer names (a batch item's, as it arrives). */
	claimAnswer(attempt: Attempt): void {
		if (attempt.status < 200 || attempt.status >= 300) return;
		const outcome = classify(attempt);
		if (outcome.kind === 'created') this.claimed.add(outcome.experienceId);
	}

	/** Waits (at most one timeout) for the requests in flight for this code and provider. */
	private async quiet(body: CreateIssueBody): Promise<void> {
		const set = this.inFlight.get(`${body.issue_code}|${body.provider}`);
		if (!set || set.size === 0) return;
		await Promise.race([Promise.allSettled([...set]), sleep(this.options.timeoutMs)]);
	}

	/** Every item to its output, one request per item or through the Batch API; in input order. */
	async routeAll(prepared: Prepared[]): Promise<Routed[]> {
		const { options } = this;
		if (options.sendMode !== 'batch' || options.dryRun) return mapWithConcurrency(prepared, options.concurrency, (p) => this.route(p));
		return routeInBatches(this, prepared);
	}

	route(p: Prepared): Promise<Routed> {
		const done = p.sameIssueAs ? this.repeat(p, p.sameIssueAs) : this.inLane(p, () => this.send(p));
		this.done.set(p, done);
		return done.then((d) => d.routed);
	}

	/** Notes an item's result (a repeat of it ends where it did). */
	track(p: Prepared, done: Promise<Done>): Promise<Done> {
		this.done.set(p, done);
		return done;
	}

	/**
	 * Runs `fn` after the requests for the same issue before it: sent one after another, a lost
	 * answer's recovery cannot take the next request's issue for its own, nor chain twice.
	 */
	inLane<T>(p: Prepared, fn: () => Promise<T>): Promise<T> {
		const lane = laneOf(p);
		const before = lane ? this.lanes.get(lane) : undefined;
		const done = before ? before.then(fn) : fn();
		if (lane) this.lanes.set(lane, done.catch(() => undefined));
		return done;
	}

	/** A request for the same issue as an earlier one of its item: not sent, it ends where that one did. */
	async repeat(p: Prepared, first: Prepared): Promise<Done> {
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

	/** An item that cannot or need not be sent, routed now; undefined when it is to be sent. */
	settleUnsent(p: Prepared): Done | undefined {
		const unsent = this.unsent(p, { ...(p.context ?? {}) });
		return unsent ? { routed: unsent } : undefined;
	}

	/**
	 * Sends an item on its own. `prior`: what a batch did with it — an attempt that may have been
	 * processed is looked for in the issue table before anything is sent.
	 */
	async send(p: Prepared, prior?: PriorAttempt): Promise<Done> {
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
		const recovery = this.recovery(p, prior?.since);
		const asSent: ApiResult | undefined = prior && { ...prior.result, attempts: prior.attempts, earlierAttemptUncertain: prior.uncertain };
		// A batch that may have run the item: look before sending. Found, or nothing provable with
		// an experience_id (it could chain twice): nothing is sent again. Nor when the batch used
		// the attempts allowed.
		if (asSent && ((prior?.uncertain && (await recovery.lookUp(prior.unanswered ? 'unanswered' : 'answered')) === 'stop') || prior!.attempts >= options.policy.maxAttempts)) {
			return this.finish(p, asSent, recovery, true);
		}
		if (prior && retryable(prior.result)) {
			// The wait a retry would have had after that answer (Retry-After, or the back-off).
			const backoff = (options.policy.baseDelayMs * 2 ** (prior.attempts - 1)) / 1000;
			await sleep(Math.min(retryAfterSeconds(prior.result.headers['retry-after']) ?? backoff, options.policy.maxWaitSeconds) * 1000);
		}
		const policy = prior ? { ...options.policy, maxAttempts: options.policy.maxAttempts - prior.attempts } : options.policy;
		const sent = await sendCreate(this.ctx, this.connection, path, serialised, { ...options, policy }, (attempt) => recovery.lookUp(unanswered(attempt) ? 'unanswered' : 'answered'), (pending) => this.follow(body, pending));
		const result = prior ? { ...sent, attempts: sent.attempts + prior.attempts, earlierAttemptUncertain: sent.earlierAttemptUncertain || prior.uncertain } : sent;
		return this.finish(p, result, recovery, Boolean(prior));
	}

	/**
	 * Before any resend, what an uncertain attempt may have made is looked for: found, it is ours
	 * and nothing is resent; unprovable with an experience_id, nothing is resent either.
	 * A read that finds nothing settles the answered attempts before it (the instance was done
	 * with them), never one without answer (it may still be processing it): a resend after one is
	 * flagged when it creates or chains, and a chain onto an issue still in action_wait is not
	 * resent at all (the lost attempt may yet apply it).
	 */
	recovery(p: Prepared, since = Date.now()): Recovery {
		const body = p.body as CreateIssueBody;
		const recovery: Recovery = {
			scope: { since, chainBase: p.chainBase, claimed: this.claimed, chainClaims: this.chainClaims },
			unprovable: false,
			lost: 0,
			unsettled: 0,
			lookUp: async (after) => {
				if (after === 'unanswered') recovery.lost++;
				else if (after === 'answered') recovery.unsettled++;
				// Answers on their way may name the issue the read would find: they are waited for.
				await this.quiet(body);
				const found = await findOwnIssue(this.ctx, this.connection, body, recovery.scope, this.options);
				if (found === 'absent' || (found === 'waiting' && recovery.lost === 0)) {
					recovery.unsettled = 0;
					return 'retry';
				}
				if (found === 'unknown' || found === 'waiting') {
					recovery.unprovable = true;
					return body.experience_id ? 'stop' : 'retry';
				}
				recovery.recovered = found.row;
				// The issue found is one attempt's: another that may have made one leaves a doubt.
				recovery.doubt = recovery.lost + recovery.unsettled > 1;
				if (found.chained) this.countChain(body);
				else this.claimed.add(found.row.experience_id);
				return 'stop';
			},
		};
		return recovery;
	}

	private countChain(body: CreateIssueBody): void {
		const key = chainKey(body.experience_id ?? '', body.issue_code);
		this.chainClaims.set(key, (this.chainClaims.get(key) ?? 0) + 1);
	}

	/** The item's output from the instance's answer, and what the recovery reads found. */
	async finish(p: Prepared, result: ApiResult, recovery: Recovery, inBatch = false): Promise<Done> {
		const i = p.itemIndex;
		const body = p.body as CreateIssueBody;
		const request = body as unknown as IDataObject;
		let outcome = classify(result);
		// After an uncertain attempt, a refusal (being resolved, chain conflict) or an answer the
		// document does not list may be the earlier attempt's own issue: look once more.
		if (result.earlierAttemptUncertain && !recovery.recovered && outcome.kind === 'error' && !recovery.unprovable) {
			const doubtful = !outcome.entry.documented || outcome.entry === DOCUMENTED_ERRORS.BEING_RESOLVED || outcome.entry === DOCUMENTED_ERRORS.CHAIN_CONFLICT;
			if (doubtful) await recovery.lookUp();
		}
		// A 2xx that names no issue (an answer cut off or unreadable): the instance took the request,
		// so its issue is looked for — and the item is flagged when it is not found.
		const accepted = outcome.kind === 'error' && result.status >= 200 && result.status < 300;
		if (accepted && !recovery.recovered && !recovery.unprovable) await recovery.lookUp('answered');
		const { recovered } = recovery;
		if (recovered) outcome = { kind: 'created', experienceId: recovered.experience_id };
		// An earlier attempt no read settled (no answer came, so the instance may still be
		// processing it) may make a second issue or chain: such an item is flagged when created —
		// and when refused in a way that attempt would not be (a documented refusal of the request
		// itself, e.g. already being resolved, it would get as well).
		const doubtful = recovery.lost + recovery.unsettled > 0;
		const unproven = result.earlierAttemptUncertain && recovery.unprovable;
		const uncertain = recovered
			? Boolean(recovery.doubt)
			: outcome.kind === 'created'
				? doubtful || unproven
				: accepted || unproven || mayStillBeProcessed(result) || (doubtful && !refusesAlike(outcome.entry));
		if (outcome.kind === 'created') {
			this.claimed.add(outcome.experienceId);
			// A chain answered as applied counts, so another item's recovery does not take it.
			if (!recovered && body.experience_id && p.chainBase) this.countChain(body);
		}
		const common: IDataObject = {
			httpStatus: recovered ? 200 : result.status,
			attempts: result.attempts,
			sent: true,
			...(inBatch ? { sentInBatch: true } : {}),
			...(uncertain ? { mayHaveBeenCreated: true } : {}),
			...(p.context ?? {}),
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

/** What recovery reads found for one item. */
export interface Recovery {
	scope: RecoveryScope;
	recovered?: IssueRow;
	/** Found, but another attempt may have made a second issue or chain. */
	doubt?: boolean;
	unprovable: boolean;
	/** Attempts that got no answer: the instance may still be processing them. */
	lost: number;
	/** Answered attempts that may have been processed (5xx) and no read has settled yet. */
	unsettled: number;
	/** Reads the issue table; `after`: the attempt that makes the read necessary (none: a refusal's). */
	lookUp(after?: 'unanswered' | 'answered'): Promise<'stop' | 'retry'>;
}

/** What a batch did with an item before it is sent on its own. */
export interface PriorAttempt {
	/** Requests that carried it so far. */
	attempts: number;
	/** It may have been processed (the batch's answer was lost, or its item answer was a 5xx). */
	uncertain: boolean;
	/** No answer came (the batch's was lost): the instance may still be processing it. */
	unanswered: boolean;
	/** The answer to show when nothing is sent again. */
	result: ApiResult;
	/** When the batch that carried it was sent (the recovery read looks from then). */
	since: number;
}

/** Requests of one issue share a lane: chains by experience_id, creates by issue code, provider and endpoint. */
export function laneOf(p: Prepared): string | undefined {
	const body = p.body;
	if (!body || p.refusal || p.problems?.length) return undefined;
	return body.experience_id ? `chain ${body.experience_id}` : `create ${JSON.stringify([body.issue_code, body.provider, body.endpoint])}`;
}

/** A last answer that does not say the request was refused before it was processed (lost, timed out, 5xx). */
function mayStillBeProcessed(result: { status: number; notDelivered?: boolean }): boolean {
	return (result.status === 0 && !result.notDelivered) || result.status >= 500;
}

/**
 * A documented refusal of the request itself, which a lost attempt of it would get as well: the
 * request is wrong, or what blocks it (an issue being resolved, an issue out of action_wait) held
 * when the resend was refused. A technical failure while creating is no such refusal.
 */
function refusesAlike(entry: ErrorOutcome['entry']): boolean {
	return entry.documented && entry !== DOCUMENTED_ERRORS.CREATION_FAILED;
}

