/**
 * Per-item parameter reads, fast. Reading a parameter through n8n costs far more than the rest of
 * the node's per-item work (n8n 2.x evaluates every expression in an isolated VM), so:
 * - a parameter that holds no expression has the same value for every item: it is read once;
 * - a parameter whose expressions are all plain field references to the item being processed
 *   (`{{ $json.user }}`, `{{ $json.labels["cpu usage"] }}`, `{{ $json.items[0].id }}`) is read
 *   from the item directly: nothing is evaluated, so the answer is the value n8n would give;
 * - anything else (functions, other nodes, templates with text around) goes to n8n's engine.
 * A reference that does not lead to a scalar own field of the item (a missing field, `.length`,
 * an object or a list) is also left to n8n, so its answer, whatever it is, stays n8n's.
 */
import {
	type IDataObject,
	type IExecuteFunctions,
	type NodeParameterValueType,
} from 'n8n-workflow';
import { DEFAULT_NAMESPACE } from '../../../../contract/api';
import type { CreateIssueFields } from '../../../../contract/body';
import { setOwn, text } from '../../../../contract/values';
import type { SendOptions } from './interfaces';

function holdsExpression(value: unknown): boolean {
	if (typeof value === 'string') return value.startsWith('=');
	if (Array.isArray(value)) return value.some(holdsExpression);
	if (value && typeof value === 'object') return Object.values(value).some(holdsExpression);
	return false;
}

const WHOLE_REFERENCE =
	/^=\{\{\s*\$json((?:\s*(?:\.\s*[A-Za-z_$][\w$]*|\[\s*(?:"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|\d+)\s*\]))*)\s*\}\}$/;
const SEGMENT =
	/\.\s*([A-Za-z_$][\w$]*)|\[\s*(?:"((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)'|(\d+))\s*\]/g;

function unquote(text: string, quote: '"' | "'"): string | undefined {
	if (!text.includes('\\')) return text;
	try {
		// A JSON string literal has the same escapes as a JS one for everything JSON allows.
		return JSON.parse(
			`"${quote === "'" ? text.replace(/\\'/g, "'").replace(/"/g, '\\"') : text}"`,
		) as string;
	} catch {
		return undefined;
	}
}

/** `={{ $json.a["b c"][0] }}` → ['a', 'b c', 0]; undefined when the expression is anything else. */
export function fieldReference(raw: string): Array<string | number> | undefined {
	const whole = WHOLE_REFERENCE.exec(raw);
	if (!whole) return undefined;
	const path: Array<string | number> = [];
	for (const m of whole[1].matchAll(SEGMENT)) {
		let key: string | number | undefined;
		if (m[1] !== undefined) key = m[1];
		else if (m[2] !== undefined) key = unquote(m[2], '"');
		else if (m[3] !== undefined) key = unquote(m[3], "'");
		else key = Number(m[4]);
		// Names an object inherits (`toString`, `__proto__`, …) are n8n's to interpret.
		if (
			key === undefined ||
			(typeof key === 'string' && (key in Object.prototype || key === 'prototype'))
		)
			return undefined;
		path.push(key);
	}
	return path;
}

const NOT_RESOLVED = Symbol('not resolved');
type Resolver = (json: IDataObject) => unknown;

function followPath(json: IDataObject, path: Array<string | number>): unknown {
	let value: unknown = json;
	for (const key of path) {
		if (value === null || typeof value !== 'object') return NOT_RESOLVED;
		if (!Object.prototype.hasOwnProperty.call(value, key)) return NOT_RESOLVED;
		value = (value as Record<string | number, unknown>)[key];
	}
	// Only scalars: objects and arrays cross n8n's expression sandbox with rules of their own.
	if (value === undefined || (value !== null && typeof value === 'object')) return NOT_RESOLVED;
	return value;
}

/** A picker's stored value: `{ __rl: true, mode, value }`. */
function isResourceLocator(raw: unknown): raw is { __rl: true; mode: string; value: unknown } {
	return raw !== null && typeof raw === 'object' && (raw as { __rl?: unknown }).__rl === true;
}

/** A resolver for a parameter's raw value when all its expressions are field references. */
function compile(raw: unknown): Resolver | undefined {
	if (typeof raw === 'string') {
		if (!raw.startsWith('=')) return () => raw;
		const path = fieldReference(raw);
		return path ? (json) => followPath(json, path) : undefined;
	}
	if (raw !== null && typeof raw === 'object') {
		// A collection or a list of rows: every leaf must resolve, or the whole goes to n8n.
		const entries = Object.entries(raw).map(([key, value]) => [key, compile(value)] as const);
		if (entries.some(([, p]) => p === undefined)) return undefined;
		return (json) => {
			const out: Record<string, unknown> | unknown[] = Array.isArray(raw) ? [] : {};
			for (const [key, part] of entries) {
				const value = (part as Resolver)(json);
				if (value === NOT_RESOLVED) return NOT_RESOLVED;
				setOwn(out as Record<string, unknown>, key, value);
			}
			return out;
		};
	}
	return () => raw;
}

export type ParameterReader = (name: string, itemIndex: number, fallback?: unknown) => unknown;

export function parameterReader(
	ctx: IExecuteFunctions,
	{ directFieldReferences = true } = {},
): ParameterReader {
	const constants = new Map<string, unknown>();
	const direct = new Map<string, Resolver>();
	const evaluated = new Set<string>();
	const items = ctx.getInputData();
	// extractValue: a picker (resource locator) gives its value; any other parameter is as it is.
	const viaN8n = (name: string, itemIndex: number, fallback: unknown) =>
		ctx.getNodeParameter(name, itemIndex, fallback as NodeParameterValueType, {
			extractValue: true,
		});
	const fromItem = (name: string, resolver: Resolver, itemIndex: number, fallback: unknown) => {
		const value = resolver(items[itemIndex]?.json ?? {});
		return value === NOT_RESOLVED ? viaN8n(name, itemIndex, fallback) : value;
	};
	return (name, itemIndex, fallback) => {
		if (constants.has(name)) return constants.get(name);
		const resolver = direct.get(name);
		if (resolver) return fromItem(name, resolver, itemIndex, fallback);
		if (!evaluated.has(name)) {
			// The parameter as written (defaults applied), expressions left unevaluated; a picker's value.
			const written = ctx.getNodeParameter(name, 0, fallback as NodeParameterValueType, {
				rawExpressions: true,
			});
			const raw = isResourceLocator(written) ? written.value : written;
			if (!holdsExpression(raw)) {
				constants.set(name, raw);
				return raw;
			}
			const compiled = directFieldReferences ? compile(raw) : undefined;
			if (compiled) {
				direct.set(name, compiled);
				return fromItem(name, compiled, itemIndex, fallback);
			}
			evaluated.add(name);
		}
		return viaN8n(name, itemIndex, fallback);
	};
}

/** The node's Options collection, each value clamped to its range. */
export function readOptions(ctx: IExecuteFunctions): SendOptions {
	const o = ctx.getNodeParameter('options', 0, {}) as IDataObject;
	const int = (v: unknown, fallback: number, min: number, max: number) => {
		const n = Number(v ?? fallback);
		return Number.isFinite(n) ? Math.min(max, Math.max(min, Math.floor(n))) : fallback;
	};
	return {
		requestFormat: o.requestFormat === 'xml' ? 'xml' : 'json',
		namespace: o.namespace === 'sn_srf' ? 'sn_srf' : DEFAULT_NAMESPACE,
		concurrency: int(o.concurrency, 4, 1, 64),
		timeoutMs: int(o.timeoutSeconds, 30, 1, 600) * 1000,
		policy: {
			maxAttempts: int(o.maxAttempts, 3, 1, 10),
			maxWaitSeconds: int(o.maxRetryWaitSeconds, 30, 0, 3600),
			baseDelayMs: int(o.retryBaseDelayMs, 500, 0, 60_000),
		},
		dryRun: o.dryRun === true,
		sendMode: o.sendMode === 'batch' ? 'batch' : 'perItem',
		batchSize: int(o.batchSize, 50, 1, 100),
	};
}

function keyValues(read: ParameterReader, name: string, i: number): Record<string, unknown> {
	const value = read(`${name}.values`, i, []);
	const rows = Array.isArray(value) ? (value as IDataObject[]) : [];
	const out: Record<string, unknown> = {};
	for (const row of rows) {
		const key = text(row.key);
		if (key) setOwn(out, key, row.value);
	}
	return out;
}

/** The body fields as mapped in the parameters, for item `i`. */
export function manualFields(read: ParameterReader, i: number): CreateIssueFields {
	const p = (name: string) => read(name, i, '');
	return {
		endpoint: {
			CI: p('endpointCi'),
			email: p('endpointEmail'),
			user_id: p('endpointUserId'),
			user_name: p('endpointUserName'),
		},
		issue_code: p('issueCode'),
		provider: p('provider'),
		experience_id: p('experienceId'),
		input_parameters: {
			process_id: p('processId'),
			...keyValues(read, 'additionalInputParameters', i),
		},
		investigative_details: {
			cpu_usage: p('cpuUsage'),
			processes_running: p('processesRunning'),
			available_memory: p('availableMemory'),
			...keyValues(read, 'additionalInvestigativeDetails', i),
		},
	};
}
