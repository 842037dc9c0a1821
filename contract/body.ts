/**
 * Builds create-issue request bodies; pure, shared by the node and the package's API. Body fields
 * take scalars only: an object given for the issue code or an endpoint field counts as empty.
 */
import { ENDPOINT_FIELDS, type CreateIssueBody, type EndpointField } from './api';
import { scalarText, setOwn, text } from './values';
import { toXmlDocument } from './xml';

export interface CreateIssueFields {
	endpoint?: Partial<Record<EndpointField, unknown>>;
	issue_code?: unknown;
	provider?: unknown;
	experience_id?: unknown;
	input_parameters?: Record<string, unknown>;
	investigative_details?: Record<string, unknown>;
}

/** A field the request cannot go without, named as the API names it, with how to fix it. */
export interface BodyProblem {
	field: string;
	/** Catalogue code of the documented error the instance would answer. */
	code: 'ENDPOINT_MISSING' | 'ISSUE_CODE_EMPTY' | 'PROVIDER_EMPTY';
	message: string;
}

/** Non-empty values only, as strings ("Number (parsed as a string)" in the API document). */
function compact(values: Record<string, unknown> | undefined): Record<string, string> | undefined {
	if (!values) return undefined;
	const out: Record<string, string> = {};
	for (const [key, value] of Object.entries(values)) {
		const k = key.trim();
		const v = text(value);
		if (k && v) setOwn(out, k, v);
	}
	return Object.keys(out).length ? out : undefined;
}

/**
 * The request body for the given fields: empty optional fields are left out. Returns the problems
 * that would make the instance refuse it (checked in the instance's order) instead of sending it.
 */
export function buildCreateIssueBody(fields: CreateIssueFields): {
	body: CreateIssueBody;
	problems: BodyProblem[];
} {
	const endpoint: Partial<Record<EndpointField, string>> = {};
	for (const field of ENDPOINT_FIELDS) {
		const value = scalarText(fields.endpoint?.[field]) ?? '';
		if (value) endpoint[field] = value;
	}
	const body: CreateIssueBody = {
		endpoint,
		issue_code: scalarText(fields.issue_code) ?? '',
		provider: scalarText(fields.provider) ?? '',
	};
	const experienceId = scalarText(fields.experience_id) ?? '';
	if (experienceId) body.experience_id = experienceId;
	const inputParameters = compact(fields.input_parameters);
	if (inputParameters) body.input_parameters = inputParameters;
	const details = compact(fields.investigative_details);
	if (details) body.investigative_details = details;

	const problems: BodyProblem[] = [];
	if (Object.keys(endpoint).length === 0) {
		problems.push({
			field: 'endpoint',
			code: 'ENDPOINT_MISSING',
			message:
				'No endpoint field is set: give at least one of Endpoint CI (sys_id), Email, User ID (sys_id) or User Name.',
		});
	}
	if (!body.issue_code) {
		problems.push({
			field: 'issue_code',
			code: 'ISSUE_CODE_EMPTY',
			message: 'Issue Code is empty: set the issue code registered in the instance (e.g. "100").',
		});
	}
	if (!body.provider) {
		problems.push({
			field: 'provider',
			code: 'PROVIDER_EMPTY',
			message: 'Provider is empty: set the provider_code of the provider (e.g. "sn").',
		});
	}
	return { body, problems };
}

export type RequestFormat = 'json' | 'xml';

export function serialiseBody(body: CreateIssueBody, format: RequestFormat): string {
	return format === 'xml'
		? toXmlDocument('request', body as unknown as Record<string, unknown>)
		: JSON.stringify(body);
}
