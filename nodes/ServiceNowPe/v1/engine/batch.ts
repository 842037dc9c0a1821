/**
 * Send Mode "Batch API": the items to send go to the instance a batch at a time, and each comes
 * back to the same classification and output as when sent alone.
 * - An item the instance answered is finished from its own answer.
 * - An item it did not process (`unserviced_requests`) goes in the next batch; a batch that
 *   serves none of its items is sent item by item instead.
 * - An item answered 429 or 5xx, or every item of a batch whose answer was lost (timeout, dropped
 *   connection, 5xx, unreadable), is sent on its own — after the issue table was read for what
 *   the batch may have made, as after any uncertain attempt.
 * - A batch refused as a whole before anything ran (401 and 403 are the credential's: every item
 *   gets that answer; any other 4xx, e.g. an instance without the Batch API) is sent item by item.
 * Requests for the same issue never travel in two batches at once: a batch waits for the earlier
 * batches that hold requests for its issues.
 */
import { createIssuePath } from '../../../../contract/api';
import { serialiseBody } from '../../../../contract/body';
import { retryable, unanswered } from '../../../../contract/retry';
import { mapWithConcurrency } from '../../shared/pool';
import { sendBatch, type BatchItem } from '../../shared/transport/batch';
import type { Prepared } from '../actions/interfaces';
import { classify } from './classify';
import { laneOf } from './lanes';
import type { Routed } from './outputs';
import type { PriorAttempt } from './recovery';
import type { Done, Sender } from './send';

interface Pending {
	p: Prepared;
	item: BatchItem;
	resolve(done: Done): void;
	reject(error: unknown): void;
}

/** Sends the pending items of one batch until each is finished. */
async function runBatch(sender: Sender, batch: Pending[]): Promise<void> {
	const { options, claims } = sender;
	let pending = batch;
	let rounds = 0;
	// Sent on its own, within Concurrency, after the requests for its issue before it.
	const alone = (entry: Pending, prior?: PriorAttempt) =>
		sender.lanes
			.run(entry.p, () => sender.limiter.run(() => sender.send(entry.p, prior)))
			.then(entry.resolve, entry.reject);
	while (pending.length > 0) {
		rounds++;
		const since = Date.now();
		const answering = sendBatch(
			sender.ctx,
			sender.connection,
			pending.map((e) => e.item),
			options,
		);
		// The batch is in flight for its items' issues: recovery reads wait for its answer.
		const bodies = new Map(
			pending.map((e) => [`${e.p.body!.issue_code}|${e.p.body!.provider}`, e.p.body!]),
		);
		for (const body of bodies.values()) claims.follow(body, answering);
		const answer = await answering;
		if (answer.kind === 'uncertain') {
			// Without an answer (lost, timed out, not HTTP, a gateway's 504) the batch may still be running.
			const lost = unanswered(answer.outer);
			const result = classify(answer.outer);
			await Promise.all(
				pending.map((entry) =>
					alone(entry, { attempts: rounds, uncertain: true, unanswered: lost, result, since }),
				),
			);
			return;
		}
		if (answer.kind === 'refused') {
			const status = answer.outer.status;
			if (status === 401 || status === 403) {
				// The credential's answer is every item's answer, as each would have got it alone.
				const result = {
					...classify(answer.outer),
					attempts: rounds,
					earlierAttemptUncertain: false,
				};
				for (const entry of pending)
					entry.resolve(await sender.finish(entry.p, result, claims.recovery(entry.p), true));
			} else await Promise.all(pending.map((entry) => alone(entry)));
			return;
		}
		// What the instance answered names issues now: claimed before any item's recovery read.
		const answers = new Map([...answer.items].map(([id, attempt]) => [id, classify(attempt)]));
		for (const itemAnswer of answers.values()) claims.claimAnswer(itemAnswer);
		const next: Pending[] = [];
		const again: Array<Promise<void>> = [];
		const unserviced = new Set(answer.unserviced);
		for (const entry of pending) {
			const attempt = answers.get(entry.item.id);
			// An answer wins over an unserviced listing of the same id.
			if (!attempt && unserviced.has(entry.item.id)) next.push(entry);
			else if (!attempt || retryable(attempt)) {
				const got =
					attempt ??
					classify({
						...answer.outer,
						status: 0,
						networkError: 'The batch answer did not include this item.',
					});
				// 429 was refused before it ran; no answer or a 5xx may have been processed — and the
				// batch was answered, so the instance is done with it.
				again.push(
					alone(entry, {
						attempts: rounds,
						uncertain: got.status !== 429,
						unanswered: false,
						result: { ...got, attempts: rounds, earlierAttemptUncertain: false },
						since,
					}),
				);
			} else
				entry.resolve(
					await sender.finish(
						entry.p,
						{ ...attempt, attempts: rounds, earlierAttemptUncertain: false },
						claims.recovery(entry.p, since),
						true,
					),
				);
		}
		await Promise.all(again);
		if (next.length === pending.length) {
			// The instance served none of them: each goes alone, so one too large cannot hold up the rest.
			await Promise.all(next.map((entry) => alone(entry)));
			return;
		}
		pending = next;
	}
}

/** Every item to its output through the Batch API; in input order. */
export async function sendInBatches(sender: Sender, prepared: Prepared[]): Promise<Routed[]> {
	const { options } = sender;
	const path = createIssuePath(options.namespace);
	const toSend: Pending[] = [];
	const results: Array<Promise<Done>> = prepared.map((p, index) => {
		if (p.sameIssueAs) return Promise.resolve(undefined as unknown as Done);
		const settled = sender.unsent(p);
		if (settled) return sender.track(p, Promise.resolve(settled));
		return sender.track(
			p,
			new Promise<Done>((resolve, reject) => {
				const body = serialiseBody(p.body!, options.requestFormat);
				toSend.push({
					p,
					item: { id: String(index), path, body, format: options.requestFormat },
					resolve,
					reject,
				});
			}),
		);
	});
	// A failed node stops before every result is read: none may go unhandled.
	for (const done of results) done.catch(() => undefined);
	// Repeats of an alert end where their first request did.
	prepared.forEach((p, index) => {
		if (p.sameIssueAs) results[index] = sender.track(p, sender.repeat(p, p.sameIssueAs));
	});
	const batches: Pending[][] = [];
	for (let i = 0; i < toSend.length; i += options.batchSize)
		batches.push(toSend.slice(i, i + options.batchSize));
	// A batch starts after the earlier batches holding requests for the same issues.
	const finished: Array<Promise<void>> = [];
	const lastBatchOf = new Map<string, number>();
	const after = batches.map((batch, k) => {
		const deps = new Set<number>();
		for (const { p } of batch) {
			const lane = laneOf(p);
			if (lane === undefined) continue;
			const before = lastBatchOf.get(lane);
			if (before !== undefined && before !== k) deps.add(before);
			lastBatchOf.set(lane, k);
		}
		return [...deps];
	});
	await mapWithConcurrency(batches, options.concurrency, async (batch) => {
		const k = batches.indexOf(batch);
		const run = (async () => {
			await Promise.all(after[k].map((d) => finished[d]));
			await runBatch(sender, batch);
		})();
		finished[k] = run.catch(() => undefined);
		await run;
	});
	return Promise.all(results.map((done) => done.then((d) => d.routed)));
}
