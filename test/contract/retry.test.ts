/** The one retry policy: what a retry may change, how long to wait, which answers leave a request's fate unknown. */
import { retryAfterSeconds, retryWaitMs, retryable, unanswered } from '../../contract/retry';

const POLICY = { maxAttempts: 4, maxWaitSeconds: 10, baseDelayMs: 1000 };

describe('Retry-After', () => {
	const now = Date.parse('Thu, 03 Dec 2026 21:00:00 GMT');
	it.each<[string | undefined, number | undefined]>([
		['7', 7],
		['0.5', 0.5],
		['Thu, 03 Dec 2026 21:00:30 GMT', 30],
		['Thu, 03 Dec 2026 20:59:00 GMT', 0],
		['-1', undefined],
		['7 s', undefined],
		['', undefined],
		[undefined, undefined],
		['soon', undefined],
	])('%j waits %j seconds', (value, seconds) => {
		expect(retryAfterSeconds(value, now)).toBe(seconds);
	});

	it('caps the wait at maxWaitSeconds and falls back to the doubling back-off', () => {
		expect(retryWaitMs(POLICY, 1, undefined)).toBe(1000);
		expect(retryWaitMs(POLICY, 3, undefined)).toBe(4000);
		expect(retryWaitMs(POLICY, 9, undefined)).toBe(10_000);
		expect(retryWaitMs(POLICY, 1, '3')).toBe(3000);
		expect(retryWaitMs(POLICY, 1, '3600')).toBe(10_000);
		expect(retryWaitMs(POLICY, 2, '-1')).toBe(2000);
	});
});

describe('which answers a retry may change, and which leave the request unanswered', () => {
	it.each<[number, boolean | undefined, boolean, boolean]>([
		[0, false, true, true],
		[0, true, true, false],
		[200, false, false, false],
		[400, false, false, false],
		[429, false, true, false],
		[500, false, true, false],
		[502, false, true, true],
		[503, false, true, false],
		[504, false, true, true],
		[524, false, true, true],
	])(
		'HTTP %i (not delivered: %j): retryable %j, unanswered %j',
		(status, notDelivered, canRetry, lost) => {
			expect(retryable({ status })).toBe(canRetry);
			expect(unanswered({ status, notDelivered })).toBe(lost);
		},
	);
});
