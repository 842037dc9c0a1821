/**
 * Each prepared item's way to its output: sent (requests for the same issue one after another,
 * retried as contract/retry.ts says), its answer classified once, a lost answer recovered from the
 * issue table before anything is resent, and the item routed to exactly one output.
 */
import { sleep, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';
import { createIssuePath, type CreateIssueBody } from '../../../../contract/api';
import { serialiseBody } from '../../../../contract/body';
import { DOCUMENTED_ERRORS } from '../../../../contract/errors';
import {
	mayHaveBeenProcessed,
	retryable,
	retryWaitMs,
	unanswered,
	type RetryPolicy,
} from '../../../../contract/retry';
import { mapWithConcurrency, Limiter } from '../../shared/pool';
import type { Connection } from '../../shared/authentication';
import { exchange } from '../../shared/transport/request';
import type { Prepared, SendOptions } from '../actions/interfaces';
import { classify, type Result, type Verdict } from './classify';
import { Lanes } from './lanes';
import { refusedItem, unsentItem, type ErrorRouting, type Refusal, type Routed } from './outputs';
import { Claims, settle, type PriorAttempt, type Recovery } from './recovery';

export interface Done {
	routed: Routed;
	/** What the instance said to the request: undefined when it was not sent. */
	verdict?: Verdict | { kind: 'dryRun' };
}

export class Sender {
	readonly claims: Claims;
	readonly lanes = new Lanes();
	/** Items sent on their own from a batch share Concurrency, as in one-request-per-item mode. */
	readonly limiter: Limiter;
	/** Each request's result, for requests of the same issue. */
	private readonly done = new Map<Prepared, Promise<Done>>();

	constructor(
		readonly ctx: IExecuteFunctions,
		readonly connection: Connection,
		readonly options: SendOptions,
		private readonly routing: ErrorRouting,
		private readonly skippedOutput: number,
		/** The items' `outcome` when the request succeeds: created, or chained. */
		private readonly success: string,
	) {
		this.claims = new Claims(ctx, connection, options);
		this.limiter = new Limiter(options.concurrency);
	}

	/** One request per item, Concurrency at a time; in input order. */
	sendEach(prepared: Prepared[]): Promise<Routed[]> {
		return mapWithConcurrency(prepared, this.options.concurrency, (p) => {
			const done = p.sameIssueAs
				? this.repeat(p, p.sameIssueAs)
				: this.lanes.run(p, () => this.send(p));
			return this.track(p, done).then((d) => d.routed);
		});
	}

	/** Notes an item's result (a repeat of it ends where it did). */
	track(p: Prepared, done: Promise<Done>): Promise<Done> {
		this.done.set(p, done);
		return done;
	}

	private refused(p: Prepared, refusal: Refusal, extra: IDataObject): Routed {
		return refusedItem(this.ctx, this.routing, p.itemIndex, refusal, extra);
	}

	/** A request for the same issue as an earlier one of its item: not sent, it ends where that one did. */
	async repeat(p: Prepared, first: Prepared): Promise<Done> {
		const { verdict } = await (this.done.get(first) as Promise<Done>);
		const alertName = (q: Prepared) =>
			String((q.context?.alert as IDataObject | undefined)?.name ?? `item ${q.itemIndex + 1}`);
		const extra: IDataObject = {
			sent: false,
			sameIssueAs: first.context?.alert ?? null,
			...(p.context ?? {}),
			request: (p.body ?? {}) as unknown as IDataObject,
			input: p.input,
		};
		if (verdict?.kind === 'error') {
			const detail = `Not sent: the same user and issue code as alert "${alertName(first)}" of this notification, which got this answer.`;
			return { routed: this.refused(p, { ...verdict, detail }, extra), verdict };
		}
		const message = `Alert "${alertName(p)}" is for the same user and issue code as alert "${alertName(first)}" of this notification: one issue covers both.`;
		const detail =
			verdict?.kind === 'created'
				? `Not sent: that alert's issue ${verdict.experienceId} is being resolved.`
				: 'Not sent: that alert would create the issue.';
		if (verdict?.kind === 'created') extra.experience_id = verdict.experienceId;
		if (this.routing === 'single') {
			// Single Output: no refusal happened, so nothing fails: the alert is covered by the created issue.
			const json = {
				outcome: verdict?.kind === 'dryRun' ? 'dryRun' : this.success,
				message,
				detail,
				...extra,
			};
			return { routed: { output: 0, item: { json, pairedItem: { item: p.itemIndex } } }, verdict };
		}
		return {
			routed: this.refused(p, { entry: DOCUMENTED_ERRORS.BEING_RESOLVED, message, detail }, extra),
			verdict,
		};
	}

	/** An item that cannot or need not be sent, routed now; undefined when it is to be sent. */
	unsent(p: Prepared): Done | undefined {
		const routed = unsentItem(this.ctx, this.routing, this.skippedOutput, p);
		return routed && { routed };
	}

	/**
	 * Sends an item on its own. `prior`: what a batch did with it — an attempt that may have been
	 * processed is looked for in the issue table before anything is sent.
	 */
	async send(p: Prepared, prior?: PriorAttempt): Promise<Done> {
		const unsent = this.unsent(p);
		if (unsent) return unsent;
		const body = p.body as CreateIssueBody;
		const { options } = this;
		const serialised = serialiseBody(body, options.requestFormat);
		const path = createIssuePath(options.namespace);
		if (options.dryRun) {
			const json = {
				outcome: 'dryRun',
				method: 'POST',
				path,
				format: options.requestFormat,
				serialisedBody: serialised,
				...(p.context ?? {}),
				request: body as unknown as IDataObject,
				input: p.input,
			};
			return {
				routed: { output: 0, item: { json, pairedItem: { item: p.itemIndex } } },
				verdict: { kind: 'dryRun' },
			};
		}
		const recovery = this.claims.recovery(p, prior?.since);
		if (prior) {
			const asSent: Result = {
				...prior.result,
				attempts: prior.attempts,
				earlierAttemptUncertain: prior.uncertain,
			};
			// A batch that may have run the item: look before sending. Found, or nothing provable with
			// an experience_id (it could chain twice): nothing is sent again. Nor when the batch used
			// the attempts allowed.
			if (
				(prior.uncertain &&
					(await recovery.lookUp(prior.unanswered ? 'unanswered' : 'answered')) === 'stop') ||
				prior.attempts >= options.policy.maxAttempts
			) {
				return this.finish(p, asSent, recovery, true);
			}
			// The wait a retry would have had after that answer (Retry-After, or the back-off).
			if (retryable(prior.result))
				await sleep(
					retryWaitMs(options.policy, prior.attempts, prior.result.headers['retry-after']),
				);
		}
		const policy = prior
			? { ...options.policy, maxAttempts: options.policy.maxAttempts - prior.attempts }
			: options.policy;
		const sent = await this.attempts(body, serialised, path, policy, recovery);
		const result = prior
			? {
					...sent,
					attempts: sent.attempts + prior.attempts,
					earlierAttemptUncertain: sent.earlierAttemptUncertain || prior.uncertain,
				}
			: sent;
		return this.finish(p, result, recovery, Boolean(prior));
	}

	/**
	 * The attempts of one create request: each followed while in flight and classified (its issue
	 * claimed) as it arrives. Before a retry after an attempt that may have been processed, the
	 * issue table is read: what that attempt made ends the attempts.
	 */
	private async attempts(
		body: CreateIssueBody,
		serialised: string,
		path: string,
		policy: RetryPolicy,
		recovery: Recovery,
	): Promise<Result> {
		const { options } = this;
		const request = {
			method: 'POST' as const,
			path,
			body: serialised,
			format: options.requestFormat,
			timeoutMs: options.timeoutMs,
		};
		let uncertain = false;
		for (let n = 1; ; n++) {
			const pending = exchange(this.ctx, this.connection, request).then((attempt) => {
				const answer = classify(attempt);
				this.claims.claimAnswer(answer);
				return answer;
			});
			this.claims.follow(body, pending);
			const answer = await pending;
			if (!retryable(answer) || n >= policy.maxAttempts)
				return { ...answer, attempts: n, earlierAttemptUncertain: uncertain };
			if (mayHaveBeenProcessed(answer)) {
				uncertain = true;
				if ((await recovery.lookUp(unanswered(answer) ? 'unanswered' : 'answered')) === 'stop')
					return { ...answer, attempts: n, earlierAttemptUncertain: true };
			}
			await sleep(retryWaitMs(policy, n, answer.headers['retry-after']));
		}
	}

	/** The item's output from the instance's answer, and what the recovery reads found. */
	async finish(p: Prepared, result: Result, recovery: Recovery, inBatch = false): Promise<Done> {
		const body = p.body as CreateIssueBody;
		const { verdict, recovered, uncertain } = await settle(result, recovery);
		if (verdict.kind === 'created') {
			this.claims.claimIssue(verdict.experienceId);
			// A chain answered as applied counts, so another item's recovery does not take it.
			if (!recovered && body.experience_id && p.chainBase) this.claims.countChain(body);
		}
		const common: IDataObject = {
			httpStatus: recovered ? 200 : result.status,
			attempts: result.attempts,
			sent: true,
			...(inBatch ? { sentInBatch: true } : {}),
			...(uncertain ? { mayHaveBeenCreated: true } : {}),
			// Why no read settled it: the credential's user may not read the issue table.
			...(uncertain && recovery.scope.refused
				? { recoveryReadRefused: recovery.scope.refused }
				: {}),
			...(p.context ?? {}),
			request: body as unknown as IDataObject,
			input: p.input,
		};
		if (verdict.kind === 'created') {
			// mayHaveBeenCreated on a created item: an earlier attempt may have made another issue.
			const json = {
				outcome: this.success,
				experience_id: verdict.experienceId,
				...(recovered ? { recoveredAfterRetry: true } : {}),
				...common,
			};
			return { routed: { output: 0, item: { json, pairedItem: { item: p.itemIndex } } }, verdict };
		}
		const reported = uncertain
			? {
					...verdict,
					detail: `${verdict.detail} An attempt of this request may have reached the instance and created the issue.`,
				}
			: verdict;
		const routed = this.refused(p, reported, {
			...common,
			...(verdict.entry.documented ? {} : { response: result.rawText }),
		});
		return { routed, verdict: reported };
	}
}
