/**
 * One poll of the experience issue table (and of fallback incidents): what happened since the
 * cursors kept in the node's static data, a page at a time. Changes are read in (sys_updated_on,
 * sys_id) order; creations of issues and of incidents in (sys_created_on, sys_id) order, so each
 * is taken once whenever and however often its row changes. Only rows older than a few seconds by
 * the instance's clock are taken, so a save running while the read ran is never skipped (without a
 * Date header, the instance's clock as known from below: see ClockFloor in instanceClock.ts). The
 * cursors and what was seen are written back only when every read succeeded and something moved:
 * a poll that fails or finds nothing leaves the static data untouched.
 *
 * Here: the static data (the cursors, the states seen) and how a change becomes a state change.
 * The reads from a cursor are in cursors.ts; what an event is and Fetch Test Event, in events.ts.
 */
import {
	NodeApiError,
	type IPollFunctions,
	type INodeExecutionData,
	type JsonObject,
} from 'n8n-workflow';
import { TABLES } from '../../../contract/api';
import { isExactQueryValue, isQueryableValue, wellFormed } from '../../../contract/encodedQuery';
import { connectionFor, credentialTypeOf } from '../shared/authentication';
import type { TableRow } from '../shared/transport/tableApi';
import { baseline, changes, newest, type Cursor } from './cursors';
import {
	filters,
	incidentItem,
	incidentMatches,
	issueItem,
	latest,
	type PollSettings,
} from './events';
import { ClockFloor, type Sighting } from './instanceClock';

export type { PollEvent, PollSettings } from './events';

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

/** Most issue states remembered (oldest forgotten first); a forgotten issue's next change is reported again. */
const SEEN_LIMIT = 10_000;

/** What tells one sighting of an issue from the next: its state and its issue codes. */
function signature(row: TableRow): string {
	return `${row.state}|${row.issue_code_history ?? row.issue_code}`;
}

export async function poll(
	ctx: IPollFunctions,
	settings: PollSettings,
): Promise<INodeExecutionData[][] | null> {
	for (const [name, value] of [
		['Issue Code', settings.issueCode],
		['Provider', settings.provider],
		['User', settings.user],
	]) {
		if (!isQueryableValue(value))
			throw new NodeApiError(ctx.getNode(), {} as JsonObject, {
				message: `The ${name} filter "${value}" would run as a script on the instance: give a plain value.`,
			});
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
		const { created, ...start } = await baseline(
			ctx,
			connection,
			settings.events.includes('fallbackIncident'),
		);
		Object.assign(state, start, settings.events.includes('created') ? { created } : {}, {
			seen: {},
		});
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
		const found = await changes(
			ctx,
			connection,
			TABLES.experienceIssue,
			issueFilters,
			created,
			settings.maxEvents,
			'sys_created_on',
			floor,
		);
		for (const row of found.rows) items.push(issueItem(row, 'created'));
		moved ||= found.rows.length > 0;
		created = found.cursor;
	}
	if (wantsIssues) {
		const found = await changes(
			ctx,
			connection,
			TABLES.experienceIssue,
			issueFilters,
			issues,
			settings.maxEvents,
			'sys_updated_on',
			floor,
		);
		for (const row of found.rows) {
			const before = seen[row.sys_id];
			if (
				settings.events.includes('stateChanged') &&
				before !== signature(row) &&
				(settings.states as string[]).includes(row.state)
			) {
				items.push(
					issueItem(row, 'stateChanged', {
						previous_state: before === undefined ? null : before.split('|')[0],
					}),
				);
			}
			delete seen[row.sys_id];
			seen[row.sys_id] = signature(row);
		}
		moved ||= found.rows.length > 0;
		issues = found.cursor;
	}
	if (settings.events.includes('fallbackIncident')) {
		// Incidents by creation: a later update of one is no new event.
		const found = await changes(
			ctx,
			connection,
			TABLES.incident,
			filters(settings, TABLES.incident),
			incidents,
			settings.maxEvents,
			'sys_created_on',
			floor,
		);
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
