/** What both credential types share: the Instance URL, the SSL switch and the credential test. */
import type {
	IAuthenticateRuleResponseCode,
	IAuthenticateRuleResponseSuccessBody,
	ICredentialTestRequest,
	INodeProperties,
} from 'n8n-workflow';
import { TABLE_PARAMS, TABLES, tablePath } from '../contract/api';
import { instanceBaseUrl } from '../contract/instance';

export const instanceUrlProperty: INodeProperties = {
	displayName: 'Instance URL',
	name: 'instanceUrl',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'dev12345, or https://dev12345.service-now.com',
	description:
		'The instance: its name (dev12345, for dev12345.service-now.com) or its URL (*.service-now.com, *.servicenowservices.com, a custom domain, or a local emulator such as http://127.0.0.1:8787)',
};

export const ignoreSslProperty: INodeProperties = {
	displayName: 'Ignore SSL Issues (Insecure)',
	name: 'ignoreSslIssues',
	type: 'boolean',
	default: false,
	description: 'Whether to connect even if SSL certificate validation fails',
};

/**
 * The instance's base URL (as `instanceBaseUrl` reads what was typed: `dev12345`,
 * `dev12345.service-now.com`, a full URL), followed by `path`, as an n8n expression over `source`
 * (`$credentials` in a test request, `$self` inside the credential).
 */
export function instanceUrlExpression(source: string, path = ''): string {
	const body = `(${instanceBaseUrl.toString()})(${source}["instanceUrl"])${path ? ` + ${JSON.stringify(path)}` : ''}`;
	// `}}` would end the expression early: blocks that close together get a space between.
	return `={{${body.replace(/\}(?=\})/g, '} ')}}}`;
}

const INSTANCE_ITSELF =
	'The Instance URL should be the instance itself, e.g. https://dev12345.service-now.com (or just dev12345), or a local emulator such as http://127.0.0.1:8787';

/** What an answer's status means, in words (n8n would show only "Unauthorized"). */
const STATUS_MESSAGES: Record<number, string> = {
	400: 'The address answered, but not as an instance (HTTP 400): the Instance URL should be the instance itself, e.g. https://dev12345.service-now.com, without a path.',
	401: 'The instance refused the sign-in (HTTP 401): check the user name and password (Basic), or the client ID, client secret and user (OAuth2).',
	403: 'Signed in, but the instance does not let this user read sys_user_role (HTTP 403): give the user read access to it, and the role sn_pren.experience_issue_create to create issues.',
	404: "No ServiceNow Table API at this address (HTTP 404): the Instance URL should be the instance itself, e.g. https://dev12345.service-now.com, not a page of it or another application's address.",
};

const REDIRECTS = [301, 302, 303, 307, 308];

function redirectMessage(status: number): string {
	return `The instance redirected the request (HTTP ${status}): the Instance URL is not the instance's own address. Use https:// and the instance itself, e.g. https://dev12345.service-now.com (a sleeping developer instance redirects too: wake it first).`;
}

/** The error code of a failed request: on the error or on one of its causes. */
function errorCode(error: unknown): string {
	for (
		let e = error, depth = 0;
		e && typeof e === 'object' && depth < 5;
		e = (e as { cause?: unknown }).cause, depth++
	) {
		const code = (e as { code?: unknown }).code;
		if (typeof code === 'string' && code) return code;
	}
	return '';
}

/** A failure that asking again a second later will not mend: no such host, refused, an untrusted certificate. */
export function isLastingNetworkError(error: unknown): boolean {
	return /^(ENOTFOUND|ECONNREFUSED|EPROTO)$|CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ERR_TLS/.test(
		errorCode(error),
	);
}

/**
 * A request that got no answer, in words that name the host asked and what to check. The codes
 * n8n rewords (ENOTFOUND, ECONNREFUSED, …: a message containing one becomes n8n's generic sentence
 * without the host) are said in words instead.
 */
export function networkErrorMessage(error: unknown, url: string): string {
	const code = errorCode(error);
	let host = url;
	let port = '';
	try {
		const parsed = new URL(url);
		host = parsed.hostname;
		port = parsed.port || (parsed.protocol === 'https:' ? '443' : '80');
	} catch {
		// Not a URL: named as given.
	}
	const message = error instanceof Error ? error.message : String(error);
	switch (code) {
		case 'ENOTFOUND':
			return `${host} could not be found (no such host): check the instance name in the Instance URL (dev12345 stands for dev12345.service-now.com), or the spelling of the instance's own domain.`;
		case 'EAI_AGAIN':
			return `${host} could not be looked up now (the DNS server did not answer): check this n8n's network and DNS, then try again.`;
		case 'ECONNREFUSED':
			return `${host} refused the connection on port ${port}: check the Instance URL and its port, and that the instance (or the emulator) is running.`;
		case 'ECONNRESET':
		case 'EPIPE':
			return `${host} closed the connection on port ${port}: check the Instance URL (https:// for an instance, http:// for a local emulator) and any proxy or firewall between this n8n and the instance.`;
		case 'ETIMEDOUT':
		case 'ECONNABORTED':
		case 'ESOCKETTIMEDOUT':
			return `No answer from ${host} on port ${port} in time: check the Instance URL and that this n8n can reach the instance (proxy, firewall).`;
		case 'EHOSTUNREACH':
		case 'ENETUNREACH':
			return `${host} cannot be reached from this n8n (no route to it): check its network, proxy and firewall.`;
	}
	if (
		/CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ERR_TLS/i.test(code) ||
		/certificate/i.test(message)
	) {
		return `The certificate of ${host} is not trusted (${code || 'certificate error'}): check the Instance URL; only for an instance you trust (e.g. behind a corporate proxy) turn on Ignore SSL Issues.`;
	}
	if (code === 'EPROTO' || /ERR_SSL|wrong version number/i.test(`${code} ${message}`)) {
		return `${host} did not answer https on port ${port} (${code || 'TLS error'}): a local emulator speaks http, so write http:// in the Instance URL.`;
	}
	return `No answer from ${host} on port ${port}: check the Instance URL and that this n8n can reach the instance.`;
}

/**
 * The credential test: a one-row read of sys_user_role, which needs a valid login and nothing else.
 * n8n runs it itself and can only compare the status and values of the body with fixed messages;
 * a host it cannot reach it reports with the code alone (e.g. ENOTFOUND). With OAuth2 password or
 * client credentials the token request comes first, and its errors (networkErrorMessage) name the host.
 */
const rules: Array<IAuthenticateRuleResponseCode | IAuthenticateRuleResponseSuccessBody> = [
	...REDIRECTS.map((value) => ({
		type: 'responseCode' as const,
		properties: { value, message: redirectMessage(value) },
	})),
	...Object.entries(STATUS_MESSAGES).map(([value, message]) => ({
		type: 'responseCode' as const,
		properties: { value: Number(value), message },
	})),
	// Rules on the body run on a 2xx answer, as n8n's tester reads them: the value at `key` (lodash
	// `get` on the parsed body) equal to `value` fails the test with `message`.
	{
		// A body n8n could not parse as JSON stays a string: a web page or text, not the Table API.
		type: 'responseSuccessBody',
		properties: {
			key: 'constructor.name',
			value: 'String',
			message: `The address answered, but with a web page or text, not with JSON from the Table API ({"result": […]}): another application (n8n's editor, for instance) or the sign-in page of a proxy or single sign-on in front of the instance. ${INSTANCE_ITSELF}.`,
		},
	},
	{
		type: 'responseSuccessBody',
		properties: {
			key: 'result',
			value: undefined,
			message: `The address answered with JSON without "result", so not from the Table API of a ServiceNow instance ({"result": […]}): another service's API. ${INSTANCE_ITSELF}.`,
		},
	},
	// A Table API read answers a list: any other "result" (JSON-RPC's object, null, text) is another service's.
	...[null, ...['Object', 'String', 'Number', 'Boolean'].map((name) => ({ name }))].map(
		(shape) => ({
			type: 'responseSuccessBody' as const,
			properties: {
				key: shape === null ? 'result' : 'result.constructor.name',
				value: shape === null ? null : shape.name,
				message: `The address answered with JSON whose "result" is no list, so not from the Table API of a ServiceNow instance ({"result": […]}): another service's API. ${INSTANCE_ITSELF}.`,
			},
		}),
	),
];

export const credentialTest: ICredentialTestRequest = {
	request: {
		baseURL: instanceUrlExpression('$credentials'),
		url: tablePath(TABLES.role),
		qs: { [TABLE_PARAMS.limit]: 1, [TABLE_PARAMS.fields]: 'name' },
		headers: { Accept: 'application/json' },
		skipSslCertificateValidation: '={{$credentials.ignoreSslIssues}}',
		// A redirect is reported, not followed: the nodes do not follow one either.
		disableFollowRedirect: true,
	},
	// n8n reads every rule by its type; its type allows a list of one kind only.
	rules: rules as IAuthenticateRuleResponseCode[],
};
