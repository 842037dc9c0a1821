/** OAuth tokens issued by the emulator's /oauth_token.do. */
import { randomBytes } from 'node:crypto';

export interface TokenGrant {
	user_name: string;
	client_id: string;
	expiresAt: number;
}

export interface TokenSnapshot {
	access: Array<[string, TokenGrant]>;
	refresh: Array<[string, TokenGrant]>;
}

/** How long refresh tokens live (ServiceNow's default: 100 days). */
const REFRESH_TTL_MS = 100 * 24 * 3600 * 1000;

function token(): string {
	return randomBytes(32).toString('base64url');
}

export class TokenStore {
	private access = new Map<string, TokenGrant>();
	private refresh = new Map<string, TokenGrant>();

	issue(
		userName: string,
		clientId: string,
		now: number,
		ttlSeconds: number,
		refreshToken?: string,
	): { access_token: string; refresh_token: string; expires_in: number } {
		const accessToken = token();
		this.access.set(accessToken, {
			user_name: userName,
			client_id: clientId,
			expiresAt: now + ttlSeconds * 1000,
		});
		const refresh = refreshToken ?? token();
		if (!refreshToken) {
			this.refresh.set(refresh, {
				user_name: userName,
				client_id: clientId,
				expiresAt: now + REFRESH_TTL_MS,
			});
		}
		return { access_token: accessToken, refresh_token: refresh, expires_in: ttlSeconds };
	}

	/** The grant of a live access token. */
	accessGrant(accessToken: string, now: number): TokenGrant | undefined {
		const grant = this.access.get(accessToken);
		if (!grant) return undefined;
		if (grant.expiresAt <= now) {
			this.access.delete(accessToken);
			return undefined;
		}
		return grant;
	}

	refreshGrant(refreshToken: string, now: number): TokenGrant | undefined {
		const grant = this.refresh.get(refreshToken);
		return grant && grant.expiresAt > now ? grant : undefined;
	}

	/** Makes every access token expired (refresh tokens stay valid): for testing refresh. */
	expireAccessTokens(): number {
		const n = this.access.size;
		this.access.clear();
		return n;
	}

	get counts(): { access: number; refresh: number } {
		return { access: this.access.size, refresh: this.refresh.size };
	}

	clear(): void {
		this.access.clear();
		this.refresh.clear();
	}

	snapshot(): TokenSnapshot {
		return { access: [...this.access], refresh: [...this.refresh] };
	}

	restore(snapshot: TokenSnapshot): void {
		this.access = new Map(snapshot.access);
		this.refresh = new Map(snapshot.refresh);
	}
}
