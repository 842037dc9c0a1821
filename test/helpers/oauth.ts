/** Tokens from an emulator's /oauth_token.do, as an OAuth client gets them. */
import { CREATE_PATH, send } from './http';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const CLIENT = 'client_id=pe-emulator-client&client_secret=pe-emulator-secret';

/** A password grant for admin: the access and refresh tokens. */
export async function grant(
	url: string,
): Promise<{ status: number; access_token?: string; refresh_token?: string }> {
	const res = await send(`${url}/oauth_token.do`, {
		method: 'POST',
		headers: FORM,
		body: `grant_type=password&${CLIENT}&username=admin&password=admin`,
	});
	return { status: res.status, ...(res.status === 200 ? res.json() : {}) };
}

export async function refresh(url: string, refreshToken: string): Promise<number> {
	return (
		await send(`${url}/oauth_token.do`, {
			method: 'POST',
			headers: FORM,
			body: `grant_type=refresh_token&${CLIENT}&refresh_token=${refreshToken}`,
		})
	).status;
}

/** The status of a Table API read made with this access token. */
export async function readWith(url: string, accessToken: string): Promise<number> {
	return (
		await send(`${url}/api/now/table/sys_user_role?sysparm_limit=1`, {
			headers: { authorization: `Bearer ${accessToken}` },
		})
	).status;
}

/** A create for abel.tuter (issue code 100, provider sn, and `over`) sent with this access token. */
export function createWith(url: string, accessToken: string, over: Record<string, unknown> = {}) {
	return send(url + CREATE_PATH, {
		method: 'POST',
		headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
		body: JSON.stringify({
			endpoint: { user_name: 'abel.tuter' },
			issue_code: '100',
			provider: 'sn',
			...over,
		}),
	});
}

/** The Authorization header of the built-in client's own token (client credentials grant). */
export async function bearer(url: string): Promise<Record<string, string>> {
	const res = await send(`${url}/oauth_token.do`, {
		method: 'POST',
		headers: FORM,
		body: `grant_type=client_credentials&${CLIENT}`,
	});
	return { authorization: `Bearer ${res.json().access_token}` };
}
