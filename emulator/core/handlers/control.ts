/** The control API under `/_emulator/`, for tests: health, journal, reset, issues, faults, tokens, registry, system properties, Virtual Agent conversations. */
import { isPlainObject } from '../../../contract/values';
import { jsonAnswer } from '../answer';
import type { Handler } from '../context';
import {
	FORCED_OUTCOMES,
	cannotForce,
	forceOutcome,
	playDue,
	type ForcedOutcome,
} from '../engagement';
import { setVaConversation, vaConversationNames } from '../conversations';
import { parseFaultSpec } from '../faults';
import { VA_CONVERSATION_PROPERTY, readProperties } from '../options';
import { CONTROL_PREFIX } from '../request';

export const handleControl: Handler = (state, call) => {
	const badRequest = (message: string) =>
		jsonAnswer(400, { error: { message, detail: '' }, status: 'failure' });
	const key = `${call.method} ${call.path.slice(CONTROL_PREFIX.length).replace(/\/+$/, '')}`;
	const jsonBody = (): Record<string, unknown> | undefined => {
		try {
			const parsed: unknown = JSON.parse(call.req.body || '{}');
			return isPlainObject(parsed) ? parsed : undefined;
		} catch {
			return undefined;
		}
	};
	const outcomeOf = /^POST issues\/([^/]+)\/outcome$/.exec(key);
	if (outcomeOf) {
		const body = jsonBody();
		const outcome = body?.outcome;
		if (typeof outcome !== 'string' || !(FORCED_OUTCOMES as readonly string[]).includes(outcome)) {
			return badRequest(`Send {"outcome": …} with one of ${FORCED_OUTCOMES.join(', ')}.`);
		}
		const id = decodeURIComponent(outcomeOf[1]);
		const issue = state.issues.get(id) ?? state.issues.byExperience(id);
		if (!issue)
			return jsonAnswer(404, {
				error: {
					message: 'No experience issue with this ID',
					detail: 'Give its sys_id or experience_id.',
				},
				status: 'failure',
			});
		const refused = cannotForce(issue);
		if (refused)
			return jsonAnswer(409, {
				error: { message: 'The outcome cannot be forced', detail: refused },
				status: 'failure',
			});
		forceOutcome(state, issue, outcome as ForcedOutcome);
		return jsonAnswer(200, { result: issue });
	}
	switch (key) {
		case 'GET health':
			return jsonAnswer(200, {
				status: 'ok',
				auth: state.settings.authMode,
				issues: state.issues.size,
			});
		case 'GET journal':
			return jsonAnswer(200, {
				result: state.journal.list(Number(new URLSearchParams(call.query).get('since')) || 0),
			});
		case 'DELETE journal':
			state.journal.clear();
			return jsonAnswer(200, { result: 'cleared' });
		case 'POST reset':
			state.reset();
			return jsonAnswer(200, { result: 'reset' });
		case 'GET issues':
			return jsonAnswer(200, { result: state.issues.all() });
		case 'GET incidents':
			return jsonAnswer(200, { result: state.incidents.all() });
		case 'POST clock/advance': {
			const seconds = jsonBody()?.seconds;
			if (
				typeof seconds !== 'number' ||
				!Number.isFinite(seconds) ||
				seconds < 0 ||
				seconds > 86_400 * 365
			) {
				return badRequest('Send {"seconds": N} with N from 0 to 31536000.');
			}
			state.advance(seconds * 1000);
			playDue(state);
			return jsonAnswer(200, { result: { now: new Date(state.now()).toISOString() } });
		}
		case 'GET faults':
			return jsonAnswer(200, { result: state.faults.list() });
		case 'DELETE faults':
			state.faults.clear();
			return jsonAnswer(200, { result: 'cleared' });
		case 'POST faults': {
			let raw: unknown;
			try {
				raw = JSON.parse(call.req.body);
			} catch {
				return badRequest(
					'Send the fault as a JSON object, e.g. {"status": 429, "retryAfter": 2}.',
				);
			}
			try {
				// Validate all before adding any.
				const parsed = (Array.isArray(raw) ? raw : [raw]).map((s) => parseFaultSpec(s));
				return jsonAnswer(200, { result: parsed.map((s) => state.faults.add(s)) });
			} catch (e) {
				return badRequest((e as Error).message);
			}
		}
		case 'GET properties':
			return jsonAnswer(200, { result: state.settings.properties });
		case 'POST properties': {
			const body = jsonBody();
			if (!body)
				return badRequest(
					`Send the properties as a JSON object, e.g. {"${VA_CONVERSATION_PROPERTY}": true}.`,
				);
			try {
				// Checked whole before any is set.
				Object.assign(state.settings.properties, readProperties(body, state.settings.properties));
			} catch (e) {
				return badRequest((e as Error).message);
			}
			return jsonAnswer(200, { result: state.settings.properties });
		}
		case 'GET va-conversations':
			return jsonAnswer(200, { result: vaConversationNames(state) });
		case 'POST va-conversations': {
			const body = jsonBody();
			const active = body?.active ?? true;
			if (typeof body?.user !== 'string' || typeof active !== 'boolean')
				return badRequest(
					'Send {"user": "<user_name or sys_id>", "active": true} (false ends the conversation).',
				);
			if (!setVaConversation(state, body.user, active))
				return jsonAnswer(404, {
					error: {
						message: 'No user with this user_name or sys_id',
						detail: 'Give a user of the registry (GET /_emulator/registry).',
					},
					status: 'failure',
				});
			return jsonAnswer(200, { result: vaConversationNames(state) });
		}
		case 'POST tokens/expire':
			return jsonAnswer(200, { result: { expired: state.tokens.expireAccessTokens() } });
		case 'GET registry': {
			const seed = structuredClone(state.registry.seed);
			for (const u of seed.users) delete u.password;
			for (const c of seed.oauth_clients) c.client_secret = '***';
			return jsonAnswer(200, { result: seed });
		}
		default:
			return jsonAnswer(404, {
				error: {
					message: 'Unknown control endpoint',
					detail: `Control endpoints: GET ${CONTROL_PREFIX}health, GET|DELETE journal, POST reset, GET issues, GET incidents, POST issues/{id}/outcome, POST clock/advance, GET|POST|DELETE faults, POST tokens/expire, GET registry, GET|POST properties, GET|POST va-conversations.`,
				},
				status: 'failure',
			});
	}
};
