/**
 * The pickers' lists (resource locators "From List"): deployed issue codes with their names,
 * providers, computers by name and active users by user name, name or email, read from the
 * instance's Table API a page at a time and filtered as the user types.
 */
import {
	NodeOperationError,
	type ILoadOptionsFunctions,
	type INodeListSearchItems,
	type INodeListSearchResult,
} from 'n8n-workflow';
import { TABLES, type TableName } from '../../../../contract/api';
import {
	anyOf,
	condition,
	encodeQuery,
	isQueryableValue,
	orderBy,
} from '../../../../contract/encodedQuery';
import { connectionFor, credentialTypeOf } from '../authentication';
import { PICKER_PAGE_SIZE, PICKER_READ, listRows, type TableRow } from '../transport/tableApi';

/** Only rows marked active (deployed issue codes, users who can sign in). */
const ACTIVE = [condition('active', '=', 'true')];

async function search(
	ctx: ILoadOptionsFunctions,
	table: TableName,
	base: string[],
	filterFields: string[],
	order: string,
	fields: string,
	toItem: (row: TableRow) => INodeListSearchItems,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const typed = (filter ?? '').trim();
	// A filter an instance would run as a script is no filter of a name: nothing matches it.
	if (typed && !isQueryableValue(typed)) return { results: [] };
	// What is typed may be in any of the fields searched.
	const conditions = typed
		? [...base, ...anyOf(filterFields.map((field) => condition(field, 'LIKE', typed)))]
		: base;
	const connection = await connectionFor(ctx, credentialTypeOf(ctx));
	const offset = Number(paginationToken) || 0;
	const { rows, total, result } = await listRows<TableRow>(
		ctx,
		connection,
		table,
		encodeQuery(conditions, [orderBy(order)]),
		PICKER_READ,
		{ fields, limit: PICKER_PAGE_SIZE, offset },
	);
	if (!rows) {
		throw new NodeOperationError(
			ctx.getNode(),
			`Reading ${table} for the list failed (HTTP ${result.status || 'no answer'}).`,
			{
				description:
					`${result.networkError ?? ''} The credential's user needs read access to ${table}; you can also enter the value By ID.`.trim(),
			},
		);
	}
	const next = offset + rows.length;
	return {
		results: rows.map(toItem),
		paginationToken:
			rows.length === PICKER_PAGE_SIZE && (total === undefined || next < total)
				? String(next)
				: undefined,
	};
}

export async function issueCodeSearch(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	return search(
		this,
		TABLES.issueRegistry,
		ACTIVE,
		['issue_code', 'name'],
		'issue_code',
		'issue_code,name',
		(r) => ({ name: r.name ? `${r.issue_code} – ${r.name}` : r.issue_code, value: r.issue_code }),
		filter,
		paginationToken,
	);
}

export async function providerSearch(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	return search(
		this,
		TABLES.provider,
		[],
		['provider_code', 'name'],
		'name',
		'provider_code,name',
		(r) => ({
			name: r.name ? `${r.name} (${r.provider_code})` : r.provider_code,
			value: r.provider_code,
		}),
		filter,
		paginationToken,
	);
}

export async function computerSearch(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	return search(
		this,
		TABLES.computer,
		[],
		['name'],
		'name',
		'sys_id,name',
		(r) => ({ name: r.name, value: r.sys_id }),
		filter,
		paginationToken,
	);
}

export async function userSearch(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	return search(
		this,
		TABLES.user,
		ACTIVE,
		['user_name', 'email', 'name'],
		'user_name',
		'sys_id,user_name,name,email',
		(r) => ({
			name: `${r.name || r.user_name} (${r.user_name}${r.email ? `, ${r.email}` : ''})`,
			value: r.sys_id,
		}),
		filter,
		paginationToken,
	);
}
