/**
 * THE catalogue of Proactive Engagement failures.
 *
 * Every message string the API documents lives in it exactly once. The emulator builds its
 * responses from these entries and the action node classifies responses with them, so the two
 * can never drift apart. This is where the catalogue is read from: the entries (documentedErrors.ts,
 * platformErrors.ts, their shape in catalogueEntry.ts) are re-exported here, with the whole
 * catalogue, the branch order and the lookups by status and by message.
 */
import type { CatalogueEntry } from './catalogueEntry';
import { DOCUMENTED_ERRORS, type DocumentedErrorCode } from './documentedErrors';
import { PLATFORM_ERRORS, type PlatformErrorCode } from './platformErrors';

export type { CatalogueEntry, ErrorGroup } from './catalogueEntry';
export { DOCUMENTED_ERRORS, type DocumentedErrorCode } from './documentedErrors';
export { PLATFORM_ERRORS, type PlatformErrorCode } from './platformErrors';

export type ErrorCode = DocumentedErrorCode | PlatformErrorCode;

export const ERROR_CATALOGUE: Readonly<Record<ErrorCode, CatalogueEntry>> = Object.freeze({
	...DOCUMENTED_ERRORS,
	...PLATFORM_ERRORS,
});

/** Documented errors in the order the instance validates a create request. */
export const DOCUMENTED_ERROR_LIST: readonly CatalogueEntry[] = Object.freeze(
	Object.values(DOCUMENTED_ERRORS),
);

/** Documented errors in the order of the action node's branch outputs. */
export const BRANCH_ORDER: readonly CatalogueEntry[] = Object.freeze(
	[...DOCUMENTED_ERROR_LIST].sort((a, b) => (a.branch ?? Infinity) - (b.branch ?? Infinity)),
);

/** The undocumented error an instance means by an HTTP status alone (other than 400). */
const BY_STATUS: ReadonlyMap<number, CatalogueEntry> = new Map([
	[401, PLATFORM_ERRORS.UNAUTHENTICATED],
	[403, PLATFORM_ERRORS.FORBIDDEN],
	[404, PLATFORM_ERRORS.NO_RECORD],
	[405, PLATFORM_ERRORS.METHOD_NOT_ALLOWED],
	[413, PLATFORM_ERRORS.PAYLOAD_TOO_LARGE],
	[415, PLATFORM_ERRORS.UNSUPPORTED_MEDIA_TYPE],
	[429, PLATFORM_ERRORS.RATE_LIMITED],
	[503, PLATFORM_ERRORS.SERVICE_UNAVAILABLE],
]);

export function errorForStatus(status: number): CatalogueEntry | undefined {
	return BY_STATUS.get(status) ?? (status >= 500 ? PLATFORM_ERRORS.SERVER_ERROR : undefined);
}

/** Lower-case, collapse whitespace, drop trailing punctuation: how instances vary a message. */
export function normaliseMessage(message: string): string {
	return message
		.toLowerCase()
		.replace(/\s+/g, ' ')
		.trim()
		.replace(/[\s.!;:,]+$/, '');
}

const BY_NORMALISED_MESSAGE = new Map<string, CatalogueEntry>(
	DOCUMENTED_ERROR_LIST.map((e) => [normaliseMessage(e.message), e]),
);

/**
 * Finds the documented error an instance's message stands for, tolerating differences of case,
 * whitespace and trailing punctuation. Returns undefined for a message the document does not list.
 */
export function classifyDocumentedMessage(message: unknown): CatalogueEntry | undefined {
	if (typeof message !== 'string') return undefined;
	return BY_NORMALISED_MESSAGE.get(normaliseMessage(message));
}

export function isErrorCode(code: string): code is ErrorCode {
	return Object.prototype.hasOwnProperty.call(ERROR_CATALOGUE, code);
}
