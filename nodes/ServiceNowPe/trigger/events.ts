/**
 * The trigger's events: the one home of what it outputs and which rows it takes. The events and
 * filters chosen (PollSettings), the filters as each table's query conditions, an issue or a
 * fallback incident row as the item the trigger outputs (ready for Chain), and "Fetch Test
 * Event": the latest change that matches, read without moving any cursor.
 */
import type { IDataObject, INodeExecutionData, IPollFunctions } from 'n8n-workflow';
import { TABLES, type IssueState, type TableName } from '../../../contract/api';
import { condition, encodeQuery, isOneOf, orderBy } from '../../../contract/encodedQuery';
import type { Connection } from '../shared/authentication';
import { TRIGGER_READ, issueJson, listRows, type TableRow } from '../shared/transport/tableApi';
import { failed } from './cursors';

export type PollEvent = 'created' | 'stateChanged' | 'fallbackIncident';

export interface PollSettings {
	events: PollEvent[];
	states: IssueState[];
	issueCode: string;
	provider: string;
	user: string;
	maxEvents: number;
}

/** The conditions of the Filters chosen, as `table` holds them. */
export function filters(settings: PollSettings, table: TableName): string[] {
	if (table === TABLES.incident)
		return [
			condition('origin_table', '=', TABLES.experienceIssue),
			...(settings.user ? [condition('caller_id', '=', settings.user)] : []),
		];
	return [
		...(settings.issueCode ? [condition('issue_code', '=', settings.issueCode)] : []),
		...(settings.provider ? [condition('provider', '=', settings.provider)] : []),
		...(settings.user ? [condition('user', '=', settings.user)] : []),
	];
}

/** An issue row as the trigger outputs it: ready for Chain (experience_id, issue code, user, state, end reason). */
export function issueItem(
	row: TableRow,
	event: PollEvent,
	extra: IDataObject = {},
): INodeExecutionData {
	return { json: { event, ...issueJson(row), ...extra } };
}

/** "Fetch Test Event": the latest change that matches, the cursor left alone. */
export async function latest(
	ctx: IPollFunctions,
	connection: Connection,
	settings: PollSettings,
): Promise<INodeExecutionData[][] | null> {
	const issueEvents = settings.events.filter((e) => e !== 'fallbackIncident');
	if (issueEvents.length > 0) {
		const states =
			settings.events.includes('stateChanged') && !settings.events.includes('created')
				? [isOneOf('state', settings.states)]
				: [];
		const order = orderBy(
			settings.events.includes('stateChanged') ? 'sys_updated_on' : 'sys_created_on',
			'descending',
		);
		const { rows, result } = await listRows<TableRow>(
			ctx,
			connection,
			TABLES.experienceIssue,
			encodeQuery([...filters(settings, TABLES.experienceIssue), ...states], [order]),
			TRIGGER_READ,
			{ limit: 1 },
		);
		if (!rows) failed(ctx, TABLES.experienceIssue, result);
		if (rows[0])
			return [
				[issueItem(rows[0], settings.events.includes('stateChanged') ? 'stateChanged' : 'created')],
			];
	}
	if (settings.events.includes('fallbackIncident')) {
		const { rows, result } = await listRows<TableRow>(
			ctx,
			connection,
			TABLES.incident,
			encodeQuery(filters(settings, TABLES.incident), [orderBy('sys_created_on', 'descending')]),
			TRIGGER_READ,
			{ limit: 20 },
		);
		if (!rows) failed(ctx, TABLES.incident, result);
		for (const row of rows) {
			const item = await incidentItem(ctx, connection, row);
			if (incidentMatches(item, settings)) return [[item]];
		}
	}
	return null;
}

/** An incident's issue passes the issue code and provider filters (the user is in the query). */
export function incidentMatches(item: INodeExecutionData, settings: PollSettings): boolean {
	return (
		(!settings.issueCode || item.json.issue_code === settings.issueCode) &&
		(!settings.provider || item.json.provider === settings.provider)
	);
}

/** A fallback incident as the trigger outputs it: its issue (read by origin_id), with the incident's summary. */
export async function incidentItem(
	ctx: IPollFunctions,
	connection: Connection,
	incident: TableRow,
): Promise<INodeExecutionData> {
	const { rows, result } = await listRows<TableRow>(
		ctx,
		connection,
		TABLES.experienceIssue,
		encodeQuery([condition('sys_id', '=', incident.origin_id)]),
		TRIGGER_READ,
		{ limit: 1 },
	);
	// Without its issue the incident cannot be filtered or told: the poll fails and is tried again.
	if (!rows) failed(ctx, TABLES.experienceIssue, result);
	const issue = rows[0];
	const summary = {
		sys_id: incident.sys_id,
		number: incident.number,
		short_description: incident.short_description,
		state: incident.state,
		caller_id: incident.caller_id,
		cmdb_ci: incident.cmdb_ci,
	};
	return issue
		? issueItem(issue, 'fallbackIncident', { incident: summary })
		: { json: { event: 'fallbackIncident', incident: summary, origin_id: incident.origin_id } };
}
