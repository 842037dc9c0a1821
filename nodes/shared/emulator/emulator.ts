/**
 * A pure model of ServiceNow's Proactive Engagement endpoint (and the slice of the platform
 * around it: Table API, Basic/OAuth auth). No n8n, no sockets: a request and the state in, a
 * response out. The standalone server and the n8n trigger node are thin adapters over it.
 *
 * `handle` is synchronous, so concurrent requests are applied one at a time: 50 simultaneous
 * identical creates yield one issue and 49 "being resolved" answers.
 */
import {
	CREATE_ROLE,
	ISSUE_STATES,
	NAMESPACES,
	OAUTH_AUTHORIZE_PATH,
	OAUTH_TOKEN_PATH,
	TABLES,
	TABLE_API_PREFIX,
	isIssueState,
	type IssueState,
} from '../api';
import { ERROR_CATALOGUE, DOCUMENTED_ERRORS, PLATFORM_ERRORS, isErrorCode, type CatalogueEntry } from '../errors';
import { isPlainObject } from '../xml';
import { FaultList, parseFaultSpec, type Fault, type FaultSpec, type Route } from './faults';
import {
	BodyError,
	header,
	parseRequestBody,
	render,
	renderError,
	responseFormat,
	type EmulatorRequest,
	type EmulatorResponse,
	type ResponseFormat,
} from './http';
import { IssueStore, glideDateTime, newSysId, type IssueRecord, type IssueSnapshot } from './issues';
import { Journal, type JournalEntry } from './journal';
import { Registry, defaultSeed, type Seed, type UserRecord } from './registry';
import { issueRow, parseEncodedQuery, pickFields, queryRows, tableRows } from './table';
import { TokenStore, type TokenSnapshot } from './tokens';

export type AuthMode = 'none' | 'basic' | 'oauth';
export const AUTH_MODES: readonly AuthMode[] = ['none', 'basic', 'oauth'];

export interface EmulatorOptions {
	/** Registry; the built-in seed when absent. */
	seed?: Seed;
	/** Authentication required of API calls (default 'none'). */
	auth?: AuthMode;
	/** State new experience issues start in (default 'open'). */
	initialState?: IssueState;
	/** Lifetime of OAuth access tokens in seconds (default 1800). */
	tokenTtlSeconds?: number;
	/** Journal entries kept (default 1000). */
	journalLimit?: number;
	/** Largest request body accepted, in bytes (default 1 MiB); larger gets 413. */
	maxBodyBytes?: number;
	/** Serve the `/_emulator/...` control API (default true). */
	control?: boolean;
	/** Key of the id in a create response (default 'experience_id', as the document's example). */
	responseIdKey?: 'experience_id' | 'experienceId';
	/** State to start from (see `snapshot()`). */
	state?: EmulatorSnapshot;
	/** Faults in force from the start (e.g. forced outcomes; `count: 0` keeps one for good). */
	faults?: FaultSpec[];
	/** Clock (ms since epoch); tests may pass their own. */
	now?: () => number;
}

export interface EmulatorSnapshot {
	version: 1;
	issues: IssueSnapshot;
	tokens: TokenSnapshot;
}

/** What a create request did, for adapters that react to it (the trigger node's outputs). */
export type CreateOutcome =
	| {
			kind: 'accepted';
			chained: boolean;
			issue: IssueRecord;
			user: Pick<UserRecord, 'sys_id' | 'user_name' | 'name' | 'email'>;
			body: Record<string, unknown>;
	  }
	| {
			kind: 'rejected';
			error: CatalogueEntry;
			body: Record<string, unknown> | undefined;
	  };

export interface HandleResult extends EmulatorResponse {
	/** Set for create requests that reached the rules (or a forced error). */
	outcome?: CreateOutcome;
}

export const CONTROL_PREFIX = '/_emulator/';

/** The catalogue entry an injected status answers with (any other status: a server error). */
const FAULT_STATUS_ERRORS: Record<number, CatalogueEntry> = {
	401: PLATFORM_ERRORS.UNAUTHENTICATED,
	403: PLATFORM_ERRORS.FORBIDDEN,
	429: PLATFORM_ERRORS.RATE_LIMITED,
	503: PLATFORM_ERRORS.SERVICE_UNAVAILABLE,
};

const CREATE_PATHS = new Set(
	NAMESPACES.map((ns) => `/api/${ns}/self_remediation/experience_issue/create`),
);

interface Caller {
	user?: UserRecord;
}

/**
 * A create refused by one of the documented rules. Returned, not thrown: under an alert storm
 * most creates are refused ("being resolved"), and an Error would capture a stack trace each
 * time, which cost more than the rest of the request together.
 */
class Refusal {
	constructor(
		readonly entry: CatalogueEntry,
		readonly detail?: string,
	) {}
}

/** Text of a scalar field; undefined for missing/null, null for a value that is not a scalar. */
function scalar(value: unknown): string | undefined | null {
	if (value === undefined || value === null) return undefined;
	if (typeof value === 'string') return value.trim();
	if (typeof value === 'number' || typeof value === 'boolean') return String(value);
	return null;
}

function optionalObject(body: Record<string, unknown>, field: string): Record<string, unknown> | Refusal {
	const value = body[field];
	if (value === undefined || value === null || value === '') return {};
	if (!isPlainObject(value)) {
		return new Refusal(
			DOCUMENTED_ERRORS.CREATION_FAILED,
			`${field} must be an object of key/value pairs, e.g. {"${field === 'input_parameters' ? 'process_id' : 'cpu_usage'}": "…"}.`,
		);
	}
	return value;
}

export class Emulator {
	readonly auth: AuthMode;
	readonly initialState: IssueState;
	readonly maxBodyBytes: number;
	private registry: Registry;
	private readonly issues = new IssueStore();
	private readonly tokens = new TokenStore();
	private readonly faults = new FaultList();
	private readonly journal: Journal;
	private readonly tokenTtlSeconds: number;
	private readonly control: boolean;
	private readonly responseIdKey: 'experience_id' | 'experienceId';
	private readonly now: () => number;
	private readonly listeners = new Set<() => void>();
	/** One-time authorization codes of the authorization-code grant: code → client and user. */
	private readonly authorizationCodes = new Map<string, { client_id: string; user_name: string; redirect_uri: string }>();

	constructor(options: EmulatorOptions = {}) {
		this.registry = new Registry(options.seed ?? defaultSeed());
		this.auth = options.auth ?? 'none';
		if (!AUTH_MODES.includes(this.auth)) {
			throw new Error(`auth must be one of ${AUTH_MODES.join(', ')} (got "${this.auth}").`);
		}
		this.initialState = options.initialState ?? 'open';
		if (!isIssueState(this.initialState)) {
			throw new Error(`initialState must be one of ${ISSUE_STATES.join(', ')}.`);
		}
		this.tokenTtlSeconds = options.tokenTtlSeconds ?? 1800;
		this.journal = new Journal(options.journalLimit ?? 1000);
		this.maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
		this.control = options.control ?? true;
		this.responseIdKey = options.responseIdKey ?? 'experience_id';
		this.now = options.now ?? Date.now;
		if (options.state) this.restore(options.state);
		for (const fault of options.faults ?? []) this.faults.add(fault);
	}

	/** Called after every change of state (issues, tokens): adapters persist it. */
	onChange(listener: () => void): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}

	private changed(): void {
		for (const listener of this.listeners) listener();
	}

	// ---------------------------------------------------------------- state

	snapshot(): EmulatorSnapshot {
		return { version: 1, issues: this.issues.snapshot(), tokens: this.tokens.snapshot() };
	}

	restore(snapshot: EmulatorSnapshot): void {
		if (!isPlainObject(snapshot) || snapshot.version !== 1 || !isPlainObject(snapshot.issues)) {
			throw new Error('State is not an emulator snapshot (version 1); delete the state file or pass another.');
		}
		// A plain copy: stored state may arrive wrapped (n8n's static data is an observable proxy).
		const copy = JSON.parse(JSON.stringify(snapshot)) as EmulatorSnapshot;
		this.issues.restore(copy.issues);
		this.tokens.restore(copy.tokens ?? { access: [], refresh: [] });
	}

	/** Clears issues, tokens, journal and faults; the registry stays. */
	reset(): void {
		this.issues.clear();
		this.tokens.clear();
		this.journal.clear();
		this.faults.clear();
		this.changed();
	}

	listIssues(): IssueRecord[] {
		return structuredClone(this.issues.all());
	}

	journalEntries(since = 0): JournalEntry[] {
		return this.journal.list(since);
	}

	clearJournal(): void {
		this.journal.clear();
	}

	injectFault(spec: FaultSpec): Fault {
		return this.faults.add(spec);
	}

	listFaults(): Fault[] {
		return this.faults.list();
	}

	clearFaults(): void {
		this.faults.clear();
	}

	expireAccessTokens(): number {
		return this.tokens.expireAccessTokens();
	}

	get seed(): Seed {
		return this.registry.seed;
	}

	/** Sets an issue's state as the Table API does; undefined when no such issue. */
	setIssueState(sysIdOrExperienceId: string, state: IssueState): IssueRecord | undefined {
		const issue = this.issues.get(sysIdOrExperienceId) ?? this.issues.byExperience(sysIdOrExperienceId);
		if (!issue) return undefined;
		this.issues.update(issue, (i) => {
			i.state = state;
			i.sys_updated_on = glideDateTime(this.now());
		});
		this.changed();
		return structuredClone(issue);
	}

	// ---------------------------------------------------------------- dispatch

	handle(req: EmulatorRequest): HandleResult {
		const method = req.method.toUpperCase();
		const [rawPath, query = ''] = splitUrl(req.url);
		const path = rawPath.includes('//') ? rawPath.replace(/\/{2,}/g, '/') : rawPath;
		const format = responseFormat(req.headers);

		if (this.control && path.startsWith(CONTROL_PREFIX)) {
			return this.handleControl(method, path.slice(CONTROL_PREFIX.length), query, req);
		}

		const route = routeOf(path);
		let parsed: ParsedBody | undefined;
		const body = (): ParsedBody => (parsed ??= parseBodyOnce(req));

		let result: HandleResult;
		let fault: Fault | undefined;
		const bodyBytes = req.bodyBytes ?? Buffer.byteLength(req.body);
		if (bodyBytes > this.maxBodyBytes) {
			result = renderError(
				PLATFORM_ERRORS.PAYLOAD_TOO_LARGE,
				format,
				`The body has more than ${this.maxBodyBytes} bytes, the most this emulator accepts.`,
			);
		} else {
			fault = this.faults.size === 0 ? undefined : this.faults.take({
				route,
				method,
				path,
				issueCode: () => scalar(body().body?.issue_code) ?? undefined,
			});
			result = this.applyFault(fault, format) ?? this.route(route, method, path, query, req, format, body);
			if (route === 'create' && !result.outcome && result.status >= 400 && !result.drop) {
				// Every refused create (auth, body, injected status) reaches adapters as a rejection.
				const entry = result.errorCode && isErrorCode(result.errorCode) ? ERROR_CATALOGUE[result.errorCode] : PLATFORM_ERRORS.SERVER_ERROR;
				result.outcome = { kind: 'rejected', error: entry, body: body().body };
			}
			if (fault?.delayMs) result.delayMs = fault.delayMs;
			if (fault?.drop === 'after') result.drop = true;
		}

		const errorCode = result.outcome?.kind === 'rejected' ? result.outcome.error.code : result.errorCode;
		const extra = errorCode || fault ? { ...(errorCode ? { errorCode } : {}), ...(fault ? { fault: describeFault(fault) } : {}) } : undefined;
		this.journal.record(req, query ? `${rawPath}?${query}` : rawPath, route, result, this.now(), extra);
		return result;
	}

	private applyFault(fault: Fault | undefined, format: ResponseFormat): HandleResult | undefined {
		if (!fault) return undefined;
		if (fault.drop === 'before') return { status: 0, headers: {}, body: '', drop: true };
		if (fault.error) {
			const entry = ERROR_CATALOGUE[fault.error];
			return renderError(entry, format, `${entry.detail} (injected fault)`);
		}
		if (fault.status) {
			const entry = FAULT_STATUS_ERRORS[fault.status] ?? PLATFORM_ERRORS.SERVER_ERROR;
			const headers: Record<string, string> = {};
			if (fault.status === 429 || fault.status === 503) {
				const retryAfter = fault.retryAfter ?? 1;
				headers['retry-after'] = String(retryAfter);
				if (fault.status === 429) {
					headers['x-ratelimit-limit'] = '100';
					headers['x-ratelimit-remaining'] = '0';
					headers['x-ratelimit-reset'] = String(Math.ceil(this.now() / 1000) + retryAfter);
				}
			}
			const rendered = renderError(entry, format, `${entry.detail} (injected fault)`, headers);
			return { ...rendered, status: fault.status };
		}
		return undefined;
	}

	private route(
		route: Route,
		method: string,
		path: string,
		query: string,
		req: EmulatorRequest,
		format: ResponseFormat,
		body: () => ParsedBody,
	): HandleResult {
		if (route === 'authorize') return this.handleAuthorize(query);
		if (route === 'token') {
			return method === 'POST'
				? this.handleToken(req)
				: renderError(PLATFORM_ERRORS.METHOD_NOT_ALLOWED, format, `Use POST for ${OAUTH_TOKEN_PATH}.`);
		}
		const caller = this.authenticate(req);
		if (!caller) {
			return renderError(PLATFORM_ERRORS.UNAUTHENTICATED, format, undefined, {
				'www-authenticate': this.auth === 'oauth' ? 'Bearer realm="Service-now"' : 'Basic realm="Service-now"',
			});
		}
		if (route === 'create') {
			if (method !== 'POST') {
				return renderError(PLATFORM_ERRORS.METHOD_NOT_ALLOWED, format, 'Use POST to create an experience issue.', {
					allow: 'POST',
				});
			}
			if (caller.user && !this.registry.hasRole(caller.user, CREATE_ROLE)) {
				return renderError(PLATFORM_ERRORS.FORBIDDEN, format);
			}
			return this.handleCreate(format, body());
		}
		if (route === 'table') return this.handleTable(method, path, query, format, body);
		return renderError(PLATFORM_ERRORS.UNKNOWN_RESOURCE, format);
	}

	// ---------------------------------------------------------------- auth

	private authenticate(req: EmulatorRequest): Caller | undefined {
		if (this.auth === 'none') return {};
		const authorization = header(req.headers, 'authorization');
		const [scheme, credentials = ''] = authorization.split(/\s+/, 2);
		if (this.auth === 'basic' && scheme?.toLowerCase() === 'basic') {
			const decoded = Buffer.from(credentials, 'base64').toString('utf8');
			const colon = decoded.indexOf(':');
			if (colon < 0) return undefined;
			const user = this.registry.userByName(decoded.slice(0, colon));
			if (!user || user.password === undefined || user.password !== decoded.slice(colon + 1)) return undefined;
			return { user };
		}
		if (this.auth === 'oauth' && scheme?.toLowerCase() === 'bearer') {
			const grant = this.tokens.accessGrant(credentials, this.now());
			const user = grant && this.registry.userByName(grant.user_name);
			return user ? { user } : undefined;
		}
		return undefined;
	}

	/**
	 * The authorization-code grant's browser step. There is no login page: the code is issued at
	 * once for the client's own user, and the browser is sent back to the redirect URI.
	 */
	private handleAuthorize(query: string): HandleResult {
		const params = new URLSearchParams(query);
		const client = this.registry.oauthClient(params.get('client_id') ?? '');
		const redirectUri = params.get('redirect_uri') ?? '';
		const html = (status: number, text: string): HandleResult => ({
			status,
			headers: { 'content-type': 'text/html;charset=UTF-8' },
			body: `<!doctype html><title>OAuth</title><p>${text.replace(/[<&]/g, (c) => (c === '<' ? '&lt;' : '&amp;'))}</p>`,
		});
		if (!client) return html(400, 'Unknown client_id: use a client of the registry (built-in: pe-emulator-client).');
		if (params.get('response_type') !== 'code') return html(400, 'response_type must be "code".');
		if (!/^https?:\/\//.test(redirectUri)) return html(400, 'redirect_uri must be an http(s) URL.');
		const code = newSysId();
		this.authorizationCodes.set(code, { client_id: client.client_id, user_name: client.user, redirect_uri: redirectUri });
		const target = new URL(redirectUri);
		target.searchParams.set('code', code);
		const state = params.get('state');
		if (state !== null) target.searchParams.set('state', state);
		return { status: 302, headers: { location: target.toString() }, body: '' };
	}

	private handleToken(req: EmulatorRequest): HandleResult {
		const params = new URLSearchParams(req.body);
		const oauthError = (status: number, error: string, description: string): HandleResult => ({
			status,
			headers: { 'content-type': 'application/json;charset=UTF-8' },
			body: JSON.stringify({ error, error_description: description }),
		});
		let clientId = params.get('client_id') ?? '';
		let clientSecret = params.get('client_secret') ?? '';
		const authorization = header(req.headers, 'authorization');
		if (!clientId && /^basic\s/i.test(authorization)) {
			const decoded = Buffer.from(authorization.replace(/^basic\s+/i, ''), 'base64').toString('utf8');
			const colon = decoded.indexOf(':');
			clientId = decodeURIComponent(decoded.slice(0, Math.max(colon, 0)));
			clientSecret = decodeURIComponent(decoded.slice(colon + 1));
		}
		const client = this.registry.oauthClient(clientId);
		if (!client || client.client_secret !== clientSecret) {
			return oauthError(401, 'invalid_client', 'Client authentication failed: check the client ID and client secret.');
		}
		const grantType = params.get('grant_type') ?? '';
		let userName: string;
		let refreshToken: string | undefined;
		if (grantType === 'password') {
			const user = this.registry.userByName(params.get('username') ?? '');
			if (!user || user.password === undefined || user.password !== (params.get('password') ?? '')) {
				return oauthError(401, 'access_denied', 'The user name or password is not valid.');
			}
			userName = user.user_name;
		} else if (grantType === 'client_credentials') {
			userName = client.user;
		} else if (grantType === 'authorization_code') {
			const code = this.authorizationCodes.get(params.get('code') ?? '');
			if (!code || code.client_id !== client.client_id) {
				return oauthError(400, 'invalid_grant', 'The authorization code is not valid or was used already.');
			}
			this.authorizationCodes.delete(params.get('code') ?? '');
			userName = code.user_name;
		} else if (grantType === 'refresh_token') {
			refreshToken = params.get('refresh_token') ?? '';
			const grant = this.tokens.refreshGrant(refreshToken, this.now());
			if (!grant || grant.client_id !== client.client_id) {
				return oauthError(401, 'invalid_grant', 'The refresh token is not valid or has expired; authenticate again.');
			}
			userName = grant.user_name;
		} else {
			return oauthError(
				400,
				'unsupported_grant_type',
				'grant_type must be one of password, client_credentials, authorization_code, refresh_token.',
			);
		}
		const tokens = this.tokens.issue(userName, client.client_id, this.now(), this.tokenTtlSeconds, refreshToken);
		this.changed();
		return {
			status: 200,
			headers: { 'content-type': 'application/json;charset=UTF-8', 'cache-control': 'no-store' },
			body: JSON.stringify({ ...tokens, scope: 'useraccount', token_type: 'Bearer' }),
		};
	}

	// ---------------------------------------------------------------- create

	private handleCreate(format: ResponseFormat, parsed: ParsedBody): HandleResult {
		if (!parsed.body) return bodyErrorResponse(parsed.error, format);
		const body = parsed.body;
		const refuse = (entry: CatalogueEntry, detail?: string): HandleResult => {
			const refused: HandleResult = renderError(entry, format, detail);
			refused.outcome = { kind: 'rejected', error: entry, body };
			return refused;
		};
		try {
			const created = this.createIssue(body);
			if (created instanceof Refusal) return refuse(created.entry, created.detail);
			const { issue, chained, user } = created;
			const answer: HandleResult = render(200, { result: { [this.responseIdKey]: issue.experience_id } }, format);
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
	}

	/** The documented rules, in the order the instance applies them. */
	private createIssue(body: Record<string, unknown>):
		| {
				issue: IssueRecord;
				chained: boolean;
				user: UserRecord;
		  }
		| Refusal {
		// 1. endpoint: an object with at least one non-empty identifying field.
		const endpointRaw = body.endpoint;
		const endpoint: Record<string, string> = {};
		if (isPlainObject(endpointRaw)) {
			for (const field of ['CI', 'email', 'user_id', 'user_name']) {
				const value = scalar(endpointRaw[field]);
				if (value) endpoint[field] = value;
			}
		}
		if (Object.keys(endpoint).length === 0) return new Refusal(DOCUMENTED_ERRORS.ENDPOINT_MISSING);

		// 2, 3. issue_code and provider present.
		const issueCode = scalar(body.issue_code);
		if (!issueCode) return new Refusal(DOCUMENTED_ERRORS.ISSUE_CODE_EMPTY);
		const providerCode = scalar(body.provider);
		if (!providerCode) return new Refusal(DOCUMENTED_ERRORS.PROVIDER_EMPTY);

		// 4, 5. issue code registered and deployed for the provider, with a resolution.
		const registered = this.registry.provider(providerCode) && this.registry.issueCode(issueCode, providerCode);
		if (!registered || !registered.deployed) {
			return new Refusal(DOCUMENTED_ERRORS.ISSUE_CODE_OR_PROVIDER_UNKNOWN);
		}
		if (!registered.resolution) return new Refusal(DOCUMENTED_ERRORS.NO_RESOLUTION);

		// 6. the user: user_id, user_name, email, then the CI's assigned user.
		const user = this.resolveUser(endpoint);
		if (!user) return new Refusal(DOCUMENTED_ERRORS.USER_NOT_RESOLVED);

		const inputParameters = optionalObject(body, 'input_parameters');
		if (inputParameters instanceof Refusal) return inputParameters;
		const investigativeDetails = optionalObject(body, 'investigative_details');
		if (investigativeDetails instanceof Refusal) return investigativeDetails;
		const experienceIdRaw = body.experience_id ?? body.experienceId;
		const experienceId = scalar(experienceIdRaw);
		if (experienceId === null) {
			return new Refusal(DOCUMENTED_ERRORS.CREATION_FAILED, 'experience_id must be a string or a number.');
		}
		const now = glideDateTime(this.now());

		// 7. chaining onto an existing issue is allowed only while it waits in action_wait.
		const existing = experienceId ? this.issues.byExperience(experienceId) : undefined;
		if (existing && existing.state !== 'action_wait') return new Refusal(DOCUMENTED_ERRORS.CHAIN_CONFLICT);

		// 8. one open / in-progress issue per user and issue code.
		if (this.issues.beingResolved(user.sys_id, providerCode, issueCode, existing?.sys_id)) {
			return new Refusal(DOCUMENTED_ERRORS.BEING_RESOLVED);
		}

		if (existing) {
			this.issues.update(existing, (issue) => {
				issue.issue_code = issueCode;
				issue.provider = providerCode;
				issue.state = this.initialState;
				issue.input_parameters = inputParameters;
				issue.investigative_details = investigativeDetails;
				issue.issue_code_history.push(issueCode);
				issue.sys_updated_on = now;
			});
			this.changed();
			return { issue: existing, chained: true, user };
		}

		const sysId = newSysId();
		const issue: IssueRecord = {
			sys_id: sysId,
			number: this.issues.nextNumber(),
			experience_id: experienceId || sysId,
			issue_code: issueCode,
			provider: providerCode,
			state: this.initialState,
			user: user.sys_id,
			configuration_item: endpoint.CI && this.registry.ci(endpoint.CI) ? endpoint.CI : '',
			endpoint,
			input_parameters: inputParameters,
			investigative_details: investigativeDetails,
			issue_code_history: [issueCode],
			sys_created_on: now,
			sys_updated_on: now,
		};
		this.issues.insert(issue);
		this.changed();
		return { issue, chained: false, user };
	}

	private resolveUser(endpoint: Record<string, string>): UserRecord | undefined {
		const r = this.registry;
		const ci = endpoint.CI ? r.ci(endpoint.CI) : undefined;
		return (
			(endpoint.user_id ? r.userById(endpoint.user_id) : undefined) ??
			(endpoint.user_name ? r.userByName(endpoint.user_name) : undefined) ??
			(endpoint.email ? r.userByEmail(endpoint.email) : undefined) ??
			(ci?.assigned_to ? r.userById(ci.assigned_to) : undefined)
		);
	}

	// ---------------------------------------------------------------- Table API

	private handleTable(
		method: string,
		path: string,
		query: string,
		format: ResponseFormat,
		body: () => ParsedBody,
	): HandleResult {
		const [table = '', sysId, ...rest] = path.slice(TABLE_API_PREFIX.length).split('/');
		if (rest.length > 0 || sysId === '') return renderError(PLATFORM_ERRORS.UNKNOWN_RESOURCE, format);
		const rows = tableRows(table, this.registry, () => this.issues.all());
		if (!rows) {
			return renderError(
				PLATFORM_ERRORS.INVALID_TABLE,
				format,
				`Invalid table ${table}. The emulator serves ${Object.values(TABLES).join(', ')}.`,
			);
		}
		const params = new URLSearchParams(query);
		const fields = params.get('sysparm_fields')?.split(',').map((f) => f.trim()).filter(Boolean);

		if (method === 'PATCH' || method === 'PUT') {
			if (table !== TABLES.experienceIssue || !sysId) {
				return renderError(PLATFORM_ERRORS.METHOD_NOT_ALLOWED, format, `Only ${TABLES.experienceIssue} records can be updated, by sys_id.`);
			}
			return this.updateIssue(sysId, format, body, fields);
		}
		if (method !== 'GET') {
			return renderError(PLATFORM_ERRORS.METHOD_NOT_ALLOWED, format, 'The Table API here answers GET, and PATCH/PUT for experience issues.');
		}
		if (sysId) {
			const row = rows.find((r) => r.sys_id === sysId);
			if (!row) return renderError(PLATFORM_ERRORS.NO_RECORD, format);
			return render(200, { result: pickFields(row, fields) }, format);
		}
		const matched = queryRows(rows, parseEncodedQuery(params.get('sysparm_query') ?? '', new Set(Object.keys(rows[0] ?? {}))));
		const offset = Math.max(0, Number(params.get('sysparm_offset')) || 0);
		const limitParam = Number(params.get('sysparm_limit'));
		const limit = Number.isInteger(limitParam) && limitParam > 0 ? limitParam : 10000;
		const page = matched.slice(offset, offset + limit).map((r) => pickFields(r, fields));
		return render(200, { result: page }, format, { 'x-total-count': String(matched.length) });
	}

	private updateIssue(
		sysId: string,
		format: ResponseFormat,
		lazyBody: () => ParsedBody,
		fields: string[] | undefined,
	): HandleResult {
		const issue = this.issues.get(sysId);
		if (!issue) return renderError(PLATFORM_ERRORS.NO_RECORD, format);
		const { body, error } = lazyBody();
		if (!body) return bodyErrorResponse(error, format);
		const unknown = Object.keys(body).filter((k) => k !== 'state');
		if (unknown.length > 0) {
			return renderError(
				PLATFORM_ERRORS.INVALID_FIELD_VALUE,
				format,
				`Only "state" can be updated on ${TABLES.experienceIssue} here; remove ${unknown.map((k) => `"${k}"`).join(', ')}.`,
			);
		}
		const state = body.state;
		if (!isIssueState(state)) {
			return renderError(
				PLATFORM_ERRORS.INVALID_FIELD_VALUE,
				format,
				`state must be one of ${ISSUE_STATES.join(', ')} (got ${JSON.stringify(state ?? null)}).`,
			);
		}
		const updated = this.setIssueState(sysId, state) as IssueRecord;
		return render(200, { result: pickFields(issueRow(updated), fields) }, format);
	}

	// ---------------------------------------------------------------- control API

	private handleControl(method: string, path: string, query: string, req: EmulatorRequest): HandleResult {
		const json = (status: number, body: unknown): HandleResult => ({
			status,
			headers: { 'content-type': 'application/json;charset=UTF-8' },
			body: JSON.stringify(body),
		});
		const badRequest = (message: string) => json(400, { error: { message, detail: '' }, status: 'failure' });
		const key = `${method} ${path.replace(/\/+$/, '')}`;
		switch (key) {
			case 'GET health':
				return json(200, { status: 'ok', auth: this.auth, issues: this.issues.size });
			case 'GET journal':
				return json(200, { result: this.journal.list(Number(new URLSearchParams(query).get('since')) || 0) });
			case 'DELETE journal':
				this.journal.clear();
				return json(200, { result: 'cleared' });
			case 'POST reset':
				this.reset();
				return json(200, { result: 'reset' });
			case 'GET issues':
				return json(200, { result: this.listIssues() });
			case 'GET faults':
				return json(200, { result: this.faults.list() });
			case 'DELETE faults':
				this.faults.clear();
				return json(200, { result: 'cleared' });
			case 'POST faults': {
				let raw: unknown;
				try {
					raw = JSON.parse(req.body);
				} catch {
					return badRequest('Send the fault as a JSON object, e.g. {"status": 429, "retryAfter": 2}.');
				}
				try {
					const specs = Array.isArray(raw) ? raw : [raw];
					// Validate all before adding any.
					const parsed = specs.map((s) => parseFaultSpec(s));
					return json(200, { result: parsed.map((s) => this.faults.add(s)) });
				} catch (e) {
					return badRequest((e as Error).message);
				}
			}
			case 'POST tokens/expire':
				return json(200, { result: { expired: this.tokens.expireAccessTokens() } });
			case 'GET registry': {
				const seed = structuredClone(this.registry.seed);
				for (const u of seed.users) delete u.password;
				for (const c of seed.oauth_clients) c.client_secret = '***';
				return json(200, { result: seed });
			}
			default:
				return json(404, {
					error: {
						message: 'Unknown control endpoint',
						detail: `Control endpoints: GET ${CONTROL_PREFIX}health, GET|DELETE journal, POST reset, GET issues, GET|POST|DELETE faults, POST tokens/expire, GET registry.`,
					},
					status: 'failure',
				});
		}
	}
}

interface ParsedBody {
	body?: Record<string, unknown>;
	error?: BodyError;
}

function parseBodyOnce(req: EmulatorRequest): ParsedBody {
	try {
		return { body: parseRequestBody(req) };
	} catch (e) {
		return { error: e instanceof BodyError ? e : new BodyError('The request body could not be read.') };
	}
}

function bodyErrorResponse(error: BodyError | undefined, format: ResponseFormat): EmulatorResponse {
	return renderError(
		error?.unsupportedType ? PLATFORM_ERRORS.UNSUPPORTED_MEDIA_TYPE : PLATFORM_ERRORS.MALFORMED_BODY,
		format,
		error?.message,
	);
}

function splitUrl(url: string): [string, string] {
	const q = url.indexOf('?');
	return q < 0 ? [url || '/', ''] : [url.slice(0, q) || '/', url.slice(q + 1)];
}

function routeOf(path: string): Route {
	if (CREATE_PATHS.has(path)) return 'create';
	if (path === OAUTH_TOKEN_PATH) return 'token';
	if (path === OAUTH_AUTHORIZE_PATH) return 'authorize';
	if (path.startsWith(TABLE_API_PREFIX)) return 'table';
	return 'unknown';
}

function describeFault(fault: Fault): string {
	if (fault.drop) return `drop ${fault.drop}`;
	if (fault.error) return `error ${fault.error}`;
	if (fault.status) return `status ${fault.status}`;
	return `delay ${fault.delayMs} ms`;
}
