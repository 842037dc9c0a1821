/**
 * THE catalogue of Proactive Engagement failures.
 *
 * Every message string the API documents lives here exactly once. The emulator builds its
 * responses from these entries and the action node classifies responses with them, so the two
 * can never drift apart.
 */

/** Outcome groups used by the action node's "Grouped" routing. */
export type ErrorGroup = 'alreadyBeingResolved' | 'fixInput' | 'failed';

export interface CatalogueEntry {
	/** Stable machine-readable code; part of the package's public contract. */
	readonly code: string;
	/** HTTP status the instance answers with. */
	readonly status: number;
	/** Message exactly as the API document words it (or as ServiceNow words undocumented ones). */
	readonly message: string;
	/** Default `detail` of the error envelope: the document's explanation of the error. */
	readonly detail: string;
	/** Name of the action node's branch output for this error. */
	readonly output: string;
	readonly group: ErrorGroup;
	/** True for the 400 errors the API document lists. */
	readonly documented: boolean;
	/**
	 * Position of the error's own output among the node's documented-error branches (1 = first
	 * after Created). Saved workflows connect outputs by position, so these never change.
	 */
	readonly branch?: number;
	/** What to do about it, for whoever reads the outcome (a builder's notification, an AI agent). */
	readonly nextStep: string;
}

function entry(e: CatalogueEntry): CatalogueEntry {
	return Object.freeze(e);
}

/** The documented 400 errors, in the order the instance validates a create request. */
export const DOCUMENTED_ERRORS = Object.freeze({
	ENDPOINT_MISSING: entry({
		code: 'ENDPOINT_MISSING',
		status: 400, output: 'Missing Endpoint', group: 'fixInput', documented: true, branch: 1,
		message: 'Invalid request. Provide endpoint details.',
		detail: 'An empty endpoint object was sent in the request.',
		nextStep: 'Give the endpoint: the user (sys_id, user name or email) or the device\'s configuration item, then send again.',
	}),
	ISSUE_CODE_EMPTY: entry({
		code: 'ISSUE_CODE_EMPTY',
		status: 400, output: 'Invalid Issue Code', group: 'fixInput', documented: true, branch: 2,
		message: 'Invalid issue code, please provide a valid issue code.',
		detail: 'An empty issue_code was sent in the request.',
		nextStep: 'Give the issue code of an entry deployed in the issue registry (the Issue Code picker lists them), then send again.',
	}),
	PROVIDER_EMPTY: entry({
		code: 'PROVIDER_EMPTY',
		status: 400, output: 'Invalid Provider', group: 'fixInput', documented: true, branch: 3,
		message: 'Invalid provider, please provide a valid provider.',
		detail: 'An empty provider was sent in the request.',
		nextStep: 'Give the provider code (sn unless the instance names another), then send again.',
	}),
	ISSUE_CODE_OR_PROVIDER_UNKNOWN: entry({
		code: 'ISSUE_CODE_OR_PROVIDER_UNKNOWN',
		status: 400, output: 'Unknown Issue Code or Provider', group: 'fixInput', documented: true, branch: 4,
		message: 'Invalid issue code or provider, please provide valid details.',
		detail: "Issue can't be detected in the instance. Verify issue_code and provider details.",
		nextStep: 'Use an issue code deployed in the issue registry for this provider (sn_pren_issue_registry); resending it unchanged fails the same way.',
	}),
	NO_RESOLUTION: entry({
		code: 'NO_RESOLUTION',
		status: 400, output: 'No Resolution', group: 'fixInput', documented: true, branch: 5,
		message: 'Issue code does not have a proper resolution.',
		detail: 'A valid resolution is not configured in the PUE framework for the issue identified.',
		nextStep: 'A ServiceNow admin must configure a resolution for this issue code; until then handle the problem another way (for example an incident). Resending fails the same way.',
	}),
	USER_NOT_RESOLVED: entry({
		code: 'USER_NOT_RESOLVED',
		status: 400, output: 'Unknown User', group: 'fixInput', documented: true, branch: 6,
		message: 'Could not resolve user from endpoint details, please provide valid details.',
		detail: 'The PUE framework is unable to identify the user from the given endpoint details.',
		nextStep: 'Correct the user: the sys_id, user name or email of an existing user, or a configuration item assigned to one; resending it unchanged fails the same way.',
	}),
	CHAIN_CONFLICT: entry({
		code: 'CHAIN_CONFLICT',
		status: 400, output: 'Chain Conflict', group: 'failed', documented: true, branch: 8,
		message:
			'Existing experience issue with given experience_id is still under execution or is closed.',
		detail:
			'The experience issue with this experience_id must be in action_wait state to send a new issue_code with the previous experience_id.',
		nextStep: 'Wait until the issue reaches action_wait (the trigger reports it), then chain the next issue code; a closed issue cannot take another: create a new issue without experience_id.',
	}),
	BEING_RESOLVED: entry({
		code: 'BEING_RESOLVED',
		status: 400, output: 'Already Being Resolved', group: 'alreadyBeingResolved', documented: true, branch: 7,
		message: 'An experience issue is being resolved with given issue code for specified user.',
		detail: 'The specified experience issue is currently in an in-progress or open state.',
		nextStep: 'Nothing to send: an issue with this issue code for this user is already open or in progress. Send again only after it closes (the trigger reports it).',
	}),
	CREATION_FAILED: entry({
		code: 'CREATION_FAILED',
		status: 400, output: 'Creation Failed', group: 'failed', documented: true, branch: 9,
		message: 'Error occurred while creating experience issue.',
		detail: 'This indicates a technical error.',
		nextStep: 'A technical error on the instance: try again later; if it persists, a ServiceNow admin should read the system log.',
	}),
});

export type DocumentedErrorCode = keyof typeof DOCUMENTED_ERRORS;

/** Failures a real instance produces that the API document does not list. */
export const PLATFORM_ERRORS = Object.freeze({
	UNAUTHENTICATED: entry({
		code: 'UNAUTHENTICATED',
		status: 401, output: 'Other', group: 'failed', documented: false,
		message: 'User Not Authenticated',
		detail: 'Required to provide Auth information',
		nextStep: 'Fix the credential: the user name and password, or the OAuth client and its token.',
	}),
	FORBIDDEN: entry({
		code: 'FORBIDDEN',
		status: 403, output: 'Other', group: 'failed', documented: false,
		message: 'User Not Authorized',
		detail: 'The user does not have the role sn_pren.experience_issue_create this API requires.',
		nextStep: 'Give the integration user the role sn_pren.experience_issue_create (and read access to the tables the node reads).',
	}),
	UNKNOWN_RESOURCE: entry({
		code: 'UNKNOWN_RESOURCE',
		status: 400, output: 'Other', group: 'failed', documented: false,
		message: 'Requested URI does not represent any resource',
		detail: '',
		nextStep: 'Check the Instance URL and that Proactive Engagement is installed; try the other API Namespace (sn_pren or sn_srf).',
	}),
	NO_RECORD: entry({
		code: 'NO_RECORD',
		status: 404, output: 'Other', group: 'failed', documented: false,
		message: 'No Record found',
		detail: "Record doesn't exist or ACL restricts the record retrieval",
		nextStep: 'Check the Instance URL and the API Namespace; for reads, the ACLs of the table.',
	}),
	INVALID_TABLE: entry({
		code: 'INVALID_TABLE',
		status: 400, output: 'Other', group: 'failed', documented: false,
		message: 'Invalid table',
		detail: 'The table does not exist or is not readable through the Table API.',
		nextStep: 'Proactive Engagement or the table is missing on the instance, or the user may not read it: check the plugin and the roles.',
	}),
	METHOD_NOT_ALLOWED: entry({
		code: 'METHOD_NOT_ALLOWED',
		status: 405, output: 'Other', group: 'failed', documented: false,
		message: 'Method not Supported',
		detail: 'The HTTP method is not supported for this resource.',
		nextStep: 'Check the Instance URL and the API Namespace: this path does not take this method.',
	}),
	MALFORMED_BODY: entry({
		code: 'MALFORMED_BODY',
		status: 400, output: 'Other', group: 'fixInput', documented: false,
		message: 'Exception while reading request',
		detail: 'The request body could not be parsed.',
		nextStep: 'Fix the request body so it is valid JSON or XML (the item\'s request shows what was sent).',
	}),
	INVALID_FIELD_VALUE: entry({
		code: 'INVALID_FIELD_VALUE',
		status: 400, output: 'Other', group: 'fixInput', documented: false,
		message: 'Invalid field value',
		detail: 'A field of the request has a value the table does not accept.',
		nextStep: 'Correct the field the message names, then send again.',
	}),
	PAYLOAD_TOO_LARGE: entry({
		code: 'PAYLOAD_TOO_LARGE',
		status: 413, output: 'Other', group: 'failed', documented: false,
		message: 'Request entity too large',
		detail: 'The request body exceeds the size this instance accepts.',
		nextStep: 'Shorten investigative_details or input_parameters, then send again.',
	}),
	UNSUPPORTED_MEDIA_TYPE: entry({
		code: 'UNSUPPORTED_MEDIA_TYPE',
		status: 415, output: 'Other', group: 'fixInput', documented: false,
		message: 'Unsupported Media Type',
		detail: 'Send the body as application/json or application/xml.',
		nextStep: 'Send JSON or XML (the Request Format option).',
	}),
	RATE_LIMITED: entry({
		code: 'RATE_LIMITED',
		status: 429, output: 'Other', group: 'failed', documented: false,
		message: 'Too Many Requests',
		detail: 'The rate limit for this resource was exceeded. Retry after the time in Retry-After.',
		nextStep: 'Send fewer requests at once (lower Concurrency) and retry after the time the instance gave.',
	}),
	SERVER_ERROR: entry({
		code: 'SERVER_ERROR',
		status: 500, output: 'Other', group: 'failed', documented: false,
		message: 'Internal Server Error',
		detail: 'The instance failed to process the request.',
		nextStep: 'Retry later; if it persists, a ServiceNow admin should read the system log.',
	}),
	NETWORK_ERROR: entry({
		code: 'NETWORK_ERROR',
		status: 0, output: 'Other', group: 'failed', documented: false,
		message: 'No answer from the instance',
		detail: 'The connection failed, was reset, or timed out before an answer arrived.',
		nextStep: 'Check that the instance is reachable, then retry; mayHaveBeenCreated says whether an issue may already exist.',
	}),
	UNRECOGNISED_ANSWER: entry({
		code: 'UNRECOGNISED_ANSWER',
		status: 0, output: 'Other', group: 'failed', documented: false,
		message: 'Answer not recognised',
		detail: 'The instance answered with a status or message the API document does not list.',
		nextStep: 'Read the response field: the instance answered something the API document does not list.',
	}),
	UNRECOGNISED_PAYLOAD: entry({
		code: 'UNRECOGNISED_PAYLOAD',
		status: 0, output: 'Other', group: 'fixInput', documented: false,
		message: 'Monitoring payload not recognised',
		detail: 'The input item is not in the format of the chosen source.',
		nextStep: 'Give the node the monitoring tool\'s webhook body, or pick the matching source in Build From.',
	}),
	CI_NOT_FOUND: entry({
		code: 'CI_NOT_FOUND',
		status: 0, output: 'Other', group: 'fixInput', documented: false,
		message: 'No CI with this host name',
		detail: 'No cmdb_ci_computer record has the alert host as its name.',
		nextStep: 'Add the host to the CMDB (cmdb_ci_computer whose name is the host), or map the alert to a user instead.',
	}),
	CI_LOOKUP_FAILED: entry({
		code: 'CI_LOOKUP_FAILED',
		status: 0, output: 'Other', group: 'failed', documented: false,
		message: 'The CMDB lookup of the host failed',
		detail: 'The instance did not answer the cmdb_ci_computer read (rate limit, server error or no connection); the alert was not sent.',
		nextStep: 'Retry later: the CMDB read failed and nothing was sent.',
	}),
	ISSUE_NOT_FOUND: entry({
		code: 'ISSUE_NOT_FOUND',
		status: 404, output: 'Other', group: 'fixInput', documented: false,
		message: 'No experience issue with this ID',
		detail: 'No sn_pren_experience_issue record has this experience_id or sys_id.',
		nextStep: 'Check the experience_id or sys_id (and Find By): no issue has it.',
	}),
	SERVICE_UNAVAILABLE: entry({
		code: 'SERVICE_UNAVAILABLE',
		status: 503, output: 'Other', group: 'failed', documented: false,
		message: 'Service Unavailable',
		detail: 'The instance is temporarily unable to handle the request.',
		nextStep: 'Retry later: the instance is busy or under maintenance.',
	}),
});

export type PlatformErrorCode = keyof typeof PLATFORM_ERRORS;
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
