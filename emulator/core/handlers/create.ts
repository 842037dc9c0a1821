/** The create endpoint: the documented validation rules, in the order the instance applies them. */
import { BODY_FIELDS, CREATE_ROLE, ENDPOINT_FIELDS } from '../../../contract/api';
import { DOCUMENTED_ERRORS, PLATFORM_ERRORS, type CatalogueEntry } from '../../../contract/errors';
import { isPlainObject, scalarText } from '../../../contract/values';
import { bodyErrorResponse, render, renderError } from '../answer';
import type { EmulatorState, Handler, HandleResult } from '../context';
import { skipsEngagement } from '../conversations';
import { skipEngagement, startEngagement } from '../engagement';
import { glideDateTime } from '../dates';
import type { IssueContent, IssueRecord } from '../issueRecord';
import { notificationContentOf, type UserRecord } from '../registry';

/**
 * A create refused by one of the documented rules. Returned, not thrown: under an alert storm
 * most creates are refused ("being resolved"), and an Error would capture a stack trace each time.
 */
class Refusal {
	constructor(
		readonly entry: CatalogueEntry,
		readonly detail?: string,
	) {}
}

function optionalObject(
	body: Record<string, unknown>,
	field: string,
): Record<string, unknown> | Refusal {
	const value = body[field];
	if (value === undefined || value === null || value === '') return {};
	if (!isPlainObject(value)) {
		const example = field === BODY_FIELDS.inputParameters ? 'process_id' : 'cpu_usage';
		return new Refusal(
			DOCUMENTED_ERRORS.CREATION_FAILED,
			`${field} must be an object of key/value pairs, e.g. {"${example}": "…"}.`,
		);
	}
	return value;
}

/** The user: user_id, user_name, email, then the CI's assigned user. */
function resolveUser(
	state: EmulatorState,
	endpoint: Record<string, string>,
): UserRecord | undefined {
	const r = state.registry;
	const ci = endpoint.CI ? r.ci(endpoint.CI) : undefined;
	return (
		(endpoint.user_id ? r.userById(endpoint.user_id) : undefined) ??
		(endpoint.user_name ? r.userByName(endpoint.user_name) : undefined) ??
		(endpoint.email ? r.userByEmail(endpoint.email) : undefined) ??
		(ci?.assigned_to ? r.userById(ci.assigned_to) : undefined)
	);
}

function applyRules(
	state: EmulatorState,
	body: Record<string, unknown>,
	/** Characters of the request body: what the issue is counted as holding. */
	bodyLength: number,
): { issue: IssueRecord; chained: boolean; user: UserRecord } | Refusal {
	// 1. endpoint: an object with at least one non-empty identifying field.
	const endpointRaw = body[BODY_FIELDS.endpoint];
	const endpoint: Record<string, string> = {};
	if (isPlainObject(endpointRaw)) {
		for (const field of ENDPOINT_FIELDS) {
			const value = scalarText(endpointRaw[field]);
			if (value) endpoint[field] = value;
		}
	}
	if (Object.keys(endpoint).length === 0) return new Refusal(DOCUMENTED_ERRORS.ENDPOINT_MISSING);

	// 2, 3. issue_code and provider present.
	const issueCode = scalarText(body[BODY_FIELDS.issueCode]);
	if (!issueCode) return new Refusal(DOCUMENTED_ERRORS.ISSUE_CODE_EMPTY);
	const provider = scalarText(body[BODY_FIELDS.provider]);
	if (!provider) return new Refusal(DOCUMENTED_ERRORS.PROVIDER_EMPTY);

	// 4, 5. issue code registered and deployed for the provider, with a resolution.
	const registered =
		state.registry.provider(provider) && state.registry.issueCode(issueCode, provider);
	if (!registered || !registered.deployed)
		return new Refusal(DOCUMENTED_ERRORS.ISSUE_CODE_OR_PROVIDER_UNKNOWN);
	// No notification content: the docs name no error; the emulator answers as for no resolution.
	if (!registered.resolution || !notificationContentOf(registered))
		return new Refusal(DOCUMENTED_ERRORS.NO_RESOLUTION);

	// 6. the user.
	const user = resolveUser(state, endpoint);
	if (!user) return new Refusal(DOCUMENTED_ERRORS.USER_NOT_RESOLVED);

	const inputParameters = optionalObject(body, BODY_FIELDS.inputParameters);
	if (inputParameters instanceof Refusal) return inputParameters;
	const investigativeDetails = optionalObject(body, BODY_FIELDS.investigativeDetails);
	if (investigativeDetails instanceof Refusal) return investigativeDetails;
	const experienceId = scalarText(
		body[BODY_FIELDS.experienceId] ?? body[BODY_FIELDS.experienceIdAlias],
	);
	if (experienceId === null) {
		return new Refusal(
			DOCUMENTED_ERRORS.CREATION_FAILED,
			'experience_id must be a string or a number.',
		);
	}

	// 7. chaining onto an existing issue is allowed only while it waits in action_wait.
	const existing = experienceId ? state.issues.byExperience(experienceId) : undefined;
	if (existing && existing.state !== 'action_wait')
		return new Refusal(DOCUMENTED_ERRORS.CHAIN_CONFLICT);

	// 8. one open / in-progress issue per user and issue code.
	if (state.issues.beingResolved(user.sys_id, provider, issueCode, existing?.sys_id)) {
		return new Refusal(DOCUMENTED_ERRORS.BEING_RESOLVED);
	}

	// The emulator's own storage limits (an instance has its database): refused, never a crash.
	const { maxIssues, maxContentBytes } = state.settings;
	if (!existing && state.issues.size >= maxIssues) {
		return new Refusal(
			DOCUMENTED_ERRORS.CREATION_FAILED,
			`The emulator holds ${maxIssues} ${maxIssues === 1 ? 'issue' : 'issues'}, its limit (maxIssues, --max-issues): reset it (POST /_emulator/reset) or raise the limit.`,
		);
	}
	// Counted as the body that carried it: an upper bound of what the issue keeps, and free to measure.
	const bytes = bodyLength;
	const adding = bytes - (existing ? state.issues.weightOf(existing.sys_id) : 0);
	if (state.issues.contentBytes + adding > maxContentBytes) {
		return new Refusal(
			DOCUMENTED_ERRORS.CREATION_FAILED,
			`The issues held would pass ${maxContentBytes} bytes of endpoint, input parameters and investigative details, the emulator's limit (maxContentBytes): reset it (POST /_emulator/reset) or send less.`,
		);
	}

	const content: IssueContent = {
		issueCode,
		provider,
		state: state.settings.initialState,
		inputParameters,
		investigativeDetails,
		at: glideDateTime(state.now()),
	};
	let issue: IssueRecord;
	if (existing) {
		state.issues.chain(existing, content, bytes);
		issue = existing;
	} else {
		const ci = endpoint.CI && state.registry.ci(endpoint.CI) ? endpoint.CI : '';
		issue = state.issues.create(
			content,
			{ experienceId: experienceId ?? '', user: user.sys_id, configurationItem: ci, endpoint },
			bytes,
		);
	}
	// A user already in a Virtual Agent conversation, with the property on: skipped at once.
	if (skipsEngagement(state, user.sys_id)) skipEngagement(state, issue);
	else startEngagement(state, issue);
	return { issue, chained: existing !== undefined, user };
}

export const handleCreate: Handler = (state, call) => {
	const { format } = call;
	if (call.method !== 'POST') {
		return renderError(
			PLATFORM_ERRORS.METHOD_NOT_ALLOWED,
			format,
			'Use POST to create an experience issue.',
			{ allow: 'POST' },
		);
	}
	if (call.user && !state.registry.hasRole(call.user, CREATE_ROLE))
		return renderError(PLATFORM_ERRORS.FORBIDDEN, format);
	const parsed = call.body;
	if (!parsed.body) return bodyErrorResponse(parsed.error, format);
	const body = parsed.body;
	const refuse = (entry: CatalogueEntry, detail?: string): HandleResult => {
		const refused: HandleResult = renderError(entry, format, detail);
		refused.outcome = { kind: 'rejected', error: entry, body };
		return refused;
	};
	try {
		const created = applyRules(state, body, call.req.body.length);
		if (created instanceof Refusal) return refuse(created.entry, created.detail);
		const { issue, chained, user } = created;
		const answer: HandleResult = render(
			200,
			{ result: { [state.settings.responseIdKey]: issue.experience_id } },
			format,
		);
		answer.outcome = {
			kind: 'accepted',
			chained,
			// A copy the adapter may keep: the record itself changes when the issue is chained.
			issue: { ...issue, issue_code_history: [...issue.issue_code_history] },
			user: { sys_id: user.sys_id, user_name: user.user_name, name: user.name, email: user.email },
			body,
		};
		return answer;
	} catch {
		// Every create is answered: anything the rules did not foresee is the API's own failure.
		return refuse(DOCUMENTED_ERRORS.CREATION_FAILED);
	}
};
