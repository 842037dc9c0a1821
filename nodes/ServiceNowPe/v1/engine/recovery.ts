/**
 * What the items of one execution learnt from the instance, so that a lost answer is recovered
 * from the issue table before anything is resent, and never with another item's issue: the
 * issues answers named (claimed as each answer arrives), the chains counted, and the requests
 * still in flight (a recovery read waits for their answers).
 */
import { sleep, type IExecuteFunctions } from 'n8n-workflow';
import type { CreateIssueBody, IssueRow } from '../../../../contract/api';
import { DOCUMENTED_ERRORS, type CatalogueEntry } from '../../../../contract/errors';
import { chainKey, findOwnIssue, type RecoveryScope } from './recoveryRead';
import type { Connection } from '../../shared/authentication';
import type { Prepared, SendOptions } from '../actions/interfaces';
import type { Answer, Result, Verdict } from './classify';

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
	result: Result;
	/** When the batch that carried it was sent (the recovery read looks from then). */
	since: number;
}

export class Claims {
	/** experience_ids the instance gave items of this execution: a recovery never claims another item's issue. */
	private readonly claimed = new Set<string>();
	/** Chains of a code onto an issue counted as some item's (recoveries of chains lost together). */
	private readonly chainClaims = new Map<string, number>();
	/** Requests in flight by issue code and provider: a recovery read waits for their answers. */
	private readonly inFlight = new Map<string, Set<Promise<unknown>>>();

	constructor(
		private readonly ctx: IExecuteFunctions,
		private readonly connection: Connection,
		private readonly options: SendOptions,
	) {}

	/** Claims the issue an answer names, as it arrives: before any recovery read can take it for another item's. */
	claimAnswer(answer: Answer): void {
		if (answer.verdict.kind === 'created') this.claimed.add(answer.verdict.experienceId);
	}

	/** Claims an issue a request is known to have made (its answer, or a recovery read). */
	claimIssue(experienceId: string): void {
		this.claimed.add(experienceId);
	}

	/** Follows a request in flight for issues of `body`'s code and provider until it settles. */
	follow(body: CreateIssueBody, pending: Promise<unknown>): void {
		const key = `${body.issue_code}|${body.provider}`;
		let set = this.inFlight.get(key);
		if (!set) this.inFlight.set(key, (set = new Set()));
		set.add(pending);
		const settle = () => set.delete(pending);
		pending.then(settle, settle);
	}

	/** Waits (at most one timeout) for the requests in flight for this code and provider. */
	private async quiet(body: CreateIssueBody): Promise<void> {
		const set = this.inFlight.get(`${body.issue_code}|${body.provider}`);
		if (!set || set.size === 0) return;
		await Promise.race([Promise.allSettled([...set]), sleep(this.options.timeoutMs)]);
	}

	/** Counts a chain of a code onto an issue as some item's. */
	countChain(body: CreateIssueBody): void {
		const key = chainKey(body.experience_id ?? '', body.issue_code);
		this.chainClaims.set(key, (this.chainClaims.get(key) ?? 0) + 1);
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
			scope: {
				since,
				chainBase: p.chainBase,
				claimed: this.claimed,
				chainClaims: this.chainClaims,
			},
			unprovable: false,
			lost: 0,
			unsettled: 0,
			lookUp: async (after) => {
				if (after === 'unanswered') recovery.lost++;
				else if (after === 'answered') recovery.unsettled++;
				// Answers on their way may name the issue the read would find: they are waited for.
				await this.quiet(body);
				const found = await findOwnIssue(
					this.ctx,
					this.connection,
					body,
					recovery.scope,
					this.options,
				);
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
}

/**
 * What a request's last answer comes to, once the recovery reads it calls for are done: the
 * verdict (an issue a read found is the request's), the issue found, and whether an attempt may
 * have made an issue the verdict does not show (the item is then flagged mayHaveBeenCreated).
 */
export async function settle(
	result: Result,
	recovery: Recovery,
): Promise<{ verdict: Verdict; recovered?: IssueRow; uncertain: boolean }> {
	let verdict = result.verdict;
	// After an uncertain attempt, a refusal (being resolved, chain conflict) or an answer the
	// document does not list may be the earlier attempt's own issue: look once more.
	if (
		result.earlierAttemptUncertain &&
		!recovery.recovered &&
		verdict.kind === 'error' &&
		!recovery.unprovable
	) {
		const doubtful =
			!verdict.entry.documented ||
			verdict.entry === DOCUMENTED_ERRORS.BEING_RESOLVED ||
			verdict.entry === DOCUMENTED_ERRORS.CHAIN_CONFLICT;
		if (doubtful) await recovery.lookUp();
	}
	// A 2xx that names no issue (an answer cut off or unreadable): the instance took the request,
	// so its issue is looked for — and the item is flagged when it is not found.
	const accepted = verdict.kind === 'error' && result.status >= 200 && result.status < 300;
	if (accepted && !recovery.recovered && !recovery.unprovable) await recovery.lookUp('answered');
	const { recovered } = recovery;
	if (recovered) verdict = { kind: 'created', experienceId: recovered.experience_id };
	// An earlier attempt no read settled (no answer came, so the instance may still be
	// processing it) may make a second issue or chain: such an item is flagged when created —
	// and when refused in a way that attempt would not be (a documented refusal of the request
	// itself, e.g. already being resolved, it would get as well).
	const doubtful = recovery.lost + recovery.unsettled > 0;
	const unproven = result.earlierAttemptUncertain && recovery.unprovable;
	const uncertain = recovered
		? Boolean(recovery.doubt)
		: verdict.kind === 'created'
			? doubtful || unproven
			: accepted ||
				unproven ||
				mayStillBeProcessed(result) ||
				(doubtful && !refusesAlike(verdict.entry));
	return { verdict, recovered, uncertain };
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
function refusesAlike(entry: CatalogueEntry): boolean {
	return entry.documented && entry !== DOCUMENTED_ERRORS.CREATION_FAILED;
}
