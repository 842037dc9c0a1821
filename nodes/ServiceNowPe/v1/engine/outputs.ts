/**
 * The node's outputs. One table names the outputs of each operation and Error Routing mode: n8n
 * evaluates the `outputs` expression made from it (as for the Switch node), and a run routes with
 * the same table.
 */
import { BRANCH_ORDER, type CatalogueEntry, type ErrorGroup } from '../../../../contract/errors';
import { operations } from '../actions/experienceIssue/ExperienceIssue.resource';
import type { OperationOutputs } from '../actions/interfaces';

export type ErrorRouting = 'perError' | 'grouped' | 'single';

export const GROUPS: Array<[ErrorGroup, string]> = [
	['alreadyBeingResolved', 'Already Being Resolved'],
	['fixInput', 'Fix Input'],
	['failed', 'Failed'],
];

export const OUTPUT_TABLE = {
	/** Outputs of the operations that send create requests, per Error Routing mode. */
	routing: {
		perError: ['Created', ...BRANCH_ORDER.map((e) => e.output), 'Other'],
		grouped: ['Created', ...GROUPS.map(([, name]) => name)],
		single: ['Created'],
	} satisfies Record<ErrorRouting, string[]>,
	/** Each operation's own outputs. */
	operations: Object.fromEntries(Object.entries(operations).map(([name, op]) => [name, op.outputs])) as Record<string, OperationOutputs>,
};

/**
 * Output names for the node's parameters. Self-contained (n8n evaluates its source text in an
 * expression), plain ES2015 syntax.
 */
export function outputNames(table: typeof OUTPUT_TABLE, p: Record<string, unknown>): string[] {
	const op = table.operations[String(p.operation || 'create')] || {};
	if (op.names) return op.names;
	let names = table.routing[(p.errorRouting || 'perError') as ErrorRouting] || table.routing.perError;
	if (op.success) names = [op.success[0]].concat(names.slice(1));
	const rule = op.skippedUnless;
	return rule && (p[rule[0]] || rule[1]) !== rule[1] ? names.concat(['Skipped']) : names;
}

/** `}}` would end n8n's expression early: nested objects and blocks get a space between braces. */
const source = `(${outputNames.toString()})(${JSON.stringify(OUTPUT_TABLE)}, $parameter).map((name) => ({ type: "main", displayName: name }))`;
export const OUTPUTS_EXPRESSION: `={{${string}}}` = `={{${source.replace(/\}(?=\})/g, '} ')}}}`;

/** Output index of an error in the chosen routing mode (single: only Created, index 0). */
export function errorOutput(routing: ErrorRouting, entry: CatalogueEntry): number {
	if (routing === 'perError') {
		const at = BRANCH_ORDER.indexOf(entry);
		return at >= 0 ? at + 1 : BRANCH_ORDER.length + 1;
	}
	if (routing === 'grouped') {
		const group = entry.documented ? entry.group : 'failed';
		return GROUPS.findIndex(([g]) => g === group) + 1;
	}
	return 0;
}

