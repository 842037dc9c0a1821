/**
 * The errors the Proactive Engagement API document lists: the one home of each documented message,
 * its status, its branch output (by position, never changed) and what to do about it. The
 * emulator answers with these entries and the action node classifies answers with them, so the two
 * can never drift apart. Import them from errors.ts, with the lookups.
 */
import { entry } from './catalogueEntry';

/** The documented 400 errors, in the order the instance validates a create request. */
export const DOCUMENTED_ERRORS = Object.freeze({
	ENDPOINT_MISSING: entry({
		code: 'ENDPOINT_MISSING',
		status: 400,
		output: 'Missing Endpoint',
		group: 'fixInput',
		documented: true,
		branch: 1,
		message: 'Invalid request. Provide endpoint details.',
		detail: 'An empty endpoint object was sent in the request.',
		nextStep:
			"Give the endpoint: the user (sys_id, user name or email) or the device's configuration item, then send again.",
	}),
	ISSUE_CODE_EMPTY: entry({
		code: 'ISSUE_CODE_EMPTY',
		status: 400,
		output: 'Invalid Issue Code',
		group: 'fixInput',
		documented: true,
		branch: 2,
		message: 'Invalid issue code, please provide a valid issue code.',
		detail: 'An empty issue_code was sent in the request.',
		nextStep:
			'Give the issue code of an entry deployed in the issue registry (the Issue Code picker lists them), then send again.',
	}),
	PROVIDER_EMPTY: entry({
		code: 'PROVIDER_EMPTY',
		status: 400,
		output: 'Invalid Provider',
		group: 'fixInput',
		documented: true,
		branch: 3,
		message: 'Invalid provider, please provide a valid provider.',
		detail: 'An empty provider was sent in the request.',
		nextStep: 'Give the provider code (sn unless the instance names another), then send again.',
	}),
	ISSUE_CODE_OR_PROVIDER_UNKNOWN: entry({
		code: 'ISSUE_CODE_OR_PROVIDER_UNKNOWN',
		status: 400,
		output: 'Unknown Issue Code or Provider',
		group: 'fixInput',
		documented: true,
		branch: 4,
		message: 'Invalid issue code or provider, please provide valid details.',
		detail: "Issue can't be detected in the instance. Verify issue_code and provider details.",
		nextStep:
			'Use an issue code deployed in the issue registry for this provider (sn_pren_issue_registry); resending it unchanged fails the same way.',
	}),
	NO_RESOLUTION: entry({
		code: 'NO_RESOLUTION',
		status: 400,
		output: 'No Resolution',
		group: 'fixInput',
		documented: true,
		branch: 5,
		message: 'Issue code does not have a proper resolution.',
		detail: 'A valid resolution is not configured in the PUE framework for the issue identified.',
		nextStep:
			'A ServiceNow admin must configure a resolution for this issue code; until then handle the problem another way (for example an incident). Resending fails the same way.',
	}),
	USER_NOT_RESOLVED: entry({
		code: 'USER_NOT_RESOLVED',
		status: 400,
		output: 'Unknown User',
		group: 'fixInput',
		documented: true,
		branch: 6,
		message: 'Could not resolve user from endpoint details, please provide valid details.',
		detail: 'The PUE framework is unable to identify the user from the given endpoint details.',
		nextStep:
			'Correct the user: the sys_id, user name or email of an existing user, or a configuration item assigned to one; resending it unchanged fails the same way.',
	}),
	CHAIN_CONFLICT: entry({
		code: 'CHAIN_CONFLICT',
		status: 400,
		output: 'Chain Conflict',
		group: 'failed',
		documented: true,
		branch: 8,
		message:
			'Existing experience issue with given experience_id is still under execution or is closed.',
		detail:
			'The experience issue with this experience_id must be in action_wait state to send a new issue_code with the previous experience_id.',
		nextStep:
			'Wait until the issue reaches action_wait (the trigger reports it), then chain the next issue code; a closed issue cannot take another: create a new issue without experience_id.',
	}),
	BEING_RESOLVED: entry({
		code: 'BEING_RESOLVED',
		status: 400,
		output: 'Already Being Resolved',
		group: 'alreadyBeingResolved',
		documented: true,
		branch: 7,
		message: 'An experience issue is being resolved with given issue code for specified user.',
		detail: 'The specified experience issue is currently in an in-progress or open state.',
		nextStep:
			'Nothing to send: an issue with this issue code for this user is already open or in progress. Send again only after it closes (the trigger reports it).',
	}),
	CREATION_FAILED: entry({
		code: 'CREATION_FAILED',
		status: 400,
		output: 'Creation Failed',
		group: 'failed',
		documented: true,
		branch: 9,
		message: 'Error occurred while creating experience issue.',
		detail: 'This indicates a technical error.',
		nextStep:
			'A technical error on the instance: try again later; if it persists, a ServiceNow admin should read the system log.',
	}),
});

export type DocumentedErrorCode = keyof typeof DOCUMENTED_ERRORS;
