/** Instance URLs as users type them: full URLs, custom domains, a local emulator, a trailing slash. */

export class InstanceUrlError extends Error {}

/** The base URL without trailing slashes; throws a message that says how to fix it. */
export function normaliseInstanceUrl(value: unknown): string {
	const raw = typeof value === 'string' ? value.trim() : '';
	if (!raw) {
		throw new InstanceUrlError(
			'Instance URL is empty: enter the full URL of the instance, e.g. https://dev12345.service-now.com',
		);
	}
	let url: URL;
	try {
		url = new URL(raw);
	} catch {
		throw new InstanceUrlError(
			`Instance URL "${raw}" is not a full URL: include the scheme, e.g. https://${raw.replace(/^\/+/, '')}`,
		);
	}
	if (url.protocol !== 'https:' && url.protocol !== 'http:') {
		throw new InstanceUrlError(`Instance URL must start with https:// or http:// (got "${url.protocol}").`);
	}
	if (url.search || url.hash) {
		throw new InstanceUrlError('Instance URL must not contain a query (?…) or fragment (#…): give the base URL only.');
	}
	return raw.replace(/\/+$/, '');
}
