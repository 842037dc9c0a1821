import type { INodeProperties, IWebhookDescription } from 'n8n-workflow';
import { DOCUMENTED_ERROR_LIST } from '../../../contract/errors';
import {
	ISSUE_STATES,
	NAMESPACES,
	OAUTH_TOKEN_PATH,
	TABLES,
	TABLE_API_PREFIX,
	createIssuePath,
	tablePath,
} from '../../../contract/api';

export const DEFAULT_PREFIX = 'servicenow-emulator';

const prefix = '={{$parameter["path"].replace(/^\\/+|\\/+$/g, "")}}';

function webhook(httpMethod: string, path: string): IWebhookDescription {
	return {
		name: 'default',
		httpMethod,
		responseMode: 'onReceived',
		isFullPath: true,
		path: `${prefix}${path}`,
	};
}

/**
 * One webhook per instance path a client uses, all under the prefix, so that
 * `<n8n>/webhook/<prefix>` is an instance base URL.
 */
export const webhooks: IWebhookDescription[] = [
	...NAMESPACES.map((ns) => webhook('POST', createIssuePath(ns))),
	// n8n stores webhook paths with single slashes, so the doubled slash of the document's cURL
	// example (`//api/sn_srf/...`) cannot be registered here; the standalone emulator takes it.
	webhook('POST', OAUTH_TOKEN_PATH),
	...Object.values(TABLES).map((table) => webhook('GET', tablePath(table))),
	// A path with a variable part: n8n serves it under <n8n>/webhook/<webhook ID>/<prefix>/…
	webhook('GET', `${TABLE_API_PREFIX}:table/:sys_id`),
	webhook('PATCH', `${tablePath(TABLES.experienceIssue)}/:sys_id`),
];

const forcedOutcomeOptions = [
	...DOCUMENTED_ERROR_LIST.map((e) => ({
		name: `${e.output}: ${e.message}`,
		value: e.code,
	})),
	{ name: 'HTTP 429 Too Many Requests (Retry-After: 1)', value: 'status:429' },
	{ name: 'HTTP 500 Internal Server Error', value: 'status:500' },
	{ name: 'HTTP 503 Service Unavailable (Retry-After: 1)', value: 'status:503' },
];

export const properties: INodeProperties[] = [
	{
		displayName:
			"Use <code>&lt;n8n URL&gt;/webhook/&lt;Path&gt;</code> as the Instance URL of a ServiceNow Proactive Engagement credential (or <code>/webhook-test/&lt;Path&gt;</code> while listening in the editor). It answers create requests, the Table API reads and <code>/oauth_token.do</code> exactly as the emulator does. Issues are kept in memory and, in an active workflow, in the workflow's static data; in the editor's test mode they last until n8n restarts. Reading or updating one record by sys_id lives under <code>/webhook/&lt;webhook ID&gt;/&lt;Path&gt;/api/now/table/…</code>, because n8n puts the webhook ID in front of paths with a variable part.",
		name: 'notice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Path',
		name: 'path',
		type: 'string',
		default: DEFAULT_PREFIX,
		required: true,
		placeholder: DEFAULT_PREFIX,
		description:
			'Prefix of every emulated path: &lt;n8n URL&gt;/webhook/&lt;Path&gt; is the instance base URL. Letters, digits, dashes, underscores and slashes; no ":" segments.',
	},
	{
		displayName: 'Authentication',
		name: 'authentication',
		type: 'options',
		options: [
			{ name: 'None', value: 'none', description: 'Answer every request' },
			{
				name: 'Basic Auth',
				value: 'basic',
				description:
					'Require Basic auth of a registry user (built-in: pe.integration / integration)',
			},
			{
				name: 'OAuth2 Bearer Token',
				value: 'oauth',
				description:
					'Require a token from &lt;Path&gt;/oauth_token.do (built-in client: pe-emulator-client)',
			},
		],
		default: 'none',
		description: 'Authentication the emulated instance requires of API calls',
	},
	{
		displayName: 'Registry',
		name: 'registry',
		type: 'options',
		options: [
			{
				name: 'Built-In Seed',
				value: 'builtin',
				description:
					'Abel Tuter, issue code 100 for provider sn, and entries that reach every documented error',
			},
			{
				name: 'Custom JSON',
				value: 'custom',
				description: 'Providers, issue codes, users and CIs of your own',
			},
		],
		default: 'builtin',
	},
	{
		displayName: 'Registry JSON',
		name: 'registryJson',
		type: 'json',
		default:
			'{\n  "providers": [{ "provider_code": "sn", "name": "ServiceNow" }],\n  "issue_codes": [{ "issue_code": "100", "provider": "sn", "name": "High CPU", "deployed": true, "resolution": "Terminate the process" }],\n  "users": [{ "sys_id": "62826bf03710200044e0bfc8bcbe5df1", "user_name": "abel.tuter", "email": "abel.tuter@example.com", "roles": [] }],\n  "cis": [{ "sys_id": "d049b28e936aa1106f98f6db5cba10d5", "name": "ABEL-LAPTOP", "assigned_to": "62826bf03710200044e0bfc8bcbe5df1" }]\n}',
		displayOptions: { show: { registry: ['custom'] } },
		description:
			'Same shape as the standalone emulator\'s seed file (run "servicenow-pe-emulator --print-seed" for a full example)',
	},
	{
		displayName: 'Initial State of New Issues',
		name: 'initialState',
		type: 'options',
		options: ISSUE_STATES.map((s) => ({ name: s, value: s })),
		default: 'open',
		description:
			'State a new issue starts in. Use action_wait to let flows chain a new issue code at once.',
	},
	{
		displayName: 'Forced Outcomes',
		name: 'forcedOutcomes',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Forced Outcome',
		default: {},
		description: 'Answer create requests with a chosen error, to exercise error branches',
		options: [
			{
				displayName: 'Rule',
				name: 'rules',
				values: [
					{
						displayName: 'Issue Code',
						name: 'issueCode',
						type: 'string',
						default: '',
						description: 'Only requests with this issue_code; empty for every create request',
					},
					{
						displayName: 'Answer With',
						name: 'outcome',
						type: 'options',
						options: forcedOutcomeOptions,
						default: 'BEING_RESOLVED',
					},
				],
			},
		],
	},
	{
		// n8n parses a v1 webhook node's body itself (answering malformed JSON with its own 422)
		// unless options.binaryData is set: this keeps the raw bytes for the emulator to judge.
		displayName: 'Raw Body',
		name: 'options',
		type: 'hidden',
		default: { binaryData: true },
	},
	{
		displayName: 'Options',
		name: 'settings',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Access Token Lifetime (Seconds)',
				name: 'tokenTtlSeconds',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 1800,
			},
			{
				displayName: 'Response ID Key',
				name: 'responseIdKey',
				type: 'options',
				options: [
					{ name: "Experience_id (As the Document's Example)", value: 'experience_id' },
					{ name: "experienceId (As the Document's Table)", value: 'experienceId' },
				],
				default: 'experience_id',
				description: 'Key of the ID in a successful create answer; the document shows both',
			},
		],
	},
];
