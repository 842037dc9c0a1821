/** The control API under `/_emulator/`, for tests: health, journal, reset, issues, faults, tokens, registry. */
import type { Handler } from '../context';
import { parseFaultSpec } from '../faults';
import { jsonAnswer } from '../http';

export const CONTROL_PREFIX = '/_emulator/';

export const handleControl: Handler = (state, call) => {
	const badRequest = (message: string) => jsonAnswer(400, { error: { message, detail: '' }, status: 'failure' });
	const key = `${call.method} ${call.path.slice(CONTROL_PREFIX.length).replace(/\/+$/, '')}`;
	switch (key) {
		case 'GET health':
			return jsonAnswer(200, { status: 'ok', auth: state.settings.auth, issues: state.issues.size });
		case 'GET journal':
			return jsonAnswer(200, { result: state.journal.list(Number(new URLSearchParams(call.query).get('since')) || 0) });
		case 'DELETE journal':
			state.journal.clear();
			return jsonAnswer(200, { result: 'cleared' });
		case 'POST reset':
			state.reset();
			return jsonAnswer(200, { result: 'reset' });
		case 'GET issues':
			return jsonAnswer(200, { result: state.issues.all() });
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
				return badRequest('Send the fault as a JSON object, e.g. {"status": 429, "retryAfter": 2}.');
			}
			try {
				// Validate all before adding any.
				const parsed = (Array.isArray(raw) ? raw : [raw]).map((s) => parseFaultSpec(s));
				return jsonAnswer(200, { result: parsed.map((s) => state.faults.add(s)) });
			} catch (e) {
				return badRequest((e as Error).message);
			}
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
					detail: `Control endpoints: GET ${CONTROL_PREFIX}health, GET|DELETE journal, POST reset, GET issues, GET|POST|DELETE faults, POST tokens/expire, GET registry.`,
				},
				status: 'failure',
			});
	}
};
