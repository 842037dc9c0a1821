/**
 * OAuth tokens issued by the emulator's /oauth_token.do. Only their SHA-256 is kept (in memory, in
 * snapshots, on disk): a stolen state file holds no usable token. Expired tokens are swept as new
 * ones are issued, and each kind is capped, oldest first.
 */
import { createHash, randomBytes } from 'node:crypto';

export interface TokenGrant {
	user_name: string;
	client_id: string;
	expiresAt: number;
}

export type TokenKind = 'access' | 'refresh';

/** A change of the token store, for adapters that persist it. */
export type TokenChange =
	| { kind: 'token'; type: TokenKind; hash: string; grant: TokenGrant }
	| { kind: 'tokensRemoved'; type: TokenKind; hashes: string[] };

export interface TokenSnapshot {
	/** SHA-256 (hex) of each token and its grant; version 1 snapshots held the tokens themselves. */
	access: Array<[string, TokenGrant]>;
	refresh: Array<[string, TokenGrant]>;
}

/** How long refresh tokens live (ServiceNow's default: 100 days). */
const REFRESH_TTL_MS = 100 * 24 * 3600 * 1000;

/** Most tokens of each kind kept; past it the oldest are dropped (their holders sign in again). */
export const MAX_TOKENS = 10_000;

function newToken(): string {
	return randomBytes(32).toString('base64url');
}

export function tokenHash(token: string): string {
	return createHash('sha256').update(token).digest('hex');
}

export class TokenStore {
	private stores: Record<TokenKind, Map<string, TokenGrant>> = {
		access: new Map(),
		refresh: new Map(),
	};

	constructor(private readonly changed: (change: TokenChange) => void = () => undefined) {}

	private add(type: TokenKind, token: string, grant: TokenGrant, now: number): void {
		const store = this.stores[type];
		const hash = tokenHash(token);
		store.set(hash, grant);
		this.changed({ kind: 'token', type, hash, grant });
		// Insertion order is expiry order (one lifetime per kind): sweep from the front.
		const removed: string[] = [];
		for (const [h, g] of store) {
			if (g.expiresAt > now && store.size - removed.length <= MAX_TOKENS) break;
			removed.push(h);
		}
		for (const h of removed) store.delete(h);
		if (removed.length) this.changed({ kind: 'tokensRemoved', type, hashes: removed });
	}

	issue(
		userName: string,
		clientId: string,
		now: number,
		ttlSeconds: number,
		refreshToken?: string,
	): { access_token: string; refresh_token: string; expires_in: number } {
		const accessToken = newToken();
		this.add(
			'access',
			accessToken,
			{ user_name: userName, client_id: clientId, expiresAt: now + ttlSeconds * 1000 },
			now,
		);
		const refresh = refreshToken ?? newToken();
		if (!refreshToken)
			this.add(
				'refresh',
				refresh,
				{ user_name: userName, client_id: clientId, expiresAt: now + REFRESH_TTL_MS },
				now,
			);
		return { access_token: accessToken, refresh_token: refresh, expires_in: ttlSeconds };
	}

	/** The grant of a live access token. */
	accessGrant(accessToken: string, now: number): TokenGrant | undefined {
		const hash = tokenHash(accessToken);
		const grant = this.stores.access.get(hash);
		if (!grant) return undefined;
		if (grant.expiresAt <= now) {
			this.stores.access.delete(hash);
			this.changed({ kind: 'tokensRemoved', type: 'access', hashes: [hash] });
			return undefined;
		}
		return grant;
	}

	refreshGrant(refreshToken: string, now: number): TokenGrant | undefined {
		const grant = this.stores.refresh.get(tokenHash(refreshToken));
		return grant && grant.expiresAt > now ? grant : undefined;
	}

	/** Makes every access token expired (refresh tokens stay valid): for testing refresh. */
	expireAccessTokens(): number {
		const hashes = [...this.stores.access.keys()];
		this.stores.access.clear();
		if (hashes.length) this.changed({ kind: 'tokensRemoved', type: 'access', hashes });
		return hashes.length;
	}

	get counts(): { access: number; refresh: number } {
		return { access: this.stores.access.size, refresh: this.stores.refresh.size };
	}

	clear(): void {
		this.stores = { access: new Map(), refresh: new Map() };
	}

	snapshot(): TokenSnapshot {
		return { access: [...this.stores.access], refresh: [...this.stores.refresh] };
	}

	/** From a snapshot; `hashed: false` for version 1 snapshots, which held the tokens themselves. */
	restore(snapshot: TokenSnapshot, hashed = true): void {
		const read = (entries: Array<[string, TokenGrant]> | undefined) =>
			new Map(
				(entries ?? []).map(
					([key, grant]) => [hashed ? key : tokenHash(key), grant] as [string, TokenGrant],
				),
			);
		this.stores = { access: read(snapshot.access), refresh: read(snapshot.refresh) };
	}

	/** Puts tokens back as they were saved (no grant: not saved, so dropped). */
	revert(tokens: Array<{ type: TokenKind; hash: string; grant?: TokenGrant }>): void {
		for (const { type, hash, grant } of tokens) {
			if (grant) this.stores[type].set(hash, grant);
			else this.stores[type].delete(hash);
		}
		// Keep each kind in expiry order: the sweep reads it from the front.
		for (const type of ['access', 'refresh'] as const) {
			if (tokens.some((t) => t.type === type && t.grant))
				this.stores[type] = new Map(
					[...this.stores[type]].sort((a, b) => a[1].expiresAt - b[1].expiresAt),
				);
		}
	}
}
