/** The Table API: reads of every emulated table, and state changes of experience issues. */
import { ISSUE_STATES, TABLES, TABLE_API_PREFIX, TABLE_PARAMS, isIssueState } from '../../../contract/api';
import { PLATFORM_ERRORS } from '../../../contract/errors';
import type { EmulatorState, Handler, HandleResult, ApiCall } from '../context';
import { bodyErrorResponse, render, renderError } from '../http';
import { glideDateTime } from '../issues';
import { REFERENCES, issueRow, parseEncodedQuery, pickFields, queryRows, tableRows, type DotWalk, type Row } from '../table';

function updateIssue(state: EmulatorState, call: ApiCall, sysId: string, fields: string[] | undefined): HandleResult {
	const { format } = call;
	const issue = state.issues.get(sysId);
	if (!issue) return renderError(PLATFORM_ERRORS.NO_RECORD, format);
	const { body, error } = call.body();
	if (!body) return bodyErrorResponse(error, format);
	const unknown = Object.keys(body).filter((k) => k !== 'state');
	if (unknown.length > 0) {
		return renderError(
			PLATFORM_ERRORS.INVALID_FIELD_VALUE,
			format,
			`Only "state" can be updated on ${TABLES.experienceIssue} here; remove ${unknown.map((k) => `"${k}"`).join(', ')}.`,
		);
	}
	if (!isIssueState(body.state)) {
		return renderError(
			PLATFORM_ERRORS.INVALID_FIELD_VALUE,
			format,
			`state must be one of ${ISSUE_STATES.join(', ')} (got ${body.state === undefined || body.state === null ? 'none' : `another ${Array.isArray(body.state) ? 'list' : typeof body.state}`}).`,
		);
	}
	state.issues.setState(issue, body.state, glideDateTime(state.now()));
	return render(200, { result: pickFields(issueRow(issue), fields) }, format);
}

/** Reference fields can be dot-walked to the fields the referenced table serves (never a password). */
function referencesOf(state: EmulatorState, table: string): DotWalk | undefined {
	const references = REFERENCES[table];
	if (!references) return undefined;
	const tables: Record<string, Map<string, Row>> = {};
	const byId = (target: string): Map<string, Row> =>
		(tables[target] ??= new Map((tableRows(target, state.registry, sources(state)) ?? []).map((r) => [r.sys_id, r])));
	return (row, field) => {
		const dot = field.indexOf('.');
		const reference = field.slice(0, dot);
		if (!Object.hasOwn(references, reference) || !Object.hasOwn(row, reference)) return undefined;
		const target = byId(references[reference]).get(row[reference]);
		const name = field.slice(dot + 1);
		return target && Object.hasOwn(target, name) ? target[name] : undefined;
	};
}

function sources(state: EmulatorState) {
	return { issues: () => state.issues.all(), incidents: () => state.incidents.all() };
}

export const handleTable: Handler = (state, call) => {
	const { method, format } = call;
	const [table = '', sysId, ...rest] = call.path.slice(TABLE_API_PREFIX.length).split('/');
	if (rest.length > 0 || sysId === '') return renderError(PLATFORM_ERRORS.UNKNOWN_RESOURCE, format);
	const rows = tableRows(table, state.registry, sources(state));
	if (!rows) {
		return renderError(PLATFORM_ERRORS.INVALID_TABLE, format, `Invalid table ${table}. The emulator serves ${Object.values(TABLES).join(', ')}.`);
	}
	const params = new URLSearchParams(call.query);
	const fields = params.get(TABLE_PARAMS.fields)?.split(',').map((f) => f.trim()).filter(Boolean);

	if (method === 'PATCH' || method === 'PUT') {
		if (table !== TABLES.experienceIssue || !sysId) {
			return renderError(PLATFORM_ERRORS.METHOD_NOT_ALLOWED, format, `Only ${TABLES.experienceIssue} records can be updated, by sys_id.`);
		}
		return updateIssue(state, call, sysId, fields);
	}
	if (method !== 'GET') {
		return renderError(PLATFORM_ERRORS.METHOD_NOT_ALLOWED, format, 'The Table API here answers GET, and PATCH/PUT for experience issues.');
	}
	if (sysId) {
		const row = rows.find((r) => r.sys_id === sysId);
		if (!row) return renderError(PLATFORM_ERRORS.NO_RECORD, format);
		return render(200, { result: pickFields(row, fields) }, format);
	}
	const query = parseEncodedQuery(params.get(TABLE_PARAMS.query) ?? '', new Set(Object.keys(rows[0] ?? {})), referencesOf(state, table));
	const matched = queryRows(rows, query);
	const offset = Math.max(0, Number(params.get(TABLE_PARAMS.offset)) || 0);
	const limitParam = Number(params.get(TABLE_PARAMS.limit));
	const limit = Number.isInteger(limitParam) && limitParam > 0 ? limitParam : 10000;
	const page = matched.slice(offset, offset + limit).map((r) => pickFields(r, fields));
	return render(200, { result: page }, format, { 'x-total-count': String(matched.length) });
};
