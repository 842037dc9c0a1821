/** Table API reads the node makes: experience issues and computers, with escaped query values. */
import { TABLE_PARAMS, TABLES, parseGlideDateTime, tablePath, type CreateIssueBody, type IssueRow, type TableName } from '../../../contract/api';
import { condition, encodeQuery, isQueryableValue } from '../../../contract/encodedQuery';
import { apiRequest, type ApiContext, type ApiResult, type Connection, type RetryPolicy } from './request';

export interface ReadOptions {
	timeoutMs: number;
	policy: RetryPolicy;
}

async function rows<T>(
	ctx: ApiContext,
	connection: Connection,
	table: TableName,
	query: string,
	options: ReadOptions,
	{ fields, limit = 1 }: { fields?: string; limit?: number } = {},
): Promise<{ rows?: T[]; result: ApiResult }> {
	const result = await apiRequest(
		ctx,
		connection,
		{
			method: 'GET',
			path: tablePath(table),
			qs: { [TABLE_PARAMS.query]: query, [TABLE_PARAMS.limit]: limit, ...(fields ? { [TABLE_PARAMS.fields]: fields } : {}) },
			format: 'json',
			timeoutMs: options.timeoutMs,
		},
		options.policy,
	);
	const found = (result.data as { result?: T[] } | undefined)?.result;
	return { rows: result.status === 200 && Array.isArray(found) ? found : undefined, result };
}

/** One page of a table (undefined rows when the read failed), and the total the instance counts. */
export async function listRows<T>(
	ctx: ApiContext,
	connection: Connection,
	table: TableName,
	query: string,
	options: ReadOptions,
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
				...(page.offset ? { [TABLE_PARAMS.offset]: page.offset } : {}),
				...(page.fields ? { [TABLE_PARAMS.fields]: page.fields } : {}),
			},
			format: 'json',
			timeoutMs: options.timeoutMs,
		},
		options.policy,
	);
	const found = (result.data as { result?: T[] } | undefined)?.result;
	const total = Number(result.headers['x-total-count']);
	return { rows: result.status === 200 && Array.isArray(found) ? found : undefined, total: Number.isFinite(total) ? total : undefined, result };
}

async function firstRow<T>(
	ctx: ApiContext,
	connection: Connection,
	table: TableName,
	query: string,
	options: ReadOptions,
	fields?: string,
): Promise<{ found?: T; result: ApiResult }> {
	const { rows: found, result } = await rows<T>(ctx, connection, table, query, options, { fields });
	return { found: found?.[0], result };
}

/** A read that was not made: the value would run as a script on the instance. */
const NOT_QUERIED: ApiResult = { status: 0, headers: {}, data: undefined, rawText: '', networkError: 'not queried', attempts: 0, earlierAttemptUncertain: false };

/**
 * The experience issue with this experience_id or sys_id (undefined when none). An ID starting
 * with `javascript:` is no ID: nothing is queried, nothing found.
 */
export async function findIssue(
	ctx: ApiContext,
	connection: Connection,
	by: 'experience_id' | 'sys_id',
	id: string,
	options: ReadOptions,
): Promise<{ found?: IssueRow; result: ApiResult }> {
	if (!isQueryableValue(id)) return { result: { ...NOT_QUERIED, status: 200 } };
	return firstRow<IssueRow>(ctx, connection, TABLES.experienceIssue, encodeQuery([condition(by, '=', id)]), options);
}

/** The sys_id of the computer (cmdb_ci_computer) with this name; a `javascript:` name is not queried (`notQueried`). */
export async function findComputer(
	ctx: ApiContext,
	connection: Connection,
	name: string,
	options: ReadOptions,
): Promise<{ sysId?: string; result: ApiResult; notQueried?: boolean }> {
	if (!isQueryableValue(name)) return { result: NOT_QUERIED, notQueried: true };
	const { found, result } = await firstRow<{ sys_id?: string }>(ctx, connection, TABLES.computer, encodeQuery([condition('name', '=', name)]), options, 'sys_id,name');
	return { sysId: found?.sys_id || undefined, result };
}

/** How far before an attempt an issue's date may lie and still be the attempt's (clocks differ). */
export const RECOVERY_SLACK_MS = 60_000;

/**
 * Whether the instance holds what an earlier attempt of this create (or chain) would have made: an
 * issue with its issue code, provider, user (as the endpoint names it) and experience_id, created
 * (or, for a chain, changed) since the attempt began. "unknown" when the read failed or more than
 * one issue fits: then nothing can be proven either way.
 */
export async function findOwnIssue(
	ctx: ApiContext,
	connection: Connection,
	body: CreateIssueBody,
	since: number,
	options: ReadOptions,
): Promise<{ row: IssueRow } | 'absent' | 'unknown'> {
	const { endpoint } = body;
	const values = [body.issue_code, body.provider, body.experience_id ?? '', ...Object.values(endpoint)];
	if (!values.every((v) => isQueryableValue(String(v ?? '')))) return 'unknown';
	const who = endpoint.user_id
		? condition('user', '=', endpoint.user_id)
		: endpoint.user_name
			? condition('user.user_name', '=', endpoint.user_name)
			: endpoint.email
				? condition('user.email', '=', endpoint.email)
				: condition('configuration_item', '=', endpoint.CI ?? '');
	const conditions = [condition('issue_code', '=', body.issue_code), condition('provider', '=', body.provider), who];
	if (body.experience_id) conditions.push(condition('experience_id', '=', body.experience_id));
	const { rows: found } = await rows<IssueRow>(ctx, connection, TABLES.experienceIssue, encodeQuery(conditions, ['ORDERBYDESCsys_updated_on']), options, { limit: 5 });
	if (!found) return 'unknown';
	const field = body.experience_id ? 'sys_updated_on' : 'sys_created_on';
	const recent = found.filter((row) => parseGlideDateTime(row[field]) >= since - RECOVERY_SLACK_MS);
	if (recent.length === 1) return { row: recent[0] };
	return recent.length === 0 ? 'absent' : 'unknown';
}
