/** Outcome of a create request → the node's branch outputs, per routing mode. */
import {
	DOCUMENTED_ERRORS,
	PLATFORM_ERRORS,
	classifyDocumentedMessage,
	type CatalogueEntry,
	type ErrorGroup,
} from '../shared/errors';
import { isPlainObject } from '../shared/xml';
import type { ApiResult } from './transport/request';

export type ErrorRouting = 'perError' | 'grouped' | 'single';

/** Documented errors in the order of the node's outputs. */
export const BRANCH_ORDER: readonly CatalogueEntry[] = [
	DOCUMENTED_ERRORS.ENDPOINT_MISSING,
	DOCUMENTED_ERRORS.ISSUE_CODE_EMPTY,
	DOCUMENTED_ERRORS.PROVIDER_EMPTY,
	DOCUMENTED_ERRORS.ISSUE_CODE_OR_PROVIDER_UNKNOWN,
	DOCUMENTED_ERRORS.NO_RESOLUTION,
	DOCUMENTED_ERRORS.USER_NOT_RESOLVED,
	DOCUMENTED_ERRORS.BEING_RESOLVED,
	DOCUMENTED_ERRORS.CHAIN_CONFLICT,
	DOCUMENTED_ERRORS.CREATION_FAILED,
];

const GROUPS: Array<[ErrorGroup, string]> = [
	['alreadyBeingResolved', 'Already Being Resolved'],
	['fixInput', 'Fix Input'],
	['failed', 'Failed'],
];

export const OUTPUT_NAMES: Record<ErrorRouting, string[]> = {
	perError: ['Created', ...BRANCH_ORDER.map((e) => e.output), 'Other'],
	grouped: ['Created', ...GROUPS.map(([, name]) => name)],
	single: ['Created'],
};

/** The `outputs` expression: n8n evaluates it with the node's parameters (as the Switch node does). */
/**
 * The `outputs` expression: n8n evaluates it with the node's parameters (as the Switch node does).
 * Get has one output; alert presets add "Skipped" for alerts not sent on purpose.
 */
export const OUTPUTS_EXPRESSION: `={{${string}}}` = `={{((names, p) => (p.operation === "get" ? ["Issue"] : names[p.errorRouting || "perError"].concat(p.operation !== "chain" && (p.source || "manual") !== "manual" ? ["Skipped"] : [])).map((name) => ({ type: "main", displayName: name })))(${JSON.stringify(OUTPUT_NAMES)}, $parameter)}}`;

export type Outcome =
	| { kind: 'created'; experienceId: string }
	| { kind: 'error'; entry: CatalogueEntry; message: string; detail: string };

function envelope(data: unknown): { message?: string; detail?: string } {
	const error = isPlainObject(data) && isPlainObject(data.error) ? data.error : undefined;
	const text = (v: unknown) => (typeof v === 'string' ? v : v === undefined || v === null ? undefined : String(v));
	return { message: text(error?.message), detail: text(error?.detail) };
}

/** Reads an answer the way the API document describes it, tolerating `experienceId`. */
export function classify(result: ApiResult): Outcome {
	if (result.status === 0) {
		return { kind: 'error', entry: PLATFORM_ERRORS.NETWORK_ERROR, message: PLATFORM_ERRORS.NETWORK_ERROR.message, detail: result.networkError ?? '' };
	}
	if (result.status >= 200 && result.status < 300) {
		const res = isPlainObject(result.data) && isPlainObject(result.data.result) ? result.data.result : undefined;
		const id = res?.experience_id ?? res?.experienceId;
		if (typeof id === 'string' || typeof id === 'number') return { kind: 'created', experienceId: String(id) };
		return {
			kind: 'error',
			entry: PLATFORM_ERRORS.UNRECOGNISED_ANSWER,
			message: PLATFORM_ERRORS.UNRECOGNISED_ANSWER.message,
			detail: `HTTP ${result.status} without result.experience_id`,
		};
	}
	if (result.status >= 300 && result.status < 400) {
		const location = result.headers.location;
		return {
			kind: 'error',
			entry: PLATFORM_ERRORS.UNRECOGNISED_ANSWER,
			message: `The instance redirected the request (HTTP ${result.status})`,
			detail: `${location ? `To ${location}. ` : ''}Check the credential's Instance URL (https, the instance name) and that the instance is awake; the node does not follow redirects.`,
		};
	}
	const { message, detail } = envelope(result.data);
	const documented = classifyDocumentedMessage(message);
	if (documented) return { kind: 'error', entry: documented, message: message ?? documented.message, detail: detail ?? '' };
	const byStatus: Record<number, CatalogueEntry> = {
		401: PLATFORM_ERRORS.UNAUTHENTICATED,
		403: PLATFORM_ERRORS.FORBIDDEN,
		404: PLATFORM_ERRORS.NO_RECORD,
		405: PLATFORM_ERRORS.METHOD_NOT_ALLOWED,
		413: PLATFORM_ERRORS.PAYLOAD_TOO_LARGE,
		415: PLATFORM_ERRORS.UNSUPPORTED_MEDIA_TYPE,
		429: PLATFORM_ERRORS.RATE_LIMITED,
		503: PLATFORM_ERRORS.SERVICE_UNAVAILABLE,
	};
	const entry =
		byStatus[result.status] ??
		(message === PLATFORM_ERRORS.UNKNOWN_RESOURCE.message ? PLATFORM_ERRORS.UNKNOWN_RESOURCE : undefined) ??
		(message === PLATFORM_ERRORS.MALFORMED_BODY.message ? PLATFORM_ERRORS.MALFORMED_BODY : undefined) ??
		(result.status >= 500 ? PLATFORM_ERRORS.SERVER_ERROR : PLATFORM_ERRORS.UNRECOGNISED_ANSWER);
	return { kind: 'error', entry, message: message ?? entry.message, detail: detail ?? `HTTP ${result.status}` };
}

/** Output index of an outcome in the chosen routing mode (single: only Created, index 0). */
export function outputIndex(routing: ErrorRouting, outcome: Outcome): number {
	if (outcome.kind === 'created') return 0;
	if (routing === 'perError') {
		const at = BRANCH_ORDER.indexOf(outcome.entry);
		return at >= 0 ? at + 1 : BRANCH_ORDER.length + 1;
	}
	if (routing === 'grouped') {
		const group = outcome.entry.documented ? outcome.entry.group : 'failed';
		return GROUPS.findIndex(([g]) => g === group) + 1;
	}
	return 0;
}
