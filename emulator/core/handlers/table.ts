/** The Table API: reads of every emulated table, and state changes of experience issues. */
import {
	ISSUE_STATES,
	TABLES,
	TABLE_API_PREFIX,
	TABLE_PARAMS,
	effectiveRoles,
	isIssueState,
	mayRead,
	readDeniedDetail,
	type TableName,
} from '../../../contract/api';
import { PLATFORM_ERRORS } from '../../../contract/errors';
import { bodyErrorResponse, render, renderError } from '../answer';
import type { EmulatorState, Handler, HandleResult } from '../context';
import { glideDateTime } from '../dates';
import {
	QueryLimitError,
	parseEncodedQuery,
	queryRows,
	type DotWalk,
	type TableQuery,
} from '../query';
import { header, type ApiCall } from '../request';
import {
	ISSUE_FIELDS,
	REFERENCES,
	issueFields,
	issueRow,
	pickFields,
	tableRows,
	type Row,
} from '../table';

function updateIssue(
	state: EmulatorState,
	call: ApiCall,
	sysId: string,
	fields: string[] | undefined,
): HandleResult {
	const { format } = call;
	const issue = state.issues.get(sysId);
	if (!issue) return renderError(PLATFORM_ERRORS.NO_RECORD, format);
	const { body, error } = call.body;
	if (!body) return bodyErrorResponse(error, format);
	const others = Object.keys(body).filter((k) => k !== 'state');
	if (others.length > 0) {
		// Fields of the table are named from the emulator's own list; any other key is only counted
		// (it is the caller's text, and may hold anything).
		const named = others.filter((k) => ISSUE_FIELDS.has(k));
		const strangers = others.length - named.length;
		const parts = [
			...named.map((k) => `"${k}"`),
			...(strangers > 0
				? [
						`${strangers} key${strangers === 1 ? '' : 's'} that ${strangers === 1 ? 'is no field' : 'are no fields'} of the table`,
					]
				: []),
		];
		return renderError(
			PLATFORM_ERRORS.INVALID_FIELD_VALUE,
			format,
			`Only "state" can be updated on ${TABLES.experienceIssue} here; remove ${parts.join(' and ')}.`,
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
	return render(
		200,
		{ result: withLinks(call, TABLES.experienceIssue)(pickFields(issueRow(issue), fields)) },
		format,
	);
}

/**
 * Reference fields as instances give them in JSON: `{"link": …, "value": sys_id}`, unless the
 * caller sends sysparm_exclude_reference_link=true (then the sys_id alone). Empty ones stay "".
 */
function withLinks(call: ApiCall, table: string): (row: Row) => Record<string, unknown> {
	const references = REFERENCES[table];
	const excluded =
		new URLSearchParams(call.query).get(TABLE_PARAMS.excludeReferenceLink) === 'true';
	if (!references || excluded || call.format !== 'json') return (row) => row;
	const host = header(call.req.headers, 'host');
	const base = `http://${/^[\w.:[\]-]+$/.test(host) ? host : '127.0.0.1'}${TABLE_API_PREFIX}`;
	return (row) => {
		const out: Record<string, unknown> = { ...row };
		for (const [field, target] of Object.entries(references)) {
			const value = row[field];
			if (typeof value === 'string' && value !== '')
				out[field] = { link: `${base}${target}/${value}`, value };
		}
		return out;
	};
}

/** Reference fields can be dot-walked to the fields the referenced table serves (never a password). */
function referencesOf(state: EmulatorState, table: string): DotWalk | undefined {
	const references = REFERENCES[table];
	if (!references) return undefined;
	const tables: Record<string, Map<string, Row>> = {};
	const byId = (target: string): Map<string, Row> =>
		(tables[target] ??= new Map(
			(tableRows(target, state.registry, sources(state)) ?? []).map((r) => [r.sys_id, r]),
		));
	return (row, field) => {
		const dot = field.indexOf('.');
		const reference = field.slice(0, dot);
		if (!Object.hasOwn(references, reference) || !Object.hasOwn(row, reference)) return undefined;
		const target = byId(references[reference]).get(row[reference]);
		const name = field.slice(dot + 1);
		return target && Object.hasOwn(target, name) ? target[name] : undefined;
	};
}

/**
 * The rows the caller may see (row-level ACL): of sys_user_has_role, an admin (and auth mode none)
 * sees every row, any other caller only their own; the Table API answers 200 with just those.
 */
function visibleRows(table: string, rows: Row[] | undefined, call: ApiCall): Row[] | undefined {
	const user = call.user;
	if (!rows || table !== TABLES.userHasRole || !user || effectiveRoles(user.roles).has('admin'))
		return rows;
	return rows.filter((r) => r.user === user.sys_id);
}

function sources(state: EmulatorState) {
	return { issues: () => state.issues.all(), incidents: () => state.incidents.all() };
}

export const handleTable: Handler = (state, call) => {
	const { method, format } = call;
	const [table = '', sysId, ...rest] = call.path.slice(TABLE_API_PREFIX.length).split('/');
	if (rest.length > 0 || sysId === '') return renderError(PLATFORM_ERRORS.UNKNOWN_RESOURCE, format);
	// Issues are many, and their rows costly: they are built as they are read (below).
	const issues = table === TABLES.experienceIssue;
	const rows = issues
		? []
		: visibleRows(table, tableRows(table, state.registry, sources(state)), call);
	if (!rows) {
		return renderError(
			PLATFORM_ERRORS.INVALID_TABLE,
			format,
			`Invalid table. The emulator serves ${Object.values(TABLES).join(', ')}.`,
		);
	}
	const params = new URLSearchParams(call.query);
	const fields = params
		.get(TABLE_PARAMS.fields)
		?.split(',')
		.map((f) => f.trim())
		.filter(Boolean);

	if (method === 'PATCH' || method === 'PUT') {
		if (table !== TABLES.experienceIssue || !sysId) {
			return renderError(
				PLATFORM_ERRORS.METHOD_NOT_ALLOWED,
				format,
				`Only ${TABLES.experienceIssue} records can be updated, by sys_id.`,
			);
		}
		return updateIssue(state, call, sysId, fields);
	}
	if (method !== 'GET') {
		return renderError(
			PLATFORM_ERRORS.METHOD_NOT_ALLOWED,
			format,
			'The Table API here answers GET, and PATCH/PUT for experience issues.',
		);
	}
	// The table's read ACL (callers of auth mode none are no one, and read everything).
	if (call.user && !mayRead(table as TableName, call.user.roles))
		return renderError(PLATFORM_ERRORS.FORBIDDEN, format, readDeniedDetail(table));
	if (sysId) {
		const issue = issues ? state.issues.get(sysId) : undefined;
		const row = issue ? issueRow(issue) : rows.find((r) => r.sys_id === sysId);
		if (!row) return renderError(PLATFORM_ERRORS.NO_RECORD, format);
		return render(200, { result: withLinks(call, table)(pickFields(row, fields)) }, format);
	}
	let query: TableQuery;
	try {
		const names = issues
			? state.issues.size > 0
				? ISSUE_FIELDS
				: new Set<string>()
			: new Set(Object.keys(rows[0] ?? {}));
		query = parseEncodedQuery(
			params.get(TABLE_PARAMS.query) ?? '',
			names,
			referencesOf(state, table),
		);
	} catch (e) {
		if (e instanceof QueryLimitError)
			return renderError(PLATFORM_ERRORS.INVALID_FIELD_VALUE, format, e.message);
		throw e;
	}
	let matched: Row[];
	let full = (row: Row): Row => row;
	if (issues) {
		// Each issue's row holds only what the query reads; the page's rows are built whole.
		const records = state.issues.all();
		const partial = records.map((issue) => issueFields(issue, query.uses));
		const recordOf = new Map(partial.map((row, i) => [row, records[i]]));
		matched = queryRows(partial, query);
		full = (row) => issueRow(recordOf.get(row)!);
	} else {
		matched = queryRows(rows, query);
	}
	const offset = Math.max(0, Number(params.get(TABLE_PARAMS.offset)) || 0);
	const limitParam = Number(params.get(TABLE_PARAMS.limit));
	const limit = Number.isInteger(limitParam) && limitParam > 0 ? limitParam : 10000;
	const linked = withLinks(call, table);
	const page = matched
		.slice(offset, offset + limit)
		.map((r) => linked(pickFields(full(r), fields)));
	return render(200, { result: page }, format, { 'x-total-count': String(matched.length) });
};
