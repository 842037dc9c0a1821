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
import {
	PICKER_PAGE_SIZE,
	PICKER_READ,
	listRows,
	readRefusal,
	type TableRow,
} from '../transport/tableApi';

/** Only rows marked active (deployed issue codes, users who can sign in). */
const ACTIVE = [condition('active', '=', 'true')];

/** One picker's list: the table, which rows, the fields searched as typed, the order and the item. */
interface PickerList {
	table: TableName;
	base: string[];
	searched: string[];
	order: string;
	fields: string;
	toItem: (row: TableRow) => INodeListSearchItems;
}

async function search(
	ctx: ILoadOptionsFunctions,
	list: PickerList,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const { table, base, searched, order, fields, toItem } = list;
	const typed = (filter ?? '').trim();
	// A filter an instance would run as a script is no filter of a name: nothing matches it.
	if (typed && !isQueryableValue(typed)) return { results: [] };
	// What is typed may be in any of the fields searched.
	const conditions = typed
		? [...base, ...anyOf(searched.map((field) => condition(field, 'LIKE', typed)))]
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
				description: `${
					readRefusal(table, result) ??
					`${result.networkError ?? ''} The credential's user needs read access to ${table}.`.trim()
				} You can also enter the value By ID.`,
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

/** A picker's list search method, as n8n calls it. */
function listSearchOf(list: PickerList) {
	return async function (
		this: ILoadOptionsFunctions,
		filter?: string,
		paginationToken?: string,
	): Promise<INodeListSearchResult> {
		return await search(this, list, filter, paginationToken);
	};
}

export const issueCodeSearch = listSearchOf({
	table: TABLES.issueRegistry,
	base: ACTIVE,
	searched: ['issue_code', 'name'],
	order: 'issue_code',
	fields: 'issue_code,name',
	toItem: (r) => ({
		name: r.name ? `${r.issue_code} – ${r.name}` : r.issue_code,
		value: r.issue_code,
	}),
});

export const providerSearch = listSearchOf({
	table: TABLES.provider,
	base: [],
	searched: ['provider_code', 'name'],
	order: 'name',
	fields: 'provider_code,name',
	toItem: (r) => ({
		name: r.name ? `${r.name} (${r.provider_code})` : r.provider_code,
		value: r.provider_code,
	}),
});

export const computerSearch = listSearchOf({
	table: TABLES.computer,
	base: [],
	searched: ['name'],
	order: 'name',
	fields: 'sys_id,name',
	toItem: (r) => ({ name: r.name, value: r.sys_id }),
});

export const userSearch = listSearchOf({
	table: TABLES.user,
	base: ACTIVE,
	searched: ['user_name', 'email', 'name'],
	order: 'user_name',
	fields: 'sys_id,user_name,name,email',
	toItem: (r) => ({
		name: `${r.name || r.user_name} (${r.user_name}${r.email ? `, ${r.email}` : ''})`,
		value: r.sys_id,
	}),
});
