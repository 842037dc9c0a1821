/** Table API reads the node makes: experience issues and computers, with escaped query values. */
import type { IExecuteFunctions } from 'n8n-workflow';
import { TABLE_PARAMS, TABLES, tablePath, type IssueRow, type TableName } from '../../../contract/api';
import { condition, encodeQuery } from '../../../contract/encodedQuery';
import { apiRequest, type ApiResult, type Connection, type RetryPolicy } from './request';

export interface ReadOptions {
	timeoutMs: number;
	policy: RetryPolicy;
}

async function firstRow<T>(
	ctx: IExecuteFunctions,
	connection: Connection,
	table: TableName,
	query: string,
	options: ReadOptions,
	fields?: string,
): Promise<{ found?: T; result: ApiResult }> {
	const result = await apiRequest(
		ctx,
		connection,
		{
			method: 'GET',
			path: tablePath(table),
			qs: { [TABLE_PARAMS.query]: query, [TABLE_PARAMS.limit]: 1, ...(fields ? { [TABLE_PARAMS.fields]: fields } : {}) },
			format: 'json',
			timeoutMs: options.timeoutMs,
		},
		options.policy,
	);
	const rows = (result.data as { result?: T[] } | undefined)?.result;
	return { found: Array.isArray(rows) ? rows[0] : undefined, result };
}

/** The experience issue with this experience_id or sys_id (undefined when none). */
export async function findIssue(
	ctx: IExecuteFunctions,
	connection: Connection,
	by: 'experience_id' | 'sys_id',
	id: string,
	options: ReadOptions,
): Promise<{ found?: IssueRow; result: ApiResult }> {
	return firstRow<IssueRow>(ctx, connection, TABLES.experienceIssue, encodeQuery([condition(by, '=', id)]), options);
}

/** The sys_id of the computer (cmdb_ci_computer) with this name. */
export async function findComputer(
	ctx: IExecuteFunctions,
	connection: Connection,
	name: string,
	options: ReadOptions,
): Promise<{ sysId?: string; result: ApiResult }> {
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
