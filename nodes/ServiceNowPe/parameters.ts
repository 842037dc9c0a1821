/**
 * Per-item parameter reads, fast: a parameter that holds no expression has the same value for
 * every item, so it is read once; only expressions are evaluated per item. (Reading a parameter
 * through n8n costs far more than the rest of the node's per-item work.)
 */
import type { IExecuteFunctions, NodeParameterValueType } from 'n8n-workflow';

function holdsExpression(value: unknown): boolean {
	if (typeof value === 'string') return value.startsWith('=');
	if (Array.isArray(value)) return value.some(holdsExpression);
	if (value && typeof value === 'object') return Object.values(value).some(holdsExpression);
	return false;
}

export type ParameterReader = (name: string, itemIndex: number, fallback?: unknown) => unknown;

export function parameterReader(ctx: IExecuteFunctions): ParameterReader {
	const constants = new Map<string, unknown>();
	const dynamic = new Set<string>();
	return (name, itemIndex, fallback) => {
		if (constants.has(name)) return constants.get(name);
		if (!dynamic.has(name)) {
			// The parameter as written (defaults applied), expressions left unevaluated.
			const raw = ctx.getNodeParameter(name, 0, fallback as NodeParameterValueType, { rawExpressions: true });
			if (!holdsExpression(raw)) {
				constants.set(name, raw);
				return raw;
			}
			dynamic.add(name);
		}
		return ctx.getNodeParameter(name, itemIndex, fallback as NodeParameterValueType);
	};
}
