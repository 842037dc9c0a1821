/**
 * Failures a real instance (or the node itself) produces that the API document does not list: the
 * one home of each such entry (authentication, missing resources, limits, server and network
 * failures, unreadable answers, alerts and lookups that cannot be sent). They all go to the Other
 * output. Import them from errors.ts, with the lookups.
 */
import { entry } from './catalogueEntry';

/** Failures a real instance produces that the API document does not list. */
export const PLATFORM_ERRORS = Object.freeze({
	UNAUTHENTICATED: entry({
		code: 'UNAUTHENTICATED',
		status: 401,
		output: 'Other',
		group: 'failed',
		documented: false,
		message: 'User Not Authenticated',
		detail: 'Required to provide Auth information',
		nextStep: 'Fix the credential: the user name and password, or the OAuth client and its token.',
	}),
	FORBIDDEN: entry({
		code: 'FORBIDDEN',
		status: 403,
		output: 'Other',
		group: 'failed',
		documented: false,
		message: 'User Not Authorized',
		detail: 'The user does not have the role sn_pren.experience_issue_create this API requires.',
		nextStep:
			'Give the integration user the role sn_pren.experience_issue_create (and read access to the tables the node reads).',
	}),
	UNKNOWN_RESOURCE: entry({
		code: 'UNKNOWN_RESOURCE',
		status: 400,
		output: 'Other',
		group: 'failed',
		documented: false,
		message: 'Requested URI does not represent any resource',
		detail: '',
		nextStep:
			'Check the Instance URL and that Proactive Engagement is installed; try the other API Namespace (sn_pren or sn_srf).',
	}),
	NO_RECORD: entry({
		code: 'NO_RECORD',
		status: 404,
		output: 'Other',
		group: 'failed',
		documented: false,
		message: 'No Record found',
		detail: "Record doesn't exist or ACL restricts the record retrieval",
		nextStep: 'Check the Instance URL and the API Namespace; for reads, the ACLs of the table.',
	}),
	INVALID_TABLE: entry({
		code: 'INVALID_TABLE',
		status: 400,
		output: 'Other',
		group: 'failed',
		documented: false,
		message: 'Invalid table',
		detail: 'The table does not exist or is not readable through the Table API.',
		nextStep:
			'Proactive Engagement or the table is missing on the instance, or the user may not read it: check the plugin and the roles.',
	}),
	METHOD_NOT_ALLOWED: entry({
		code: 'METHOD_NOT_ALLOWED',
		status: 405,
		output: 'Other',
		group: 'failed',
		documented: false,
		message: 'Method not Supported',
		detail: 'The HTTP method is not supported for this resource.',
		nextStep: 'Check the Instance URL and the API Namespace: this path does not take this method.',
	}),
	MALFORMED_BODY: entry({
		code: 'MALFORMED_BODY',
		status: 400,
		output: 'Other',
		group: 'fixInput',
		documented: false,
		message: 'Exception while reading request',
		detail: 'The request body could not be parsed.',
		nextStep:
			"Fix the request body so it is valid JSON or XML (the item's request shows what was sent).",
	}),
	INVALID_FIELD_VALUE: entry({
		code: 'INVALID_FIELD_VALUE',
		status: 400,
		output: 'Other',
		group: 'fixInput',
		documented: false,
		message: 'Invalid field value',
		detail: 'A field of the request has a value the table does not accept.',
		nextStep: 'Correct the field the message names, then send again.',
	}),
	PAYLOAD_TOO_LARGE: entry({
		code: 'PAYLOAD_TOO_LARGE',
		status: 413,
		output: 'Other',
		group: 'failed',
		documented: false,
		message: 'Request entity too large',
		detail: 'The request body exceeds the size this instance accepts.',
		nextStep: 'Shorten investigative_details or input_parameters, then send again.',
	}),
	UNSUPPORTED_MEDIA_TYPE: entry({
		code: 'UNSUPPORTED_MEDIA_TYPE',
		status: 415,
		output: 'Other',
		group: 'fixInput',
		documented: false,
		message: 'Unsupported Media Type',
		detail: 'Send the body as application/json or application/xml.',
		nextStep: 'Send JSON or XML (the Request Format option).',
	}),
	RATE_LIMITED: entry({
		code: 'RATE_LIMITED',
		status: 429,
		output: 'Other',
		group: 'failed',
		documented: false,
		message: 'Too Many Requests',
		detail: 'The rate limit for this resource was exceeded. Retry after the time in Retry-After.',
		nextStep:
			'Send fewer requests at once (lower Concurrency) and retry after the time the instance gave.',
	}),
	SERVER_ERROR: entry({
		code: 'SERVER_ERROR',
		status: 500,
		output: 'Other',
		group: 'failed',
		documented: false,
		message: 'Internal Server Error',
		detail: 'The instance failed to process the request.',
		nextStep: 'Retry later; if it persists, a ServiceNow admin should read the system log.',
	}),
	NETWORK_ERROR: entry({
		code: 'NETWORK_ERROR',
		status: 0,
		output: 'Other',
		group: 'failed',
		documented: false,
		message: 'No answer from the instance',
		detail: 'The connection failed, was reset, or timed out before an answer arrived.',
		nextStep:
			'Check that the instance is reachable, then retry; mayHaveBeenCreated says whether an issue may already exist.',
	}),
	UNRECOGNISED_ANSWER: entry({
		code: 'UNRECOGNISED_ANSWER',
		status: 0,
		output: 'Other',
		group: 'failed',
		documented: false,
		message: 'Answer not recognised',
		detail: 'The instance answered with a status or message the API document does not list.',
		nextStep:
			'Read the response field: the instance answered something the API document does not list.',
	}),
	UNRECOGNISED_PAYLOAD: entry({
		code: 'UNRECOGNISED_PAYLOAD',
		status: 0,
		output: 'Other',
		group: 'fixInput',
		documented: false,
		message: 'Monitoring payload not recognised',
		detail: 'The input item is not in the format of the chosen source.',
		nextStep:
			"Give the node the monitoring tool's webhook body, or pick the matching source in Build From.",
	}),
	CI_NOT_FOUND: entry({
		code: 'CI_NOT_FOUND',
		status: 0,
		output: 'Other',
		group: 'fixInput',
		documented: false,
		message: 'No CI with this host name',
		detail: 'No cmdb_ci_computer record has the alert host as its name.',
		nextStep:
			'Add the host to the CMDB (cmdb_ci_computer whose name is the host), or map the alert to a user instead.',
	}),
	CI_LOOKUP_FAILED: entry({
		code: 'CI_LOOKUP_FAILED',
		status: 0,
		output: 'Other',
		group: 'failed',
		documented: false,
		message: 'The CMDB lookup of the host failed',
		detail:
			'The instance did not answer the cmdb_ci_computer read (rate limit, server error or no connection); the alert was not sent.',
		nextStep: 'Retry later: the CMDB read failed and nothing was sent.',
	}),
	ISSUE_NOT_FOUND: entry({
		code: 'ISSUE_NOT_FOUND',
		status: 404,
		output: 'Other',
		group: 'fixInput',
		documented: false,
		message: 'No experience issue with this ID',
		detail: 'No sn_pren_experience_issue record has this experience_id or sys_id.',
		nextStep: 'Check the experience_id or sys_id (and Find By): no issue has it.',
	}),
	SERVICE_UNAVAILABLE: entry({
		code: 'SERVICE_UNAVAILABLE',
		status: 503,
		output: 'Other',
		group: 'failed',
		documented: false,
		message: 'Service Unavailable',
		detail: 'The instance is temporarily unable to handle the request.',
		nextStep: 'Retry later: the instance is busy or under maintenance.',
	}),
});

export type PlatformErrorCode = keyof typeof PLATFORM_ERRORS;
