/**
 * The pickers' lists (resource locators "From List"): deployed issue codes with their names,
 * providers, computers by name and active users by user name, name or email, read from the
 * instance's Table API a page at a time and filtered as the user types.
 */
import { NodeOperationError, type ILoadOptionsFunctions, type INodeListSearchItems, type INodeListSearchResult } from 'n8n-workflow';
import { TABLES, type TableName } from '../../../../contract/api';
import { condition, encodeQuery, isQueryableValue } from '../../../../contract/encodedQuery';
import { connectionFor, type CredentialType } from '../transport/request';
import { listRows } from '../transport/tableApi';

const PAGE = 50;
const READ = { timeoutMs: 20_000, policy: { maxAttempts: 2, maxWaitSeconds: 2, baseDelayMs: 250 } };

type Row = Record<string, string>;

async function search(
	ctx: ILoadOptionsFunctions,
	table: TableName,
	base: string[],
	filterFields: string[],
	order: string,
	fields: string,
	toItem: (row: Row) => INodeListSearchItems,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const typed = (filter ?? '').trim();
	// A filter an instance would run as a script is no filter of a name: nothing matches it.
	if (typed && !isQueryableValue(typed)) return { results: [] };
	const conditions = [...base];
	filterFields.forEach((field, i) => typed && conditions.push(`${i > 0 ? 'OR' : ''}${condition(field, 'LIKE', typed)}`));
	const credentialType = ctx.getNodeParameter('authentication', 'serviceNowPeApi') === 'serviceNowPeOAuth2Api' ? 'serviceNowPeOAuth2Api' : 'serviceNowPeApi';
	const connection = await connectionFor(ctx, credentialType as CredentialType);
	const offset = Number(paginationToken) || 0;
	const { rows, total, result } = await listRows<Row>(ctx, connection, table, encodeQuery(conditions, [`ORDERBY${order}`]), READ, { fields, limit: PAGE, offset });
	if (!rows) {
		throw new NodeOperationError(ctx.getNode(), `Reading ${table} for the list failed (HTTP ${result.status || 'no answer'}).`, {
			description: `${result.networkError ?? ''} The credential's user needs read access to ${table}; you can also enter the value By ID.`.trim(),
		});
	}
	const next = offset + rows.length;
	return { results: rows.map(toItem), paginationToken: rows.length === PAGE && (total === undefined || next < total) ? String(next) : undefined };
}

export async function issueCodeSearch(this: ILoadOptionsFunctions, filter?: string, paginationToken?: string): Promise<INodeListSearchResult> {
	return search(this, TABLES.issueRegistry, ['active=true'], ['issue_code', 'name'], 'issue_code', 'issue_code,name', (r) => ({ name: r.name ? `${r.issue_code} – ${r.name}` : r.issue_code, value: r.issue_code }), filter, paginationToken);
}

export async function providerSearch(this: ILoadOptionsFunctions, filter?: string, paginationToken?: string): Promise<INodeListSearchResult> {
	return search(this, TABLES.provider, [], ['provider_code', 'name'], 'name', 'provider_code,name', (r) => ({ name: r.name ? `${r.name} (${r.provider_code})` : r.provider_code, value: r.provider_code }), filter, paginationToken);
}

export async function computerSearch(this: ILoadOptionsFunctions, filter?: string, paginationToken?: string): Promise<INodeListSearchResult> {
	return search(this, TABLES.computer, [], ['name'], 'name', 'sys_id,name', (r) => ({ name: r.name, value: r.sys_id }), filter, paginationToken);
}

export async function userSearch(this: ILoadOptionsFunctions, filter?: string, paginationToken?: string): Promise<INodeListSearchResult> {
	return search(this, TABLES.user, ['active=true'], ['user_name', 'email', 'name'], 'user_name', 'sys_id,user_name,name,email', (r) => ({ name: `${r.name || r.user_name} (${r.user_name}${r.email ? `, ${r.email}` : ''})`, value: r.sys_id }), filter, paginationToken);
}
