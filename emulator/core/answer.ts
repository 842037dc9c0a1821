/** The emulator's answers: ServiceNow's envelopes in JSON or XML, and plain JSON outside them. */
import { PLATFORM_ERRORS, type CatalogueEntry } from '../../contract/errors';
import { toXmlResponse } from '../../contract/xml';
import type { BodyError } from './request';

export interface EmulatorResponse {
	status: number;
	headers: Record<string, string>;
	body: string;
	/** Wait this long before answering (fault injection). */
	delayMs?: number;
	/** Destroy the connection instead of answering (fault injection). */
	drop?: boolean;
	/** Catalogue code of the error answered, when the answer is one. */
	errorCode?: string;
	/** The `detail` of that error envelope, so adapters need not parse the body again. */
	errorDetail?: string;
}

export type ResponseFormat = 'json' | 'xml';

export function render(
	status: number,
	body: Record<string, unknown>,
	format: ResponseFormat,
	extraHeaders: Record<string, string> = {},
): EmulatorResponse {
	return {
		status,
		headers: {
			'content-type':
				format === 'xml' ? 'application/xml;charset=UTF-8' : 'application/json;charset=UTF-8',
			...extraHeaders,
		},
		body: format === 'xml' ? toXmlResponse(body) : JSON.stringify(body),
	};
}

export function errorEnvelope(entry: CatalogueEntry, detail?: string): Record<string, unknown> {
	return { error: { message: entry.message, detail: detail ?? entry.detail }, status: 'failure' };
}

export function renderError(
	entry: CatalogueEntry,
	format: ResponseFormat,
	detail?: string,
	extraHeaders?: Record<string, string>,
): EmulatorResponse {
	return {
		...render(entry.status, errorEnvelope(entry, detail), format, extraHeaders),
		errorCode: entry.code,
		errorDetail: detail ?? entry.detail,
	};
}

/** 415 for a body of another type, 400 for one that cannot be read. */
export function bodyErrorResponse(
	error: BodyError | undefined,
	format: ResponseFormat,
): EmulatorResponse {
	return renderError(
		error?.unsupportedType
			? PLATFORM_ERRORS.UNSUPPORTED_MEDIA_TYPE
			: PLATFORM_ERRORS.MALFORMED_BODY,
		format,
		error?.message,
	);
}

/** A JSON answer outside ServiceNow's envelopes (OAuth, control API). */
export function jsonAnswer(
	status: number,
	body: unknown,
	headers: Record<string, string> = {},
): EmulatorResponse {
	return {
		status,
		headers: { 'content-type': 'application/json;charset=UTF-8', ...headers },
		body: JSON.stringify(body),
	};
}
