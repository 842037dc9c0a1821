/**
 * Table API reads the nodes make (experience issues, computers, the trigger's and the pickers'
 * tables), with escaped query values; how each kind of read is made (timeout, retries, page size);
 * and what an experience issue row becomes in the nodes' output.
 */
import type { IDataObject } from 'n8n-workflow';
import { ISSUE_JSON_FIELDS, TABLE_PARAMS, TABLES, parseGlideDateTime, tablePath, type CreateIssueBody, type IssueRow, type TableName } from '../../../../contract/api';
import { anyOf, condition, encodeQuery, isExactQueryValue, isQueryableValue, orderBy } from '../../../../contract/encodedQuery';
import { isPlainObject } from '../../../../contract/values';
import { apiRequest, type ApiContext, type ApiResult, type Connection, type RetryPolicy } from './request';

/** How a read is made: how long one attempt may take, and when it is tried again. */
export interface ReadPolicy {
	timeoutMs: number;
	policy: RetryPolicy;
}

/** The trigger's reads: a poll that still fails is tried again, from the same place, by the next poll. */
export const TRIGGER_READ: ReadPolicy = { timeoutMs: 30_000, policy: { maxAttempts: 3, maxWaitSeconds: 10, baseDelayMs: 500 } };
/** Rows the trigger reads a page. */
export const TRIGGER_PAGE_SIZE = 100;

/** The pickers' reads: someone waits for the list, so they give up sooner. */
export const PICKER_READ: ReadPolicy = { timeoutMs: 20_000, policy: { maxAttempts: 2, maxWaitSeconds: 2, baseDelayMs: 250 } };
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
	return { rows: result.status === 200 && Array.isArray(found) ? found.map((row) => plainRow<T>(row)) : undefined, total: Number.isFinite(total) ? total : undefined, result };
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

async function firstRow<T>(
	ctx: ApiContext,
	connection: Connection,
	table: TableName,
	query: string,
	options: ReadPolicy,
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
	options: ReadPolicy,
): Promise<{ found?: IssueRow; result: ApiResult }> {
	if (!isQueryableValue(id)) return { result: { ...NOT_QUERIED, status: 200 } };
	return firstRow<IssueRow>(ctx, connection, TABLES.experienceIssue, encodeQuery([condition(by, '=', id)]), options);
}

/** The sys_id of the computer (cmdb_ci_computer) with this name; a `javascript:` name is not queried (`notQueried`). */
export async function findComputer(
	ctx: ApiContext,
	connection: Connection,
	name: string,
	options: ReadPolicy,
): Promise<{ sysId?: string; result: ApiResult; notQueried?: boolean }> {
	if (!isQueryableValue(name)) return { result: NOT_QUERIED, notQueried: true };
	const { found, result } = await firstRow<{ sys_id?: string }>(ctx, connection, TABLES.computer, encodeQuery([condition('name', '=', name)]), options, 'sys_id,name');
	return { sysId: found?.sys_id || undefined, result };
}

/**
 * How far before an attempt an issue's date may lie when the instance sends no clock (Date
 * header). Only an issue within it may be taken as the attempt's own, and only when no other
 * issue of the user and code could be: without the instance's clock, one of any age could be.
 */
export const RECOVERY_SLACK_MS = 60_000;

/** What the node knows of an issue before chaining onto it (Chain with Check State First). */
export interface ChainBase {
	issueCodeHistory: string[];
}

export interface RecoveryScope {
	/** Local time (ms) the first attempt began. */
	since: number;
	/** The issue as read before a chain, to tell a chain that was applied from one that was not. */
	chainBase?: ChainBase;
	/** experience_ids other items of this execution were given: never this item's. */
	claimed?: ReadonlySet<string>;
	/** `experience_id|issue code` → chains of that code onto that issue already counted as some item's. */
	chainClaims?: ReadonlyMap<string, number>;
}

/** The key of `RecoveryScope.chainClaims`. */
export function chainKey(experienceId: string, issueCode: string): string {
	return `${experienceId}|${issueCode}`;
}

/** Whether the read's answer gives the instance's clock (its Date header). */
function hasInstanceClock(result: ApiResult): boolean {
	return Number.isFinite(Date.parse(result.headers.date ?? ''));
}

/** When the attempt began, by the instance's clock: from the Date header of the read's answer. */
function attemptStartOnInstance(result: ApiResult, since: number): number {
	const instanceNow = Date.parse(result.headers.date ?? '');
	// Without the instance's clock, allow for clocks that differ by up to a minute.
	if (!Number.isFinite(instanceNow)) return since - RECOVERY_SLACK_MS;
	// The header and the row dates count whole seconds: two seconds of slack.
	return instanceNow - (Date.now() - since) - 2000;
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

/**
 * Whether the instance holds what an earlier attempt of this create (or chain) would have made:
 * - a create: an issue with its issue code and provider, for the user any of its endpoint fields
 *   names (the instance falls back from one field to the next), created since the attempt began
 *   by the instance's clock, and given to no other item of this execution;
 * - with an experience_id: the issue that has it, created since the attempt began (a new issue
 *   with the caller's ID), or, for an older issue (a chain), its history grown by the issue code
 *   since the read before sending (without that read, nothing can be proven).
 * "unknown" when the read failed or more than one issue fits: then nothing can be proven.
 * "waiting": a chain not applied, onto an issue still in action_wait — an attempt the instance
 * may still be processing could yet apply it (after an answered attempt, it is "absent").
 */
export async function findOwnIssue(
	ctx: ApiContext,
	connection: Connection,
	body: CreateIssueBody,
	scope: RecoveryScope,
	options: ReadPolicy,
): Promise<{ row: IssueRow; chained?: true } | 'absent' | 'unknown' | 'waiting'> {
	const { endpoint } = body;
	const values = [body.issue_code, body.provider, body.experience_id ?? '', ...Object.values(endpoint)];
	// Finding nothing here proves something: only values the query carries exactly are read.
	if (!values.every((v) => isExactQueryValue(v ?? ''))) return 'unknown';
	if (body.experience_id) {
		const { rows: found, result } = await rows<IssueRow>(ctx, connection, TABLES.experienceIssue, encodeQuery([condition('experience_id', '=', body.experience_id)]), options, { limit: 2 });
		if (!found || found.length > 1) return 'unknown';
		if (found.length === 0) return 'absent';
		const [row] = found;
		const now = issueCodeHistory(row);
		if (!scope.chainBase) {
			// Created since the attempt began, by the instance's clock: the attempt made it (a new
			// issue with the caller's ID). An older issue: a chain nothing can prove applied or not.
			const fresh = parseGlideDateTime(row.sys_created_on) >= attemptStartOnInstance(result, scope.since);
			const alone = !now || (now.length === 1 && now[0] === body.issue_code);
			return fresh && alone && row.issue_code === body.issue_code && !scope.claimed?.has(row.experience_id) ? { row } : 'unknown';
		}
		if (!now) return 'unknown';
		const before = scope.chainBase.issueCodeHistory;
		// Ours when the history has grown past that read by this issue code (later chains may follow
		// it) more often than other items of this execution have already counted as theirs.
		const kept = before.length < now.length && before.every((code, i) => now[i] === code);
		const times = kept ? now.slice(before.length).filter((code) => code === body.issue_code).length : 0;
		if (times > (scope.chainClaims?.get(chainKey(body.experience_id, body.issue_code)) ?? 0)) return { row, chained: true };
		return row.state === 'action_wait' ? 'waiting' : 'absent';
	}
	const who = [
		endpoint.user_id ? condition('user', '=', endpoint.user_id) : '',
		endpoint.user_name ? condition('user.user_name', '=', endpoint.user_name) : '',
		endpoint.email ? condition('user.email', '=', endpoint.email) : '',
		endpoint.CI ? condition('configuration_item', '=', endpoint.CI) : '',
	].filter(Boolean);
	if (who.length === 0) return 'unknown';
	const conditions = [condition('issue_code', '=', body.issue_code), condition('provider', '=', body.provider), ...anyOf(who)];
	const { rows: found, result } = await rows<IssueRow>(ctx, connection, TABLES.experienceIssue, encodeQuery(conditions, [orderBy('sys_created_on', 'descending')]), options, { limit: 5 });
	if (!found) return 'unknown';
	const start = attemptStartOnInstance(result, scope.since);
	const unclaimed = found.filter((row) => !scope.claimed?.has(row.experience_id));
	const recent = unclaimed.filter((row) => parseGlideDateTime(row.sys_created_on) >= start);
	// Without the instance's clock its issues' dates cannot be placed: an older one may be ours.
	if (!hasInstanceClock(result) && unclaimed.length > recent.length) return 'unknown';
	if (recent.length === 1) return { row: recent[0] };
	return recent.length === 0 ? 'absent' : 'unknown';
}
