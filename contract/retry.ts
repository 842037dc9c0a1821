/**
 * The one retry policy of every request the package makes (creates, batches, Table API reads, the
 * credential's token requests): which answers a retry may change, how long to wait before it, and
 * which answers leave the request's fate unknown.
 */

export interface RetryPolicy {
	/** Attempts in all, the first included (≥ 1). */
	maxAttempts: number;
	/** Longest wait before a retry, in seconds (caps Retry-After and the back-off). */
	maxWaitSeconds: number;
	/** First back-off step in milliseconds; doubles per retry. */
	baseDelayMs: number;
}

/** What a retry decision needs of an attempt: its status (0: no answer) and how it failed. */
export interface AttemptStatus {
	status: number;
	/** No connection was made (refused, host not found): the request certainly did not arrive. */
	notDelivered?: boolean;
}

/** An answer a retry may change: none, a 429 or a 5xx. */
export function retryable(a: Pick<AttemptStatus, 'status'>): boolean {
	return a.status === 0 || a.status === 429 || a.status >= 500;
}

/**
 * Whether an attempt a retry may change may also have been processed: a 429 was refused before
 * processing and a refused connection never arrived; a 5xx or a lost answer may have been.
 */
export function mayHaveBeenProcessed(a: AttemptStatus): boolean {
	return a.status !== 429 && !a.notDelivered;
}

/**
 * Answers of a gateway in front of the instance that stopped waiting for it or lost its answer:
 * 502 (nginx, load balancers: the upstream's answer broke off) and 504 (it took too long); 520 and
 * up are CDNs' own (Cloudflare's 524 "a timeout occurred") and proxies' 598/599 network timeouts.
 */
const GATEWAY_GAVE_UP = new Set([502, 504]);

/**
 * An attempt that got no answer from the instance — reset, timed out, answered with bytes that
 * are not HTTP, or a gateway's 504 (it stopped waiting, the instance had not answered) — may still
 * be being processed: a read that finds nothing proves nothing about it. (A refused connection
 * never arrived; any other answer, a 5xx too, ends the instance's processing.)
 */
export function unanswered(a: AttemptStatus): boolean {
	return (a.status === 0 && !a.notDelivered) || GATEWAY_GAVE_UP.has(a.status) || a.status >= 520;
}

/** Seconds to wait per Retry-After (seconds or an HTTP date), or undefined. */
export function retryAfterSeconds(value: string | undefined, now = Date.now()): number | undefined {
	if (!value) return undefined;
	if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value);
	// An HTTP date names its day and month in letters; V8 would read "-1" or "7 s" as dates too.
	if (!/[a-z]{3}/i.test(value)) return undefined;
	const at = Date.parse(value);
	return Number.isNaN(at) ? undefined : Math.max(0, (at - now) / 1000);
}

/**
 * Milliseconds to wait before the retry that follows attempt number `attempt` (1 for the first):
 * the answer's Retry-After, else the back-off (base, doubling per retry), at most maxWaitSeconds.
 */
export function retryWaitMs(
	policy: RetryPolicy,
	attempt: number,
	retryAfter: string | undefined,
): number {
	const backoff = (policy.baseDelayMs * 2 ** (attempt - 1)) / 1000;
	return Math.min(retryAfterSeconds(retryAfter) ?? backoff, policy.maxWaitSeconds) * 1000;
}
