/**
 * The action node's recovery read: the one home of how it finds out, after an attempt whose answer
 * proves nothing (lost, timed out, cut off), whether the instance holds the issue (or the chain)
 * that attempt would have made. What the node knows before sending (RecoveryScope: when the first
 * attempt began, the issue as read before a chain, what other items already claimed), and the
 * Table API read that settles it by the instance's clock. Recovery (recovery.ts) decides when to
 * read; this says what a read proves.
 */
import {
	TABLES,
	parseGlideDateTime,
	type CreateIssueBody,
	type IssueRow,
} from '../../../../contract/api';
import {
	anyOf,
	condition,
	encodeQuery,
	isExactQueryValue,
	orderBy,
} from '../../../../contract/encodedQuery';
import {
	instanceTime,
	type ApiContext,
	type ApiResult,
	type Connection,
} from '../../shared/transport/request';
import {
	issueCodeHistory,
	listRows,
	readRefusal,
	type ReadPolicy,
} from '../../shared/transport/tableApi';

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
	/** Set when a read was refused (403): what to do, naming the role. Nothing could be proven. */
	refused?: string;
}

/** The key of `RecoveryScope.chainClaims`. */
export function chainKey(experienceId: string, issueCode: string): string {
	return `${experienceId}|${issueCode}`;
}

/** Whether the read's answer gives the instance's clock (its Date header). */
function hasInstanceClock(result: ApiResult): boolean {
	return instanceTime(result) !== undefined;
}

/** When the attempt began, by the instance's clock: from the Date header of the read's answer. */
function attemptStartOnInstance(result: ApiResult, since: number): number {
	const instanceNow = instanceTime(result);
	// Without the instance's clock, allow for clocks that differ by up to a minute.
	if (instanceNow === undefined) return since - RECOVERY_SLACK_MS;
	// The header and the row dates count whole seconds: two seconds of slack.
	return instanceNow - (Date.now() - since) - 2000;
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
	const values = [
		body.issue_code,
		body.provider,
		body.experience_id ?? '',
		...Object.values(endpoint),
	];
	// Finding nothing here proves something: only values the query carries exactly are read.
	if (!values.every((v) => isExactQueryValue(v ?? ''))) return 'unknown';
	if (body.experience_id) {
		const { rows: found, result } = await listRows<IssueRow>(
			ctx,
			connection,
			TABLES.experienceIssue,
			encodeQuery([condition('experience_id', '=', body.experience_id)]),
			options,
			{ limit: 2 },
		);
		if (!found) scope.refused ??= readRefusal(TABLES.experienceIssue, result);
		if (!found || found.length > 1) return 'unknown';
		if (found.length === 0) return 'absent';
		const [row] = found;
		const now = issueCodeHistory(row);
		if (!scope.chainBase) {
			// Created since the attempt began, by the instance's clock: the attempt made it (a new
			// issue with the caller's ID). An older issue: a chain nothing can prove applied or not.
			const fresh =
				parseGlideDateTime(row.sys_created_on) >= attemptStartOnInstance(result, scope.since);
			const alone = !now || (now.length === 1 && now[0] === body.issue_code);
			return fresh &&
				alone &&
				row.issue_code === body.issue_code &&
				!scope.claimed?.has(row.experience_id)
				? { row }
				: 'unknown';
		}
		if (!now) return 'unknown';
		const before = scope.chainBase.issueCodeHistory;
		// Ours when the history has grown past that read by this issue code (later chains may follow
		// it) more often than other items of this execution have already counted as theirs.
		const kept = before.length < now.length && before.every((code, i) => now[i] === code);
		const times = kept
			? now.slice(before.length).filter((code) => code === body.issue_code).length
			: 0;
		if (times > (scope.chainClaims?.get(chainKey(body.experience_id, body.issue_code)) ?? 0))
			return { row, chained: true };
		return row.state === 'action_wait' ? 'waiting' : 'absent';
	}
	const who = [
		endpoint.user_id ? condition('user', '=', endpoint.user_id) : '',
		endpoint.user_name ? condition('user.user_name', '=', endpoint.user_name) : '',
		endpoint.email ? condition('user.email', '=', endpoint.email) : '',
		endpoint.CI ? condition('configuration_item', '=', endpoint.CI) : '',
	].filter(Boolean);
	if (who.length === 0) return 'unknown';
	const conditions = [
		condition('issue_code', '=', body.issue_code),
		condition('provider', '=', body.provider),
		...anyOf(who),
	];
	const { rows: found, result } = await listRows<IssueRow>(
		ctx,
		connection,
		TABLES.experienceIssue,
		encodeQuery(conditions, [orderBy('sys_created_on', 'descending')]),
		options,
		{ limit: 5 },
	);
	if (!found) {
		scope.refused ??= readRefusal(TABLES.experienceIssue, result);
		return 'unknown';
	}
	const start = attemptStartOnInstance(result, scope.since);
	const unclaimed = found.filter((row) => !scope.claimed?.has(row.experience_id));
	const recent = unclaimed.filter((row) => parseGlideDateTime(row.sys_created_on) >= start);
	// Without the instance's clock its issues' dates cannot be placed: an older one may be ours.
	if (!hasInstanceClock(result) && unclaimed.length > recent.length) return 'unknown';
	if (recent.length === 1) return { row: recent[0] };
	return recent.length === 0 ? 'absent' : 'unknown';
}
