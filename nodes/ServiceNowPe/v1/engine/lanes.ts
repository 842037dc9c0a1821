/**
 * Requests for the same issue go one after another: sent one after another, a lost answer's
 * recovery cannot take the next request's issue for its own, nor chain twice.
 */
import type { Prepared } from '../actions/interfaces';

/** Requests of one issue share a lane: chains by experience_id, creates by issue code, provider and endpoint. */
export function laneOf(p: Prepared): string | undefined {
	const body = p.body;
	if (!body || p.refusal || p.problems?.length) return undefined;
	return body.experience_id
		? `chain ${body.experience_id}`
		: `create ${JSON.stringify([body.issue_code, body.provider, body.endpoint])}`;
}

export class Lanes {
	private readonly last = new Map<string, Promise<unknown>>();

	/** Runs `fn` after the requests for the same issue before it. */
	run<T>(p: Prepared, fn: () => Promise<T>): Promise<T> {
		const lane = laneOf(p);
		const before = lane ? this.last.get(lane) : undefined;
		const done = before ? before.then(fn) : fn();
		if (lane)
			this.last.set(
				lane,
				done.catch(() => undefined),
			);
		return done;
	}
}
