/**
 * The trigger's cursors: the one home of where a poll stops and starts in a table. A cursor is the
 * last row taken, by time and sys_id; here a first poll's cursors are set (now, by the instance's
 * clock), the rows after a cursor are read a page at a time (only those the instance has left
 * well behind: see SETTLE_MS), and a read that fails stops the poll with what to check.
 */
import { NodeApiError, type IPollFunctions, type JsonObject } from 'n8n-workflow';
import { TABLES, formatGlideDateTime, type TableName } from '../../../contract/api';
import { condition, encodeAnyQuery, encodeQuery, orderBy } from '../../../contract/encodedQuery';
import type { Connection } from '../shared/authentication';
import type { ApiResult } from '../shared/transport/request';
import {
	TRIGGER_PAGE_SIZE,
	TRIGGER_READ,
	listRows,
	readRefusal,
	type TableRow,
} from '../shared/transport/tableApi';
import { instanceClock, type ClockFloor, type Sighting } from './instanceClock';

/** Where the poll stopped: the last row taken, by time and sys_id. */
export interface Cursor {
	at: string;
	id: string;
}

export type TimeField = 'sys_updated_on' | 'sys_created_on';

/** Changes younger than this, by the instance's clock, wait for the next poll (saves still running). */
const SETTLE_MS = 5_000;

/** A read of the trigger that failed: the poll stops, and the next one tries again from the same place. */
export function failed(ctx: IPollFunctions, table: string, result: ApiResult): never {
	const redirected = result.status >= 300 && result.status < 400;
	const why = redirected
		? `The instance redirected the read${result.headers.location ? ` to ${result.headers.location}` : ''}: check the credential's Instance URL (https, the instance itself).`
		: (readRefusal(table as TableName, result) ??
			`${result.networkError ?? ''} The credential's user needs read access to ${table}.`.trim());
	throw new NodeApiError(ctx.getNode(), { message: result.rawText.slice(0, 500) } as JsonObject, {
		message: `Reading ${table} failed (HTTP ${result.status || 'no answer'}).`,
		description: `${why} The next poll tries again from the same place.`,
		httpCode: result.status ? String(result.status) : undefined,
	});
}

/** Before every row: where a trigger starts on an instance that had none yet. */
const START: Cursor = { at: formatGlideDateTime(0), id: '' };

/** Rows after the cursor, in order: `base ^ time > at`, or `base ^ time = at ^ sys_id > id`. */
function after(base: string[], cursor: Cursor, field: TimeField): string {
	const later = [...base, condition(field, '>', cursor.at)];
	const same = [...base, condition(field, '=', cursor.at), condition('sys_id', '>', cursor.id)];
	return encodeAnyQuery([later, same], [orderBy(field), orderBy('sys_id')]);
}

/** Rows of a table since the cursor, up to `max`, taken only from seconds the instance has left well behind. */
export async function changes(
	ctx: IPollFunctions,
	connection: Connection,
	table: TableName,
	base: string[],
	start: Cursor,
	max: number,
	field: TimeField,
	floor: ClockFloor,
): Promise<{ rows: TableRow[]; cursor: Cursor }> {
	const rows: TableRow[] = [];
	let cursor = start;
	for (;;) {
		const sentAt = Date.now();
		const { rows: page, result } = await listRows<TableRow>(
			ctx,
			connection,
			table,
			after(base, cursor, field),
			TRIGGER_READ,
			{ limit: TRIGGER_PAGE_SIZE },
		);
		if (!page) failed(ctx, table, result);
		if (page.length === 0) return { rows, cursor };
		// A save that was running while the instance read the page may carry an earlier second:
		// the last few seconds are read again by the next poll. Without a Date header, the
		// instance's clock as known from below when the page was read (n8n's may be ahead or
		// behind): the table's newest change is read first, once a poll, then the page again.
		let now = instanceClock(result);
		if (now === undefined) {
			if (await floor.look()) continue;
			now = floor.at(sentAt, page);
		}
		const settled = formatGlideDateTime(Math.max(0, now - SETTLE_MS));
		let done = page.length < TRIGGER_PAGE_SIZE;
		for (const row of page) {
			if (row[field] >= settled || rows.length >= max) {
				done = true;
				break;
			}
			rows.push(row);
			cursor = { at: row[field], id: row.sys_id };
		}
		if (done) return { rows, cursor };
	}
}

/** The newest row of a table by `field`, then sys_id: a place in that order no later row is before. */
export async function newest(
	ctx: IPollFunctions,
	connection: Connection,
	table: TableName,
	base: string[],
	field: TimeField,
): Promise<{ cursor: Cursor; clock?: number }> {
	const order = [orderBy(field, 'descending'), orderBy('sys_id', 'descending')];
	const { rows, result } = await listRows<TableRow>(
		ctx,
		connection,
		table,
		encodeQuery(base, order),
		TRIGGER_READ,
		{ limit: 1, fields: `sys_id,${field}` },
	);
	if (!rows) failed(ctx, table, result);
	return {
		cursor: rows[0] ? { at: rows[0][field], id: rows[0].sys_id } : START,
		clock: instanceClock(result),
	};
}

/** Where a first poll starts: now, by the instance's clock (the incidents' cursor read only when `incidents` are polled). */
export async function baseline(
	ctx: IPollFunctions,
	connection: Connection,
	incidents: boolean,
): Promise<{ issues: Cursor; created: Cursor; incidents: Cursor; clock?: Sighting }> {
	const latest = await newest(ctx, connection, TABLES.experienceIssue, [], 'sys_updated_on');
	if (latest.clock !== undefined) {
		// Everything settled before now is old; later changes are still to come.
		const start = { at: formatGlideDateTime(latest.clock - SETTLE_MS), id: '\uffff' };
		return { issues: start, created: start, incidents: start };
	}
	// No Date header: our clock may be ahead of the instance's and put "now" past changes still to
	// come. The instance's own newest rows say what is old instead. No issue was made after the
	// newest change (a creation is a change), nor in its second with a greater sys_id.
	const incidentCursor = incidents
		? (
				await newest(
					ctx,
					connection,
					TABLES.incident,
					[condition('origin_table', '=', TABLES.experienceIssue)],
					'sys_created_on',
				)
			).cursor
		: latest.cursor;
	// The instance's clock had reached its newest change when it was read.
	const clock = latest.cursor.id ? { clock: { at: latest.cursor.at, seenAt: Date.now() } } : {};
	return { issues: latest.cursor, created: latest.cursor, incidents: incidentCursor, ...clock };
}
