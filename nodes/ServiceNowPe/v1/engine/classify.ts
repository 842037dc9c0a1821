/**
 * What an answer to a create request says, read once per answer the way the API document
 * describes it (tolerating `experienceId`): an issue created, or an entry of the error catalogue.
 */
import {
	PLATFORM_ERRORS,
	classifyDocumentedMessage,
	errorForStatus,
	type CatalogueEntry,
} from '../../../../contract/errors';
import { isPlainObject, text } from '../../../../contract/values';
import type { ApiResult, Attempt } from '../../shared/transport/request';

export type Verdict =
	| { kind: 'created'; experienceId: string }
	| { kind: 'error'; entry: CatalogueEntry; message: string; detail: string };

function errorOf(entry: CatalogueEntry, detail: string, message = entry.message): Verdict {
	return { kind: 'error', entry, message, detail };
}

/** Reads a create answer. */
function read(result: Attempt): Verdict {
	if (result.status === 0) return errorOf(PLATFORM_ERRORS.NETWORK_ERROR, result.networkError ?? '');
	if (result.status >= 200 && result.status < 300) {
		const res =
			isPlainObject(result.data) && isPlainObject(result.data.result)
				? result.data.result
				: undefined;
		const id = res?.experience_id ?? res?.experienceId;
		if (typeof id === 'string' || typeof id === 'number')
			return { kind: 'created', experienceId: String(id) };
		return errorOf(
			PLATFORM_ERRORS.UNRECOGNISED_ANSWER,
			`HTTP ${result.status} without result.experience_id`,
		);
	}
	if (result.status >= 300 && result.status < 400) {
		const location = result.headers.location;
		return errorOf(
			PLATFORM_ERRORS.UNRECOGNISED_ANSWER,
			`${location ? `To ${location}. ` : ''}Check the credential's Instance URL (https, the instance name) and that the instance is awake; the node does not follow redirects.`,
			`The instance redirected the request (HTTP ${result.status})`,
		);
	}
	const error =
		isPlainObject(result.data) && isPlainObject(result.data.error) ? result.data.error : {};
	const message =
		error.message === undefined || error.message === null ? undefined : text(error.message);
	const detail =
		error.detail === undefined || error.detail === null ? undefined : text(error.detail);
	const documented = classifyDocumentedMessage(message);
	if (documented) return errorOf(documented, detail ?? '', message);
	const entry =
		errorForStatus(result.status) ??
		[PLATFORM_ERRORS.UNKNOWN_RESOURCE, PLATFORM_ERRORS.MALFORMED_BODY].find(
			(e) => e.message === message,
		) ??
		PLATFORM_ERRORS.UNRECOGNISED_ANSWER;
	return errorOf(entry, detail ?? `HTTP ${result.status}`, message ?? entry.message);
}

/** An attempt with what it says: each answer is classified once, as it arrives. */
export type Answer = Attempt & { verdict: Verdict };

/** A create request's last answer, with its attempts. */
export type Result = ApiResult & { verdict: Verdict };

export function classify<T extends Attempt>(attempt: T): T & { verdict: Verdict } {
	return { ...attempt, verdict: read(attempt) };
}
