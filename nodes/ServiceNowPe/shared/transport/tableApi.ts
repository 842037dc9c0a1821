/**
 * Table API reads the nodes make (experience issues, computers, the trigger's and the pickers'
 * tables), with escaped query values; how each kind of read is made (timeout, retries, page size);
 * and what an experience issue row becomes in the nodes' output (the one home of issue-row
 * parsing). The action node's recovery read, built on listRows, is in v1/engine/recoveryRead.ts.
 */
import type { IDataObject } from 'n8n-workflow';
import {
	ISSUE_JSON_FIELDS,
	PE_ROLES,
	TABLE_PARAMS,
	TABLES,
	TABLE_READ_ROLES,
	tablePath,
	type IssueRow,
	type TableName,
} from '../../../../contract/api';
import { condition, encodeQuery, isQueryableValue } from '../../../../contract/encodedQuery';
import { isPlainObject } from '../../../../contract/values';
import {
	apiRequest,
	type ApiContext,
	type ApiResult,
	type Connection,
	type RetryPolicy,
} from './request';

/** How a read is made: how long one attempt may take, and when it is tried again. */
export interface ReadPolicy {
	timeoutMs: number;
	policy: RetryPolicy;
}

/** The trigger's reads: a poll that still fails is tried again, from the same place, by the next poll. */
export const TRIGGER_READ: ReadPolicy = {
	timeoutMs: 30_000,
	policy: { maxAttempts: 3, maxWaitSeconds: 10, baseDelayMs: 500 },
};
/** Rows the trigger reads a page. */
export const TRIGGER_PAGE_SIZE = 100;

/** The pickers' reads: someone waits for the list, so they give up sooner. */
export const PICKER_READ: ReadPolicy = {
	timeoutMs: 20_000,
	policy: { maxAttempts: 2, maxWaitSeconds: 2, baseDelayMs: 250 },
};
/** Entries a picker lists a page. */
export const PICKER_PAGE_SIZE = 50;

/** A Table API row as the nodes read it: every field as the instance gave it (references as sys_ids). */
export type TableRow = Record<string, string>;

/**
 * A row as the node uses it: every reference field its sys_id. Instances give references as
 * `{link, value}` unless asked not to (and some fields even then): both are read.
 */
function plainRow<T>(row: unknown): T {
	if (!isPlainObject(row)) return row as T;
	const out: Record<string, unknown> = {};
	for (const [key, value] of Object.entries(row)) {
		out[key] = isPlainObject(value) && 'value' in value ? (value.value ?? '') : value;
	}
	return out as T;
}

/** One page of a table (undefined rows when the read failed), and the total the instance counts. */
export async function listRows<T>(
	ctx: ApiContext,
	connection: Connection,
	table: TableName,
	query: string,
	options: ReadPolicy,
	page: { fields?: string; limit: number; offset?: number },
): Promise<{ rows?: T[]; total?: number; result: ApiResult }> {
	const result = await apiRequest(
		ctx,
		connection,
		{
			method: 'GET',
			path: tablePath(table),
			qs: {
				[TABLE_PARAMS.query]: query,
				[TABLE_PARAMS.limit]: page.limit,
				[TABLE_PARAMS.excludeReferenceLink]: 'true',
				...(page.offset ? { [TABLE_PARAMS.offset]: page.offset } : {}),
				...(page.fields ? { [TABLE_PARAMS.fields]: page.fields } : {}),
			},
			format: 'json',
			timeoutMs: options.timeoutMs,
		},
		options.policy,
	);
	const found = (result.data as { result?: unknown[] } | undefined)?.result;
	const total = Number(result.headers['x-total-count']);
	return {
		rows:
			result.status === 200 && Array.isArray(found)
				? found.map((row) => plainRow<T>(row))
				: undefined,
		total: Number.isFinite(total) ? total : undefined,
		result,
	};
}

async function rows<T>(
	ctx: ApiContext,
	connection: Connection,
	table: TableName,
	query: string,
	options: ReadPolicy,
	{ fields, limit = 1 }: { fields?: string; limit?: number } = {},
): Promise<{ rows?: T[]; result: ApiResult }> {
	return listRows<T>(ctx, connection, table, query, options, { fields, limit });
}

/**
 * What a 200 that holds no Table API answer means: an HTML page is what a hibernating developer
 * instance (or a sign-in proxy) answers; anything else, not the Table API. Undefined for an answer
 * that has its rows, or is not a 200.
 */
export function notTableAnswer(result: ApiResult): string | undefined {
	if (result.status !== 200) return undefined;
	const found = (result.data as { result?: unknown } | undefined)?.result;
	if (Array.isArray(found) || (found !== null && typeof found === 'object')) return undefined;
	const html =
		/html/i.test(result.headers['content-type'] ?? '') ||
		/^\s*<(!doctype\s+html|html)/i.test(result.rawText);
	return html
		? "The instance answered with a web page (HTML, HTTP 200), not the Table API: a developer instance that hibernates answers its sign-in page. Wake the instance (sign in to it), and check that the credential's Instance URL is the instance's own https URL."
		: "The instance answered HTTP 200 without a Table API answer: check that the credential's Instance URL is the instance's own https URL, not a proxy's or a portal's.";
}

async function firstRow<T>(
	ctx: ApiContext,
	connection: Connection,
	table: TableName,
	query: string,
	options: ReadPolicy,
	fields?: string,
): Promise<{ found?: T; result: ApiResult }> {
	const { rows: found, result } = await rows<T>(ctx, connection, table, query, options, { fields });
	// A 200 without rows is no answer: never "no such record".
	const unreadable = found ? undefined : notTableAnswer(result);
	if (unreadable) return { result: { ...result, status: 0, networkError: unreadable } };
	return { found: found?.[0], result };
}

/** The instance's own words about a refusal (`error.detail`, else `error.message`). */
function refusalWords(result: ApiResult): string {
	const error = (result.data as { error?: { message?: unknown; detail?: unknown } } | undefined)
		?.error;
	const words = [error?.message, error?.detail].filter((w) => typeof w === 'string' && w);
	return words.join(': ');
}

/**
 * When a read was refused (HTTP 403: the credential's user may not read the table), what to do,
 * naming the role: Proactive Engagement's tables need one of their read roles; any other table,
 * read access by its ACLs. Undefined for any other answer.
 */
export function readRefusal(table: TableName, result: ApiResult): string | undefined {
	if (result.status !== 403) return undefined;
	const roles = TABLE_READ_ROLES[table];
	const said = refusalWords(result);
	const fix = !roles
		? `give it read access to ${table} (the table's ACLs)`
		: table === TABLES.experienceIssue
			? `give it the role ${PE_ROLES.read} (contained in ${PE_ROLES.engagementAdmin})`
			: `give it one of the roles ${roles.join(', ')} (all contained in ${PE_ROLES.engagementAdmin})`;
	return `The instance refused to let the credential's user read ${table} (HTTP 403${said ? `, "${said}"` : ''}): ${fix}.`;
}

/** A read that was not made: the value would run as a script on the instance. */
const NOT_QUERIED: ApiResult = {
	status: 0,
	headers: {},
	data: undefined,
	rawText: '',
	networkError: 'not queried',
	attempts: 0,
	earlierAttemptUncertain: false,
};

/**
 * The experience issue with this experience_id or sys_id (undefined when none). An ID starting
 * with `javascript:` is no ID: nothing is queried, nothing found.
 */
export async function findIssue(
	ctx: ApiContext,
	connection: Connection,
	by: 'experience_id' | 'sys_id',
	id: string,
	options: ReadPolicy,
): Promise<{ found?: IssueRow; result: ApiResult }> {
	if (!isQueryableValue(id)) return { result: { ...NOT_QUERIED, status: 200 } };
	return firstRow<IssueRow>(
		ctx,
		connection,
		TABLES.experienceIssue,
		encodeQuery([condition(by, '=', id)]),
		options,
	);
}

/** The sys_id of the computer (cmdb_ci_computer) with this name; a `javascript:` name is not queried (`notQueried`). */
export async function findComputer(
	ctx: ApiContext,
	connection: Connection,
	name: string,
	options: ReadPolicy,
): Promise<{ sysId?: string; result: ApiResult; notQueried?: boolean }> {
	if (!isQueryableValue(name)) return { result: NOT_QUERIED, notQueried: true };
	const { found, result } = await firstRow<{ sys_id?: string }>(
		ctx,
		connection,
		TABLES.computer,
		encodeQuery([condition('name', '=', name)]),
		options,
		'sys_id,name',
	);
	return { sysId: found?.sys_id || undefined, result };
}

/** An issue's issue codes, oldest first, from its issue_code_history (undefined when the row has none). */
export function issueCodeHistory(row: Partial<IssueRow> | TableRow): string[] | undefined {
	const value: unknown = row.issue_code_history;
	return typeof value === 'string' ? value.split(',').filter(Boolean) : undefined;
}

/**
 * An experience issue row as the nodes output it (Get, the trigger): its fields as the Table API
 * gives them, the JSON text fields parsed (kept as text when they are not JSON objects: the
 * instance stores what it was given), issue_code_history as a list.
 */
export function issueJson(row: Partial<IssueRow> | TableRow): IDataObject {
	const json: IDataObject = { ...row };
	for (const field of ISSUE_JSON_FIELDS) {
		const value: unknown = row[field];
		if (typeof value === 'string' && value.startsWith('{')) {
			try {
				json[field] = JSON.parse(value) as IDataObject;
			} catch {
				// Kept as the instance stores it.
			}
		}
	}
	const codes = issueCodeHistory(row);
	if (codes) json.issue_code_history = codes;
	return json;
}
