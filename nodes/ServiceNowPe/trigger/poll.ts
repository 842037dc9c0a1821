/**
 * One poll of the experience issue table (and of fallback incidents): what happened since the
 * cursors kept in the node's static data, a page at a time. Changes are read in (sys_updated_on,
 * sys_id) order; creations of issues and of incidents in (sys_created_on, sys_id) order, so each
 * is taken once whenever and however often its row changes. Only rows older than a few seconds by
 * the instance's clock are taken, so a save running while the read ran is never skipped (without a
 * Date header, the instance's clock as known from below: see ClockFloor in instanceClock.ts). The
 * cursors and what was seen are written back only when every read succeeded and something moved:
 * a poll that fails or finds nothing leaves the static data untouched.
 */
import { NodeApiError, type IDataObject, type INodeExecutionData, type IPollFunctions, type JsonObject } from 'n8n-workflow';
import { TABLES, formatGlideDateTime, type IssueState, type TableName } from '../../../contract/api';
import { condition, encodeAnyQuery, encodeQuery, isExactQueryValue, isOneOf, isQueryableValue, orderBy, wellFormed } from '../../../contract/encodedQuery';
import { connectionFor, credentialTypeOf, type Connection } from '../shared/authentication';
import type { ApiResult } from '../shared/transport/request';
import { TRIGGER_PAGE_SIZE, TRIGGER_READ, issueJson, listRows, type TableRow } from '../shared/transport/tableApi';
import { ClockFloor, instanceClock, type Sighting } from './instanceClock';

export type PollEvent = 'created' | 'stateChanged' | 'fallbackIncident';

export interface PollSettings {
	events: PollEvent[];
	states: IssueState[];
	issueCode: string;
	provider: string;
	user: string;
	maxEvents: number;
}

/** Where the poll stopped: the last row taken, by time and sys_id. */
interface Cursor {
	at: string;
	id: string;
}

interface PollState {
	/** Issue changes, by sys_updated_on. */
	issues?: Cursor;
	/**
	 * Issue creations, by sys_created_on (kept while Issue Created is chosen). A change read later
	 * says nothing of when the issue was made: an issue created before another and changed before
	 * it is read would otherwise be passed by the cursor of changes.
	 */
	created?: Cursor;
	/** Fallback incidents, by sys_created_on. */
	incidents?: Cursor;
	/**
	 * sys_id → the state and issue codes last seen, so an update that leaves both as they were is
	 * no state change, and an issue chained back to the same state between polls is one.
	 */
	seen?: Record<string, string>;
	/** Without a Date header: the newest time the instance was seen to hold, and when (see ClockFloor). */
	clock?: Sighting;
}

/** Changes younger than this, by the instance's clock, wait for the next poll (saves still running). */
const SETTLE_MS = 5_000;

/** Most issue states remembered (oldest forgotten first); a forgotten issue's next change is reported again. */
const SEEN_LIMIT = 10_000;

function failed(ctx: IPollFunctions, table: string, result: ApiResult): never {
	const redirected = result.status >= 300 && result.status < 400;
	const why = redirected
		? `The instance redirected the read${result.headers.location ? ` to ${result.headers.location}` : ''}: check the credential's Instance URL (https, the instance itself).`
		: `${result.networkError ?? ''} The credential's user needs read access to ${table}.`.trim();
	throw new NodeApiError(ctx.getNode(), { message: result.rawText.slice(0, 500) } as JsonObject, {
		message: `Reading ${table} failed (HTTP ${result.status || 'no answer'}).`,
		description: `${why} The next poll tries again from the same place.`,
		httpCode: result.status ? String(result.status) : undefined,
	});
}

/** Before every row: where a trigger starts on an instance that had none yet. */
const START: Cursor = { at: formatGlideDateTime(0), id: '' };

/** The conditions of the Filters chosen, as `table` holds them. */
function filters(settings: PollSettings, table: TableName): string[] {
	if (table === TABLES.incident) return [condition('origin_table', '=', TABLES.experienceIssue), ...(settings.user ? [condition('caller_id', '=', settings.user)] : [])];
	return [
		...(settings.issueCode ? [condition('issue_code', '=', settings.issueCode)] : []),
		...(settings.provider ? [condition('provider', '=', settings.provider)] : []),
		...(settings.user ? [condition('user', '=', settings.user)] : []),
	];
}

type TimeField = 'sys_updated_on' | 'sys_created_on';

/** Rows after the cursor, in order: `base ^ time > at`, or `base ^ time = at ^ sys_id > id`. */
function after(base: string[], cursor: Cursor, field: TimeField): string {
	const later = [...base, condition(field, '>', cursor.at)];
	const same = [...base, condition(field, '=', cursor.at), condition('sys_id', '>', cursor.id)];
	return encodeAnyQuery([later, same], [orderBy(field), orderBy('sys_id')]);
}

/** What tells one sighting of an issue from the next: its state and its issue codes. */
function signature(row: TableRow): string {
	return `${row.state}|${row.issue_code_history ?? row.issue_code}`;
}

/** An issue row as the trigger outputs it: ready for Chain (experience_id, issue code, user, state, end reason). */
function issueItem(row: TableRow, event: PollEvent, extra: IDataObject = {}): INodeExecutionData {
	return { json: { event, ...issueJson(row), ...extra } };
}

/** Rows of a table since the cursor, up to `max`, taken only from seconds the instance has left well behind. */
async function changes(
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
		const { rows: page, result } = await listRows<TableRow>(ctx, connection, table, after(base, cursor, field), TRIGGER_READ, { limit: TRIGGER_PAGE_SIZE });
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
async function newest(ctx: IPollFunctions, connection: Connection, table: TableName, base: string[], field: TimeField): Promise<{ cursor: Cursor; clock?: number }> {
	const order = [orderBy(field, 'descending'), orderBy('sys_id', 'descending')];
	const { rows, result } = await listRows<TableRow>(ctx, connection, table, encodeQuery(base, order), TRIGGER_READ, { limit: 1, fields: `sys_id,${field}` });
	if (!rows) failed(ctx, table, result);
	return { cursor: rows[0] ? { at: rows[0][field], id: rows[0].sys_id } : START, clock: instanceClock(result) };
}

/** Where a first poll starts: now, by the instance's clock. */
async function baseline(ctx: IPollFunctions, connection: Connection, settings: PollSettings): Promise<Required<Pick<PollState, 'issues' | 'created' | 'incidents'>> & Pick<PollState, 'clock'>> {
	const latest = await newest(ctx, connection, TABLES.experienceIssue, [], 'sys_updated_on');
	if (latest.clock !== undefined) {
		// Everything settled before now is old; later changes are still to come.
		const start = { at: formatGlideDateTime(latest.clock - SETTLE_MS), id: '\uffff' };
		return { issues: start, created: start, incidents: start };
	}
	// No Date header: our clock may be ahead of the instance's and put "now" past changes still to
	// come. The instance's own newest rows say what is old instead. No issue was made after the
	// newest change (a creation is a change), nor in its second with a greater sys_id.
	const incidents = settings.events.includes('fallbackIncident') ? (await newest(ctx, connection, TABLES.incident, [condition('origin_table', '=', TABLES.experienceIssue)], 'sys_created_on')).cursor : latest.cursor;
	// The instance's clock had reached its newest change when it was read.
	const clock = latest.cursor.id ? { clock: { at: latest.cursor.at, seenAt: Date.now() } } : {};
	return { issues: latest.cursor, created: latest.cursor, incidents, ...clock };
}

/** "Fetch Test Event": the latest change that matches, the cursor left alone. */
async function latest(ctx: IPollFunctions, connection: Connection, settings: PollSettings): Promise<INodeExecutionData[][] | null> {
	const issueEvents = settings.events.filter((e) => e !== 'fallbackIncident');
	if (issueEvents.length > 0) {
		const states = settings.events.includes('stateChanged') && !settings.events.includes('created') ? [isOneOf('state', settings.states)] : [];
		const order = orderBy(settings.events.includes('stateChanged') ? 'sys_updated_on' : 'sys_created_on', 'descending');
		const { rows, result } = await listRows<TableRow>(ctx, connection, TABLES.experienceIssue, encodeQuery([...filters(settings, TABLES.experienceIssue), ...states], [order]), TRIGGER_READ, { limit: 1 });
		if (!rows) failed(ctx, TABLES.experienceIssue, result);
		if (rows[0]) return [[issueItem(rows[0], settings.events.includes('stateChanged') ? 'stateChanged' : 'created')]];
	}
	if (settings.events.includes('fallbackIncident')) {
		const { rows, result } = await listRows<TableRow>(ctx, connection, TABLES.incident, encodeQuery(filters(settings, TABLES.incident), [orderBy('sys_created_on', 'descending')]), TRIGGER_READ, { limit: 20 });
		if (!rows) failed(ctx, TABLES.incident, result);
		for (const row of rows) {
			const item = await incidentItem(ctx, connection, row);
			if (incidentMatches(item, settings)) return [[item]];
		}
	}
	return null;
}

/** An incident's issue passes the issue code and provider filters (the user is in the query). */
function incidentMatches(item: INodeExecutionData, settings: PollSettings): boolean {
	return (!settings.issueCode || item.json.issue_code === settings.issueCode) && (!settings.provider || item.json.provider === settings.provider);
}

async function incidentItem(ctx: IPollFunctions, connection: Connection, incident: TableRow): Promise<INodeExecutionData> {
	const { rows, result } = await listRows<TableRow>(ctx, connection, TABLES.experienceIssue, encodeQuery([condition('sys_id', '=', incident.origin_id)]), TRIGGER_READ, { limit: 1 });
	// Without its issue the incident cannot be filtered or told: the poll fails and is tried again.
	if (!rows) failed(ctx, TABLES.experienceIssue, result);
	const issue = rows[0];
	const summary = { sys_id: incident.sys_id, number: incident.number, short_description: incident.short_description, state: incident.state, caller_id: incident.caller_id, cmdb_ci: incident.cmdb_ci };
	return issue ? issueItem(issue, 'fallbackIncident', { incident: summary }) : { json: { event: 'fallbackIncident', incident: summary, origin_id: incident.origin_id } };
}

export async function poll(ctx: IPollFunctions, settings: PollSettings): Promise<INodeExecutionData[][] | null> {
	for (const [name, value] of [['Issue Code', settings.issueCode], ['Provider', settings.provider], ['User', settings.user]]) {
		if (!isQueryableValue(value)) throw new NodeApiError(ctx.getNode(), {} as JsonObject, { message: `The ${name} filter "${value}" would run as a script on the instance: give a plain value.` });
		// A filter that cannot be sent as it is would match nothing, and the trigger would never fire.
		if (!isExactQueryValue(value)) {
			throw new NodeApiError(ctx.getNode(), {} as JsonObject, {
				message: `The ${name} filter holds a broken character (a lone UTF-16 surrogate) that cannot be sent to the instance.`,
				description: `Give the ${name} filter as plain text: "${wellFormed(value)}" shows the broken character as \uFFFD.`,
			});
		}
	}
	const connection = await connectionFor(ctx, credentialTypeOf(ctx));
	if (ctx.getMode() === 'manual') return latest(ctx, connection, settings);

	const state = ctx.getWorkflowStaticData('node') as PollState;
	if (!state.issues) {
		const { created, ...start } = await baseline(ctx, connection, settings);
		Object.assign(state, start, settings.events.includes('created') ? { created } : {}, { seen: {} });
		return null;
	}
	// Worked out on copies; written back only when every read succeeded.
	const seen = { ...(state.seen ?? {}) };
	let issues = state.issues;
	// Static data from before creations had their own cursor: creations after the changes' cursor.
	let created = state.created ?? state.issues;
	let incidents = state.incidents ?? state.issues;
	let moved = false;
	// Read only when a page comes without a Date header: the newest change of the whole issue table.
	const floor = new ClockFloor(state.clock, async () => {
		const found = await newest(ctx, connection, TABLES.experienceIssue, [], 'sys_updated_on');
		return found.cursor.id ? found.cursor.at : undefined;
	});
	const items: INodeExecutionData[] = [];
	const wantsIssues = settings.events.some((e) => e !== 'fallbackIncident');
	const issueFilters = filters(settings, TABLES.experienceIssue);
	if (settings.events.includes('created')) {
		// Each issue once, by its creation: however often, and whenever, its row changes.
		const found = await changes(ctx, connection, TABLES.experienceIssue, issueFilters, created, settings.maxEvents, 'sys_created_on', floor);
		for (const row of found.rows) items.push(issueItem(row, 'created'));
		moved ||= found.rows.length > 0;
		created = found.cursor;
	}
	if (wantsIssues) {
		const found = await changes(ctx, connection, TABLES.experienceIssue, issueFilters, issues, settings.maxEvents, 'sys_updated_on', floor);
		for (const row of found.rows) {
			const before = seen[row.sys_id];
			if (settings.events.includes('stateChanged') && before !== signature(row) && (settings.states as string[]).includes(row.state)) {
				items.push(issueItem(row, 'stateChanged', { previous_state: before === undefined ? null : before.split('|')[0] }));
			}
			delete seen[row.sys_id];
			seen[row.sys_id] = signature(row);
		}
		moved ||= found.rows.length > 0;
		issues = found.cursor;
	}
	if (settings.events.includes('fallbackIncident')) {
		// Incidents by creation: a later update of one is no new event.
		const found = await changes(ctx, connection, TABLES.incident, filters(settings, TABLES.incident), incidents, settings.maxEvents, 'sys_created_on', floor);
		for (const row of found.rows) {
			const item = await incidentItem(ctx, connection, row);
			if (incidentMatches(item, settings)) items.push(item);
		}
		moved ||= found.rows.length > 0;
		incidents = found.cursor;
	}
	// n8n saves static data it sees written to: a poll that moved nothing writes nothing. A newer
	// sighting of the instance's clock is a move: what lets a row in its current second be taken.
	if (moved || floor.moved) {
		const keys = Object.keys(seen);
		for (const key of keys.slice(0, Math.max(0, keys.length - SEEN_LIMIT))) delete seen[key];
		state.issues = issues;
		state.incidents = incidents;
		state.seen = seen;
		if (settings.events.includes('created')) state.created = created;
		if (floor.kept) state.clock = floor.kept;
	}
	// Not chosen, the creation cursor would stand still: chosen again, it starts from the changes'.
	if (!settings.events.includes('created') && state.created) delete state.created;
	return items.length > 0 ? [items] : null;
}

