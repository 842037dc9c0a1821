/**
 * Check Setup: an admin's first run. It reads what the instance has and outputs one item per
 * check — pass, fail or unknown, with what to do — and sends no create: the instance answers and
 * Proactive Engagement is installed, the credential's user may read experience issues and holds
 * the create role, the provider, the issue code deployed with a resolution and notification
 * content, the user resolvable, the Batch API. A check that cannot be made says why (unknown).
 */
import type { IDataObject, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';
import { CREATE_ROLE, PE_ROLES, TABLES, type TableName } from '../../../../../contract/api';
import {
	condition,
	encodeQuery,
	isOneOf,
	isQueryableValue,
} from '../../../../../contract/encodedQuery';
import { isPlainObject, text } from '../../../../../contract/values';
import type { Connection } from '../../../shared/authentication';
import { batchItemId } from '../../../shared/transport/batch';
import { apiRequest, type ApiContext, type ApiResult } from '../../../shared/transport/request';
import {
	listRows,
	notTableAnswer,
	readRefusal,
	type TableRow,
} from '../../../shared/transport/tableApi';
import type { ReadingOperation, SendOptions } from '../interfaces';

type Status = 'pass' | 'fail' | 'unknown';

/** One check's outcome, as its output item shows it. */
interface Check {
	check: string;
	title: string;
	status: Status;
	message: string;
	/** What to do (empty when it passed). */
	fix: string;
	httpStatus?: number;
}

const properties: INodeProperties[] = [
	{
		displayName: 'Check For',
		name: 'checkFor',
		type: 'collection',
		placeholder: 'Add What to Check',
		default: {},
		description:
			'An issue code, provider and user to check as well; without them the instance, the roles, the provider sn and the Batch API are checked',
		options: [
			{
				displayName: 'CI',
				name: 'ci',
				type: 'string',
				default: '',
				description: 'Sys_id of the device (cmdb_ci_computer)',
			},
			{ displayName: 'Issue Code', name: 'issueCode', type: 'string', default: '' },
			{ displayName: 'Provider', name: 'provider', type: 'string', default: 'sn' },
			{
				displayName: 'User Email',
				name: 'userEmail',
				type: 'string',
				placeholder: 'name@email.com',
				default: '',
			},
			{
				displayName: 'User ID',
				name: 'userId',
				type: 'string',
				default: '',
				description: 'Sys_id of the user (sys_user)',
			},
			{ displayName: 'User Name', name: 'userName', type: 'string', default: '' },
		],
	},
];

const check = (
	name: string,
	title: string,
	status: Status,
	message: string,
	fix = '',
	result?: ApiResult,
): Check => ({
	check: name,
	title,
	status,
	message,
	fix,
	...(result ? { httpStatus: result.status } : {}),
});

/** A value the user gave, as the checks quote it: whole up to 100 characters, else cut and measured. */
function shown(value: string): string {
	if (value.length <= 100) return value;
	// by code point, so that a cut never leaves half a surrogate pair
	return `${Array.from(value).slice(0, 100).join('')}… (${value.length} characters)`;
}

/** What a read that did not answer 200 means for a check that needed it. */
function unread(name: string, title: string, table: TableName, result: ApiResult): Check {
	const refused = readRefusal(table, result);
	if (refused) return check(name, title, 'unknown', `Could not read ${table}.`, refused, result);
	return check(
		name,
		title,
		'unknown',
		`Reading ${table} failed (HTTP ${result.status || 'no answer'}).`,
		result.networkError ?? 'Run Check Setup again; see the instance check.',
		result,
	);
}

interface Reader {
	rows(
		table: TableName,
		conditions: string[],
		fields: string,
		limit?: number,
	): Promise<{ rows?: TableRow[]; result: ApiResult }>;
}

function readerFor(ctx: ApiContext, connection: Connection, options: SendOptions): Reader {
	const policy = { timeoutMs: options.timeoutMs, policy: options.policy };
	return {
		rows: (table, conditions, fields, limit = 1) =>
			listRows<TableRow>(ctx, connection, table, encodeQuery(conditions), policy, {
				fields,
				limit,
			}),
	};
}

/** The instance answers, and its sn_pren tables exist. */
async function instanceCheck(read: Reader): Promise<{ check: Check; reachable: boolean }> {
	const title = 'Instance reachable, Proactive Engagement installed';
	const { rows, result } = await read.rows(TABLES.provider, [], 'sys_id');
	const { status } = result;
	if (rows || status === 403)
		return {
			check: check(
				'instance',
				title,
				'pass',
				`The instance answers and has the ${TABLES.provider} table (HTTP ${status}).`,
				'',
				result,
			),
			reachable: true,
		};
	const fail = (message: string, fix: string) => ({
		check: check('instance', title, 'fail', message, fix, result),
		reachable: false,
	});
	if (status === 0)
		return fail(
			`No answer from the instance (${result.networkError ?? 'no connection'}).`,
			"Check the credential's Instance URL and that the instance is awake (a developer instance hibernates).",
		);
	if (status === 401)
		return fail(
			'The instance refused the credential (HTTP 401).',
			'Fix the user name and password, or the OAuth client (for client credentials the instance needs the property glide.oauth.inbound.client.credential.grant_type.enabled = true and an OAuth Application User).',
		);
	if (status >= 300 && status < 400)
		return fail(
			`The instance redirected the read${result.headers.location ? ` to ${result.headers.location}` : ''} (HTTP ${status}).`,
			"Use the instance's own https URL as Instance URL (a redirect to a sign-in page means a hibernating developer instance: wake it).",
		);
	if (status === 400 || status === 404)
		return {
			check: check(
				'instance',
				title,
				'fail',
				`The instance has no ${TABLES.provider} table (HTTP ${status}): Proactive Engagement is not installed.`,
				'Install Proactive Engagement from the ServiceNow Store (plugin sn_pren), with Glide Virtual Agent (com.glide.cs.chatbot).',
				result,
			),
			reachable: true,
		};
	const page = notTableAnswer(result);
	if (page) return fail(`Reading ${TABLES.provider} gave no Table API answer (HTTP 200).`, page);
	return fail(
		`Reading ${TABLES.provider} failed (HTTP ${status}).`,
		'Run Check Setup again later.',
	);
}

/** The credential's user may read experience issues (the trigger, Get, Chain's check, recovery reads). */
async function readRoleCheck(read: Reader): Promise<Check> {
	const title = `Read experience issues (${PE_ROLES.read})`;
	const { rows, result } = await read.rows(TABLES.experienceIssue, [], 'sys_id');
	if (rows)
		return check(
			'readRole',
			title,
			'pass',
			`The credential's user may read ${TABLES.experienceIssue}: the trigger, Get, Chain's state check and the recovery reads work.`,
			'',
			result,
		);
	const refused = readRefusal(TABLES.experienceIssue, result);
	if (refused)
		return check(
			'readRole',
			title,
			'fail',
			`The credential's user may not read ${TABLES.experienceIssue}: the trigger, Get and Chain's state check fail, and a lost answer cannot be recovered.`,
			refused,
			result,
		);
	return unread('readRole', title, TABLES.experienceIssue, result);
}

/** The credential's user holds the create role: its role records, when the credential names the user. */
async function createRoleCheck(read: Reader, connection: Connection): Promise<Check> {
	const title = `Create experience issues (${CREATE_ROLE})`;
	const data = connection.credentialsDecrypted?.data;
	const userName = data?.authType === 'basic' ? text(data.username) : '';
	if (!userName || !isQueryableValue(userName))
		return check(
			'createRole',
			title,
			'unknown',
			'The credential does not name its user (OAuth): its roles cannot be read.',
			`Check that the OAuth Application User of the OAuth client has the role ${CREATE_ROLE}.`,
		);
	const mine = condition('user.user_name', '=', userName);
	const { rows, result } = await read.rows(
		TABLES.userHasRole,
		[mine, isOneOf('role.name', [CREATE_ROLE, 'admin'])],
		'sys_id',
	);
	if (!rows) return unread('createRole', title, TABLES.userHasRole, result);
	if (rows.length > 0)
		return check(
			'createRole',
			title,
			'pass',
			`${userName} has the role ${CREATE_ROLE}.`,
			'',
			result,
		);
	// None of those: a user whose other role records can be read lacks it; one of none, who knows.
	const any = await read.rows(TABLES.userHasRole, [mine], 'sys_id');
	if (!any.rows?.length)
		return check(
			'createRole',
			title,
			'unknown',
			`No role record of ${userName} could be read (the user may see none, or have none).`,
			`Check that ${userName} has the role ${CREATE_ROLE}.`,
			any.result,
		);
	return check(
		'createRole',
		title,
		'fail',
		`${userName} does not have the role ${CREATE_ROLE}: every create is refused (HTTP 403).`,
		`Give ${userName} the role ${CREATE_ROLE}.`,
		result,
	);
}

async function providerCheck(read: Reader, provider: string): Promise<Check> {
	const title = `Provider "${shown(provider)}"`;
	if (!isQueryableValue(provider))
		return check(
			'provider',
			title,
			'fail',
			'The provider code cannot be a script.',
			'Give the provider code, e.g. sn.',
		);
	const { rows, result } = await read.rows(
		TABLES.provider,
		[condition('provider_code', '=', provider)],
		'provider_code,name',
	);
	if (!rows) return unread('provider', title, TABLES.provider, result);
	return rows.length > 0
		? check(
				'provider',
				title,
				'pass',
				`${TABLES.provider} has provider_code "${shown(provider)}".`,
				'',
				result,
			)
		: check(
				'provider',
				title,
				'fail',
				`No ${TABLES.provider} record has provider_code "${shown(provider)}": every create with it answers "Invalid issue code or provider".`,
				'Use the provider code of a provider record (ServiceNow ships sn), or create the provider record.',
				result,
			);
}

/** The issue code deployed for the provider (a registry record), with a resolution and notification content. */
async function issueCodeCheck(read: Reader, code: string, provider: string): Promise<Check> {
	const title = `Issue code "${shown(code)}" deployed, with a resolution and notification content`;
	if (!isQueryableValue(code) || !isQueryableValue(provider))
		return check(
			'issueCode',
			title,
			'fail',
			'The issue code cannot be a script.',
			'Give the issue code.',
		);
	const conditions = [
		condition('issue_code', '=', code),
		condition('provider.provider_code', '=', provider),
	];
	const { rows, result } = await read.rows(
		TABLES.issueRegistry,
		conditions,
		'issue_code,name,resolution,notification_content',
	);
	if (!rows) return unread('issueCode', title, TABLES.issueRegistry, result);
	const [entry] = rows;
	if (!entry) {
		const template = await read.rows(TABLES.issueRegistryTemplate, conditions, 'issue_code');
		const templated = Boolean(template.rows?.length);
		return check(
			'issueCode',
			title,
			'fail',
			templated
				? `Issue code "${shown(code)}" has a template (${TABLES.issueRegistryTemplate}) but is not deployed: no ${TABLES.issueRegistry} record. Every create with it answers "Invalid issue code or provider".`
				: `No ${TABLES.issueRegistry} record has issue code "${shown(code)}" for provider "${shown(provider)}". Every create with it answers "Invalid issue code or provider".`,
			templated
				? 'Deploy the Issue Registry Template (an Engagement Admin, sn_pren.engagement_admin, does it in the Proactive Engagement workbench).'
				: 'Create an Issue Registry Template for the issue code (with its resolution and notification content) and deploy it; or use a deployed issue code (the Issue Code picker lists them).',
			result,
		);
	}
	const missing = [
		entry.resolution ? '' : `a resolution (${TABLES.resolution})`,
		entry.notification_content ? '' : `notification content (${TABLES.notificationContent})`,
	].filter(Boolean);
	if (missing.length)
		return check(
			'issueCode',
			title,
			'fail',
			`Issue code "${shown(code)}" is deployed without ${missing.join(' and ')}: every create with it answers "Issue code does not have a proper resolution".`,
			`Configure ${missing.join(' and ')} for the issue code's template, and deploy it again.`,
			result,
		);
	return check(
		'issueCode',
		title,
		'pass',
		`Issue code "${shown(code)}"${entry.name ? ` (${entry.name})` : ''} is deployed for provider "${shown(provider)}", with a resolution and notification content.`,
		'',
		result,
	);
}

/** The user the endpoint fields name: an active user, or a computer assigned to one. */
async function userCheck(read: Reader, given: IDataObject): Promise<Check | undefined> {
	const by: Array<[string, string, TableName, string]> = [
		['userId', 'user ID', TABLES.user, 'sys_id'],
		['userName', 'user name', TABLES.user, 'user_name'],
		['userEmail', 'email', TABLES.user, 'email'],
		['ci', 'CI', TABLES.computer, 'sys_id'],
	];
	const chosen = by.find(([key]) => text(given[key]));
	if (!chosen) return undefined;
	const [key, what, table, field] = chosen;
	const value = text(given[key]);
	const title = `User resolvable by ${what} "${shown(value)}"`;
	if (!isQueryableValue(value))
		return check('user', title, 'fail', `The ${what} cannot be a script.`, `Give the ${what}.`);
	const fields = table === TABLES.computer ? 'sys_id,name,assigned_to' : 'sys_id,user_name,active';
	const { rows, result } = await read.rows(table, [condition(field, '=', value)], fields);
	if (!rows) return unread('user', title, table, result);
	const [row] = rows;
	const fail = (message: string, fix: string) => check('user', title, 'fail', message, fix, result);
	const fixUser =
		'Use a user the instance has (sys_user, active), or map the endpoint differently: every create for it answers "Could not resolve user from endpoint details".';
	if (!row) return fail(`No ${table} record has ${field} "${shown(value)}".`, fixUser);
	if (table === TABLES.computer) {
		return row.assigned_to
			? check(
					'user',
					title,
					'pass',
					`Computer "${row.name}" is assigned to user ${row.assigned_to}.`,
					'',
					result,
				)
			: fail(
					`Computer "${row.name}" is assigned to nobody: the instance cannot tell whose device it is.`,
					'Set Assigned to on the computer, or send a user field with it.',
				);
	}
	return row.active === 'false'
		? fail(`User "${row.user_name}" is inactive.`, fixUser)
		: check(
				'user',
				title,
				'pass',
				`User "${row.user_name}" (${row.sys_id}) is active.`,
				'',
				result,
			);
}

/** The Batch API answers: one harmless read sent through it. */
async function batchCheck(
	ctx: ApiContext,
	connection: Connection,
	options: SendOptions,
): Promise<Check> {
	const title = 'Batch API (/api/now/v1/batch)';
	const result = await apiRequest(
		ctx,
		connection,
		{
			method: 'POST',
			path: '/api/now/v1/batch',
			body: JSON.stringify({
				batch_request_id: 'n8n-check-setup',
				rest_requests: [
					{
						id: '1',
						method: 'GET',
						url: `/api/now/table/${TABLES.provider}?sysparm_limit=1&sysparm_fields=sys_id`,
						headers: [{ name: 'Accept', value: 'application/json' }],
					},
				],
			}),
			format: 'json',
			timeoutMs: options.timeoutMs,
		},
		options.policy,
	);
	const answer = result.data as
		| { serviced_requests?: unknown; unserviced_requests?: unknown }
		| undefined;
	const served = Array.isArray(answer?.serviced_requests) ? answer.serviced_requests : undefined;
	// Only an answer that served the read sent shows the Batch API at work: an instance busy
	// enough to leave it unserviced answers 200 too. Served means our id (text or number, never
	// converted from an object, which may not convert at all) with the read's HTTP status.
	const servedOurs = served?.some((r) => {
		if (!isPlainObject(r) || batchItemId(r.id) !== '1') return false;
		const status = Number(batchItemId(r.status_code) ?? '');
		return status >= 100 && status <= 599;
	});
	if (result.status === 200 && served && !servedOurs) {
		const unserviced = Array.isArray(answer?.unserviced_requests)
			? answer.unserviced_requests.length
			: 0;
		return check(
			'batchApi',
			title,
			'unknown',
			`The Batch API answered but did not serve the request sent (${served.length} served, ${unserviced} unserviced).`,
			'Run Check Setup again; if it stays so, use Send Mode "One Request per Item".',
			result,
		);
	}
	if (result.status === 200 && servedOurs)
		return check(
			'batchApi',
			title,
			'pass',
			'The Batch API answers: Send Mode "Batch API" works.',
			'',
			result,
		);
	if (result.status >= 400 && result.status < 500 && result.status !== 401 && result.status !== 429)
		return check(
			'batchApi',
			title,
			'fail',
			`The Batch API refused a request (HTTP ${result.status}): Send Mode "Batch API" falls back to one request per item.`,
			'Use Send Mode "One Request per Item", or ask the admin whether REST batching is disabled (glide.uxf.disable_rest_batching).',
			result,
		);
	return check(
		'batchApi',
		title,
		'unknown',
		`The Batch API did not answer as expected (HTTP ${result.status || 'no answer'}).`,
		result.networkError ?? 'Run Check Setup again.',
		result,
	);
}

/** Every check for one input item, in order. */
async function checksFor(
	ctx: ApiContext,
	connection: Connection,
	options: SendOptions,
	given: IDataObject,
): Promise<Check[]> {
	const read = readerFor(ctx, connection, options);
	const instance = await instanceCheck(read);
	const checks: Check[] = [instance.check];
	const code = text(given.issueCode);
	const provider = text(given.provider) || 'sn';
	const user = ['userId', 'userName', 'userEmail', 'ci'].some((k) => text(given[k]));
	if (!instance.reachable) {
		const planned: Array<[string, string]> = [
			['readRole', `Read experience issues (${PE_ROLES.read})`],
			['createRole', `Create experience issues (${CREATE_ROLE})`],
			['provider', `Provider "${shown(provider)}"`],
			...(code ? [['issueCode', `Issue code "${shown(code)}"`] as [string, string]] : []),
			...(user ? [['user', 'User resolvable'] as [string, string]] : []),
			['batchApi', 'Batch API (/api/now/v1/batch)'],
		];
		for (const [name, title] of planned)
			checks.push(
				check(
					name,
					title,
					'unknown',
					'Not checked: the instance check failed.',
					'Fix the instance check first.',
				),
			);
		return checks;
	}
	checks.push(await readRoleCheck(read));
	checks.push(await createRoleCheck(read, connection));
	checks.push(await providerCheck(read, provider));
	if (code) checks.push(await issueCodeCheck(read, code, provider));
	const userResult = await userCheck(read, given);
	if (userResult) checks.push(userResult);
	checks.push(await batchCheck(ctx, connection, options));
	return checks;
}

export const checkSetup: ReadingOperation = {
	description: updateDisplayOptions(
		{ show: { resource: ['experienceIssue'], operation: ['checkSetup'] } },
		properties,
	),
	outputs: { names: ['Checks'] },

	async execute(ctx, connection, options) {
		const out: INodeExecutionData[] = [];
		for (const [i] of ctx.getInputData().entries()) {
			const given = ctx.getNodeParameter('checkFor', i, {}) as IDataObject;
			for (const c of await checksFor(ctx, connection, options, given))
				out.push({ json: { ...c }, pairedItem: { item: i } });
		}
		return [out];
	},
};
