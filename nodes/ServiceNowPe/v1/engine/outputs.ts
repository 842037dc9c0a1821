/**
 * The node's outputs. One table names the outputs of each operation and Error Routing mode: n8n
 * evaluates the `outputs` expression made from it (as for the Switch node), and a run routes with
 * the same table.
 */
import {
	NodeApiError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type JsonObject,
} from 'n8n-workflow';
import {
	DOCUMENTED_ERRORS,
	ERROR_CATALOGUE,
	type CatalogueEntry,
	type ErrorCode,
	type ErrorGroup,
} from '../../../../contract/errors';
import { operations } from '../actions/experienceIssue/ExperienceIssue.resource';
import type { OperationOutputs, Prepared } from '../actions/interfaces';

export type ErrorRouting = 'perError' | 'grouped' | 'single';

/**
 * Version 1's error branches (Error Routing "Per Error"), in output order after Created. Frozen
 * with version 1: saved workflows connect these outputs by position. A documented error added to
 * the contract later goes to Other here; its own branch comes with a new version of the node.
 */
const V1_BRANCHES: readonly ErrorCode[] = [
	'ENDPOINT_MISSING',
	'ISSUE_CODE_EMPTY',
	'PROVIDER_EMPTY',
	'ISSUE_CODE_OR_PROVIDER_UNKNOWN',
	'NO_RESOLUTION',
	'USER_NOT_RESOLVED',
	'BEING_RESOLVED',
	'CHAIN_CONFLICT',
	'CREATION_FAILED',
];
const BRANCHES = V1_BRANCHES.map((code) => ERROR_CATALOGUE[code]);

export const GROUPS: Array<[ErrorGroup, string]> = [
	['alreadyBeingResolved', 'Already Being Resolved'],
	['fixInput', 'Fix Input'],
	['failed', 'Failed'],
];

export const OUTPUT_TABLE = {
	/** Outputs of the operations that send create requests, per Error Routing mode. */
	routing: {
		perError: ['Created', ...BRANCHES.map((e) => e.output), 'Other'],
		grouped: ['Created', ...GROUPS.map(([, name]) => name)],
		single: ['Created'],
	} satisfies Record<ErrorRouting, string[]>,
	/** Each operation's own outputs. */
	operations: Object.fromEntries(
		Object.entries(operations).map(([name, op]) => [name, op.outputs]),
	) as Record<string, OperationOutputs>,
};

/**
 * Output names for the node's parameters. Self-contained (n8n evaluates its source text in an
 * expression), plain ES2015 syntax.
 */
export function outputNames(table: typeof OUTPUT_TABLE, p: Record<string, unknown>): string[] {
	const op = table.operations[String(p.operation || 'create')] || {};
	if (op.names) return op.names;
	let names =
		table.routing[(p.errorRouting || 'perError') as ErrorRouting] || table.routing.perError;
	if (op.success) names = [op.success[0]].concat(names.slice(1));
	const rule = op.skippedUnless;
	const also = op.skippedWhen;
	const skipped = rule && ((p[rule[0]] || rule[1]) !== rule[1] || (also && p[also[0]] === also[1]));
	return skipped ? names.concat(['Skipped']) : names;
}

/** `}}` would end n8n's expression early: nested objects and blocks get a space between braces. */
const source = `(${outputNames.toString()})(${JSON.stringify(OUTPUT_TABLE)}, $parameter).map((name) => ({ type: "main", displayName: name }))`;
export const OUTPUTS_EXPRESSION: `={{${string}}}` = `={{${source.replace(/\}(?=\})/g, '} ')}}}`;

/** Output index of an error in the chosen routing mode (single: only Created, index 0). */
export function errorOutput(routing: ErrorRouting, entry: CatalogueEntry): number {
	if (routing === 'perError') {
		const at = BRANCHES.indexOf(entry);
		return at >= 0 ? at + 1 : BRANCHES.length + 1;
	}
	if (routing === 'grouped') {
		const group = entry.documented ? entry.group : 'failed';
		return GROUPS.findIndex(([g]) => g === group) + 1;
	}
	return 0;
}

/** An item on its way out: the output it goes to and what it says. */
export interface Routed {
	output: number;
	item: INodeExecutionData;
}

/** A refusal (the instance's, or known before sending), as its item. */
export interface Refusal {
	entry: CatalogueEntry;
	message: string;
	detail: string;
}

/**
 * A refused item to its branch. With Single Output the node fails with the refusal, unless it
 * continues on error: then the item carries the error (n8n's "continue (using error output)"
 * moves it to the error output).
 */
export function refusedItem(
	ctx: IExecuteFunctions,
	routing: ErrorRouting,
	itemIndex: number,
	refusal: Refusal,
	extra: IDataObject,
): Routed {
	const { entry, message, detail } = refusal;
	if (routing !== 'single') {
		return {
			output: errorOutput(routing, entry),
			item: {
				json: {
					outcome: 'error',
					errorCode: entry.code,
					branch: BRANCHES.includes(entry) ? entry.output : 'Other',
					message,
					detail,
					nextStep: entry.nextStep,
					...extra,
				},
				pairedItem: { item: itemIndex },
			},
		};
	}
	if (!ctx.continueOnFail()) {
		throw new NodeApiError(ctx.getNode(), { message, description: detail } as JsonObject, {
			itemIndex,
			message: `ServiceNow refused the experience issue: ${message}`,
			description: `${detail ? `${detail} ` : ''}(error code ${entry.code}${extra.httpStatus ? `, HTTP ${String(extra.httpStatus)}` : ''})`,
			httpCode: extra.httpStatus ? String(extra.httpStatus) : undefined,
		});
	}
	return {
		output: 0,
		item: {
			json: { error: message, errorCode: entry.code, detail, nextStep: entry.nextStep, ...extra },
			error: new NodeApiError(ctx.getNode(), { message } as JsonObject, {
				itemIndex,
				message,
				description: detail,
			}),
			pairedItem: { item: itemIndex },
		},
	};
}

/**
 * An item that is not sent, as its item: skipped on purpose (the Skipped output), refused before
 * sending, or missing a field; undefined when it is to be sent.
 */
export function unsentItem(
	ctx: IExecuteFunctions,
	routing: ErrorRouting,
	skippedOutput: number,
	p: Prepared,
): Routed | undefined {
	const base: IDataObject = { ...(p.context ?? {}) };
	if (p.skipped) {
		return {
			output: skippedOutput,
			item: {
				json: { outcome: 'skipped', reason: p.skipped, ...base, input: p.input },
				pairedItem: { item: p.itemIndex },
			},
		};
	}
	// A known refusal names the root cause (e.g. no CI for the host), so it goes before field problems.
	if (p.refusal) {
		const { field, ...refusal } = p.refusal;
		return refusedItem(ctx, routing, p.itemIndex, refusal, {
			sent: false,
			...(field ? { field } : {}),
			...base,
			request: (p.body ?? {}) as unknown as IDataObject,
			input: p.input,
		});
	}
	if (!p.problems?.length) return undefined;
	const problem = p.problems[0];
	return refusedItem(
		ctx,
		routing,
		p.itemIndex,
		{
			entry: DOCUMENTED_ERRORS[problem.code],
			message: problem.message,
			detail: `Not sent: ${p.problems.map((x) => x.field).join(', ')} missing.`,
		},
		{
			sent: false,
			field: problem.field,
			...base,
			request: p.body as unknown as IDataObject,
			input: p.input,
		},
	);
}
