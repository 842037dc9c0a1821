/**
 * Instance URLs as people type them: `dev12345`, `dev12345.service-now.com`, a full URL, a custom
 * domain, a local emulator (`127.0.0.1:8787`), a page of the instance copied from the browser.
 */

/**
 * The base URL for what a user typed. Self-contained and free of `URL` (n8n evaluates its source
 * text in credential expressions); never throws: `normaliseInstanceUrl` says what is wrong.
 */
export function instanceBaseUrl(raw: unknown): string {
	let text = String(raw === undefined || raw === null ? '' : raw).trim();
	if (text === '') return '';
	if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
		const host = text.split('/')[0];
		if (/^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/i.test(host)) text = 'http://' + text;
		else if (/^[a-z0-9][a-z0-9-]*$/i.test(text)) text = 'https://' + text + '.service-now.com';
		else text = 'https://' + text;
	}
	text = text.replace(/\/+$/, '');
	// A page of the instance's own UI stands for the instance: keep its origin.
	text = text.replace(
		/^([a-z][a-z0-9+.-]*:\/\/[^/?#]+)\/(now(\/.*)?|[^/?#]*\.do([?#].*)?|\$[^/]*)$/i,
		'$1',
	);
	// An API address stands for the instance (or the emulator prefix) it is under.
	return text.replace(
		/^([a-z][a-z0-9+.-]*:\/\/[^?#]*?)\/api\/(now|sn_pren|sn_srf)(\/[^?#]*)?$/i,
		'$1',
	);
}

export class InstanceUrlError extends Error {}

/** The base URL without trailing slashes; throws a message that says how to fix it. */
export function normaliseInstanceUrl(value: unknown): string {
	const typed = typeof value === 'string' ? value.trim() : '';
	if (!typed) {
		throw new InstanceUrlError(
			'Instance URL is empty: enter the instance name (dev12345) or its URL, e.g. https://dev12345.service-now.com',
		);
	}
	const base = instanceBaseUrl(typed);
	let url: URL;
	try {
		url = new URL(base);
	} catch {
		throw new InstanceUrlError(
			`Instance URL "${typed}" is not a URL: enter the instance name (dev12345) or its URL, e.g. https://dev12345.service-now.com`,
		);
	}
	if (url.protocol !== 'https:' && url.protocol !== 'http:') {
		throw new InstanceUrlError(
			`Instance URL must start with https:// or http:// (got "${url.protocol}").`,
		);
	}
	if (url.search || url.hash || /[?#]/.test(base)) {
		throw new InstanceUrlError(
			'Instance URL must not contain a query (?…) or fragment (#…): give the base URL only, e.g. https://dev12345.service-now.com',
		);
	}
	if (/\s/.test(base))
		throw new InstanceUrlError(
			`Instance URL "${typed}" contains spaces: give the base URL only, e.g. https://dev12345.service-now.com`,
		);
	return base;
}
