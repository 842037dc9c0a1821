/** The emulator's registry: providers, issue codes, users, roles, CIs and OAuth clients. */
import defaultSeedJson from './default-seed.json';
import { effectiveRoles } from '../../contract/api';
import { isPlainObject } from '../../contract/values';
import { CheckError, fail, list, object, oneOf, stringField as str } from './checks';
import { registrySysId } from './sysIds';

export interface ProviderRecord {
	provider_code: string;
	name: string;
}

/** How the user is engaged, as the issue registry's engagement settings say. */
export const ENGAGEMENTS = ['engage_user', 'engage_user_consent', 'silent', 'notify_only'] as const;
export type Engagement = (typeof ENGAGEMENTS)[number];
/** What the resolution does: resolves, fails, or leaves the issue waiting for the next issue code. */
export const OUTCOMES = ['resolved', 'failed', 'awaits_next'] as const;
export type Outcome = (typeof OUTCOMES)[number];
/** What happens when the resolution fails. */
export const FALLBACKS = ['incident', 'live_agent', 'none'] as const;
export type Fallback = (typeof FALLBACKS)[number];

/**
 * How the emulator plays the engagement of an issue of this code: open, then (after
 * `engage_after_seconds`) in_progress, then (after `resolve_after_seconds`) closed or action_wait.
 */
export interface ScenarioRecord {
	engagement: Engagement;
	/** The user's answer to the consent prompt (engage_user_consent). */
	consent: 'accept' | 'decline';
	outcome: Outcome;
	fallback: Fallback;
	engage_after_seconds: number;
	resolve_after_seconds: number;
}

export interface IssueCodeRecord {
	issue_code: string;
	provider: string;
	name: string;
	deployed: boolean;
	/** Name of the configured resolution; null or empty means none is configured. */
	resolution: string | null;
	/**
	 * Name of the configured notification content (the notification and consent prompts); null or
	 * empty means none is configured; absent (older seeds): DEFAULT_NOTIFICATION_CONTENT.
	 */
	notification_content?: string | null;
	/** The engagement the emulator plays; none: the issue stays as it starts until changed. */
	scenario?: ScenarioRecord;
}

export interface RoleRecord {
	sys_id: string;
	name: string;
}

export interface UserRecord {
	sys_id: string;
	user_name: string;
	name: string;
	email: string;
	roles: string[];
	/** Users with a password can authenticate against the emulator. */
	password?: string;
	active?: boolean;
	/** The user is in an active Virtual Agent conversation (until the control API ends it). */
	in_active_va_conversation?: boolean;
}

export interface CiRecord {
	sys_id: string;
	name: string;
	/** sys_id of the user the device is assigned to; empty when unassigned. */
	assigned_to: string;
}

export interface OAuthClientRecord {
	client_id: string;
	client_secret: string;
	/** user_name the client_credentials grant acts as. */
	user: string;
}

export interface Seed {
	providers: ProviderRecord[];
	issue_codes: IssueCodeRecord[];
	roles: RoleRecord[];
	users: UserRecord[];
	cis: CiRecord[];
	oauth_clients: OAuthClientRecord[];
}

/** The notification content of an issue code whose seed entry names none (seed files older than it). */
export const DEFAULT_NOTIFICATION_CONTENT = 'Default notification';

/** The name of an issue code's notification content; null when it has none. */
export function notificationContentOf(code: IssueCodeRecord): string | null {
	const value =
		code.notification_content === undefined
			? DEFAULT_NOTIFICATION_CONTENT
			: code.notification_content;
	return value || null;
}

/** A seed that cannot be used: the field, what it must be, and the value found. */
export class SeedError extends Error {}

/** A list of objects of the seed; none when absent. */
function records(seed: Record<string, unknown>, key: string): Record<string, unknown>[] {
	if (seed[key] === undefined) return [];
	return list(seed[key], key, 'an array').map((item, i) => object(item, `${key}[${i}]`));
}

function seconds(
	obj: Record<string, unknown>,
	key: string,
	path: string,
	fallback: number,
): number {
	const v = obj[key] ?? fallback;
	if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 86_400 * 30)
		fail(`${path}.${key}`, 'a number of seconds from 0 to 2592000', obj[key]);
	return v as number;
}

function parseScenario(value: unknown, path: string): ScenarioRecord {
	const raw = object(value, path);
	return {
		engagement: oneOf(raw, 'engagement', path, ENGAGEMENTS, 'engage_user'),
		consent: oneOf(raw, 'consent', path, ['accept', 'decline'] as const, 'accept'),
		outcome: oneOf(raw, 'outcome', path, OUTCOMES, 'resolved'),
		fallback: oneOf(raw, 'fallback', path, FALLBACKS, 'incident'),
		engage_after_seconds: seconds(raw, 'engage_after_seconds', path, 10),
		resolve_after_seconds: seconds(raw, 'resolve_after_seconds', path, 30),
	};
}

/** Checks a parsed seed and fills defaults; errors (SeedError) name the field, what it must be and the value found. */
export function parseSeed(raw: unknown): Seed {
	try {
		return checkSeed(raw);
	} catch (e) {
		if (!(e instanceof CheckError)) throw e;
		throw new SeedError(
			`Invalid seed: ${e.path} must be ${e.expected} (got ${e.value === undefined ? 'nothing' : JSON.stringify(e.value)}).`,
		);
	}
}

function checkSeed(raw: unknown): Seed {
	if (!isPlainObject(raw)) fail('the seed', 'a JSON object', raw);
	const providers = records(raw, 'providers').map((p, i) => ({
		provider_code: str(p, 'provider_code', `providers[${i}]`),
		name: str(p, 'name', `providers[${i}]`, { optional: true }),
	}));
	const issue_codes = records(raw, 'issue_codes').map((c, i) => {
		const path = `issue_codes[${i}]`;
		const deployed = c.deployed === undefined ? true : c.deployed;
		if (typeof deployed !== 'boolean') fail(`${path}.deployed`, 'true or false', deployed);
		const resolution = c.resolution ?? null;
		if (resolution !== null && typeof resolution !== 'string') {
			fail(`${path}.resolution`, 'a string or null', resolution);
		}
		const notification =
			c.notification_content === undefined ? DEFAULT_NOTIFICATION_CONTENT : c.notification_content;
		if (notification !== null && typeof notification !== 'string') {
			fail(`${path}.notification_content`, 'a string or null', notification);
		}
		const record: IssueCodeRecord = {
			issue_code: str(c, 'issue_code', path),
			provider: str(c, 'provider', path),
			name: str(c, 'name', path, { optional: true }),
			deployed,
			resolution,
			notification_content: notification,
		};
		if (c.scenario !== undefined) record.scenario = parseScenario(c.scenario, `${path}.scenario`);
		return record;
	});
	const roles = records(raw, 'roles').map((r, i) => ({
		sys_id: str(r, 'sys_id', `roles[${i}]`),
		name: str(r, 'name', `roles[${i}]`),
	}));
	const users = records(raw, 'users').map((u, i) => {
		const path = `users[${i}]`;
		const userRoles = u.roles ?? [];
		if (!Array.isArray(userRoles) || userRoles.some((r) => typeof r !== 'string')) {
			fail(`${path}.roles`, 'an array of role names', userRoles);
		}
		for (const flag of ['active', 'in_active_va_conversation'])
			if (u[flag] !== undefined && typeof u[flag] !== 'boolean')
				fail(`${path}.${flag}`, 'true or false', u[flag]);
		const user: UserRecord = {
			sys_id: str(u, 'sys_id', path),
			user_name: str(u, 'user_name', path),
			name: str(u, 'name', path, { optional: true }),
			email: str(u, 'email', path, { optional: true }),
			roles: userRoles as string[],
			active: u.active !== false,
		};
		if (u.password !== undefined) user.password = str(u, 'password', path);
		if (u.in_active_va_conversation === true) user.in_active_va_conversation = true;
		return user;
	});
	const cis = records(raw, 'cis').map((c, i) => ({
		sys_id: str(c, 'sys_id', `cis[${i}]`),
		name: str(c, 'name', `cis[${i}]`),
		assigned_to: str(c, 'assigned_to', `cis[${i}]`, { optional: true }),
	}));
	const oauth_clients = records(raw, 'oauth_clients').map((c, i) => ({
		client_id: str(c, 'client_id', `oauth_clients[${i}]`),
		client_secret: str(c, 'client_secret', `oauth_clients[${i}]`),
		user: str(c, 'user', `oauth_clients[${i}]`),
	}));
	const seed: Seed = { providers, issue_codes, roles, users, cis, oauth_clients };
	crossCheck(seed);
	return seed;
}

function crossCheck(seed: Seed): void {
	const providers = new Set(seed.providers.map((p) => p.provider_code));
	seed.issue_codes.forEach((c, i) => {
		if (!providers.has(c.provider)) {
			fail(`issue_codes[${i}].provider`, `one of the providers' provider_code values`, c.provider);
		}
	});
	const users = new Set(seed.users.map((u) => u.sys_id));
	seed.cis.forEach((c, i) => {
		if (c.assigned_to && !users.has(c.assigned_to)) {
			fail(`cis[${i}].assigned_to`, "a user's sys_id or empty", c.assigned_to);
		}
	});
	const userNames = new Set(seed.users.map((u) => u.user_name));
	seed.oauth_clients.forEach((c, i) => {
		if (!userNames.has(c.user)) fail(`oauth_clients[${i}].user`, 'a user_name of users', c.user);
	});
}

/** A fresh copy of the built-in seed (the cURL example of the API document succeeds against it). */
export function defaultSeed(): Seed {
	return parseSeed(structuredClone(defaultSeedJson));
}

/** Indexed, read-only view of a seed, used by the emulator's rules. */
export class Registry {
	readonly seed: Seed;
	private readonly usersById: Map<string, UserRecord>;
	private readonly usersByName: Map<string, UserRecord>;
	private readonly usersByEmail: Map<string, UserRecord>;
	private readonly cisById: Map<string, CiRecord>;

	constructor(seed: Seed) {
		this.seed = seed;
		this.usersById = new Map(seed.users.map((u) => [u.sys_id, u]));
		this.usersByName = new Map(seed.users.map((u) => [u.user_name, u]));
		this.usersByEmail = new Map(
			seed.users.filter((u) => u.email).map((u) => [u.email.toLowerCase(), u]),
		);
		this.cisById = new Map(seed.cis.map((c) => [c.sys_id, c]));
	}

	provider(code: string): ProviderRecord | undefined {
		return this.seed.providers.find((p) => p.provider_code === code);
	}

	issueCode(code: string, provider: string): IssueCodeRecord | undefined {
		return this.seed.issue_codes.find((c) => c.issue_code === code && c.provider === provider);
	}

	userById(sysId: string): UserRecord | undefined {
		const u = this.usersById.get(sysId);
		return u && u.active !== false ? u : undefined;
	}

	userByName(userName: string): UserRecord | undefined {
		const u = this.usersByName.get(userName);
		return u && u.active !== false ? u : undefined;
	}

	userByEmail(email: string): UserRecord | undefined {
		const u = this.usersByEmail.get(email.toLowerCase());
		return u && u.active !== false ? u : undefined;
	}

	ci(sysId: string): CiRecord | undefined {
		return this.cisById.get(sysId);
	}

	oauthClient(clientId: string): OAuthClientRecord | undefined {
		return this.seed.oauth_clients.find((c) => c.client_id === clientId);
	}

	/** Whether the user holds the role, directly or in a role containing it (admin: every role). */
	hasRole(user: UserRecord, role: string): boolean {
		const held = effectiveRoles(user.roles);
		return held.has('admin') || held.has(role);
	}

	/**
	 * The roles of sys_user_role: the seed's, then any role a user holds (or one of their roles
	 * contains) that the seed does not list, with a stable sys_id — a role a user holds exists.
	 */
	roles(): RoleRecord[] {
		if (this.roleList) return this.roleList;
		const out = [...this.seed.roles];
		const known = new Set(out.map((r) => r.name));
		for (const user of this.seed.users)
			for (const name of effectiveRoles(user.roles))
				if (!known.has(name)) {
					known.add(name);
					out.push({ sys_id: registrySysId('role', name), name });
				}
		this.roleList = out;
		return out;
	}

	private roleList?: RoleRecord[];

	/**
	 * The rows of sys_user_has_role: one per user and role they hold, `inherited` when only a role
	 * of theirs contains it (ROLE_CONTAINS), not when they hold it themselves.
	 */
	userRoles(): Array<{ user: UserRecord; role: RoleRecord; inherited: boolean }> {
		const byName = new Map(this.roles().map((r) => [r.name, r]));
		const out: Array<{ user: UserRecord; role: RoleRecord; inherited: boolean }> = [];
		for (const user of this.seed.users) {
			const direct = new Set(user.roles);
			for (const name of effectiveRoles(user.roles))
				out.push({ user, role: byName.get(name)!, inherited: !direct.has(name) });
		}
		return out;
	}
}
