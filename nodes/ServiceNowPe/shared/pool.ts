/** Work done several at a time: at most a given number of calls running, results in input order. */

/**
 * Runs `fn` over items with at most `limit` in flight; results keep the items' order. After a
 * failure nothing new is started; what is in flight settles, then the failure is thrown.
 */
export async function mapWithConcurrency<T, R>(
	items: readonly T[],
	limit: number,
	fn: (item: T) => Promise<R>,
): Promise<R[]> {
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

/** A slot limit shared by calls made at different times: at most `limit` run at once. */
export class Limiter {
	private running = 0;
	private readonly waiting: Array<() => void> = [];

	constructor(private readonly limit: number) {}

	/** Runs `fn` when fewer than the limit of such calls are running. */
	async run<T>(fn: () => Promise<T>): Promise<T> {
		if (this.running >= this.limit)
			await new Promise<void>((resolve) => this.waiting.push(resolve));
		this.running++;
		try {
			return await fn();
		} finally {
			this.running--;
			this.waiting.shift()?.();
		}
	}
}
