/**
 * Version 1's public contract, pinned. A saved workflow holds the node's type and version, its
 * parameters by name with the option values chosen (n8n leaves out those left at their default,
 * and drops those their display options hide), its credentials by type, and its connections by
 * output position. What the action node (version 1), the trigger, the emulator trigger and the
 * credential types offer of these is read from their descriptions and compared with
 * __contract__/v1.json, which is never edited.
 *
 * Only what a saved workflow cannot notice may be added to version 1, and each addition is written
 * down in __contract__/v1-additions.json: a new parameter, an option value or a `show` condition
 * value appended to a list, an output combination that only new parameter values or option values
 * give. Everything pinned must still be there as it was (a list may only grow at its end); anything
 * else is a new version (the action node: v2/ beside v1/; see docs/CONTRIBUTING.md).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
	type ICredentialType,
	type INodeProperties,
	type INodePropertyCollection,
	type INodePropertyOptions,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { ServiceNowPe } from '../../../../nodes/ServiceNowPe/ServiceNowPe.node';
import { ServiceNowPeEmulatorTrigger } from '../../../../nodes/ServiceNowPe/ServiceNowPeEmulatorTrigger.node';
import { ServiceNowPeTrigger } from '../../../../nodes/ServiceNowPe/ServiceNowPeTrigger.node';
import { CREDENTIAL_TYPES, outputsInN8n } from '../../../helpers/action';
import { descriptionValueInN8n } from '../../../helpers/n8n';

const PACKAGE = 'n8n-nodes-servicenow-proactive-engagement';
const CONTRACT = join(__dirname, '__contract__', 'v1.json');
const ADDITIONS = join(__dirname, '__contract__', 'v1-additions.json');

/** What a saved workflow or credential holds of one parameter: where it sits, its type, its default and the values it takes. */
interface Parameter {
	path: string;
	type: string;
	default?: unknown;
	/** Option values of an options or multiOptions parameter (the names shown may change; the values are saved). */
	values?: unknown[];
	/** Where a parameter's options come from when the instance lists them. */
	loadOptions?: string;
	/** A resource locator's modes: saved as `{ mode, value }`. */
	modes?: string[];
	/** A fixed collection that holds a list (saved as an array) rather than one entry. */
	multipleValues?: true;
	displayOptions?: unknown;
}

/** Every parameter, depth first through collections and fixed collections, as `a.b.c` paths. */
function parameters(properties: INodeProperties[], prefix = ''): Parameter[] {
	return properties.flatMap((p): Parameter[] => {
		const path = `${prefix}${p.name}`;
		// A hidden field's expression (the OAuth2 URLs made from the Instance URL) is how a value is
		// worked out, not a value saved: test/contract/instance.test.ts holds what it gives.
		const computed =
			p.type === 'hidden' && typeof p.default === 'string' && p.default.startsWith('=');
		const entry: Parameter = { path, type: p.type, ...(computed ? {} : { default: p.default }) };
		if (p.type === 'options' || p.type === 'multiOptions') {
			if (p.options) entry.values = (p.options as INodePropertyOptions[]).map((o) => o.value);
			const method = p.typeOptions?.loadOptionsMethod;
			if (method) entry.loadOptions = method;
		}
		if (p.type === 'resourceLocator') entry.modes = (p.modes ?? []).map((m) => m.name);
		if (p.typeOptions?.multipleValues) entry.multipleValues = true;
		if (p.displayOptions) entry.displayOptions = p.displayOptions;
		if (p.type === 'collection')
			return [entry, ...parameters(p.options as INodeProperties[], `${path}.`)];
		if (p.type === 'fixedCollection') {
			return [
				entry,
				...(p.options as INodePropertyCollection[]).flatMap((c) => [
					{ path: `${path}.${c.name}`, type: 'fixedCollectionEntry' },
					...parameters(c.values, `${path}.${c.name}.`),
				]),
			];
		}
		return [entry];
	});
}

/**
 * The webhooks n8n registers for the node (as the URL paths they answer under /webhook/), for the
 * default Path and for one typed with slashes around it.
 */
function webhooks(description: INodeTypeDescription) {
	const type = `${PACKAGE}.${description.name}`;
	const nodeType = { description } as INodeType;
	const resolve = (path: string, parameters: Record<string, unknown>) =>
		String(descriptionValueInN8n(type, nodeType, path, parameters));
	return (description.webhooks ?? []).map(
		({ name, httpMethod, path, isFullPath, responseMode }) => ({
			name,
			httpMethod,
			isFullPath,
			responseMode,
			paths: {
				default: resolve(path, {}),
				'/team-a/emulator/': resolve(path, { path: '/team-a/emulator/' }),
			},
		}),
	);
}

/** The node's identity, credentials, connections and parameters: what saved workflows rely on. */
function nodeContract(description: INodeTypeDescription) {
	return {
		name: description.name,
		version: description.version,
		group: description.group,
		polling: description.polling,
		inputs: description.inputs,
		outputs:
			typeof description.outputs === 'string'
				? 'an expression of the parameters: see outputsByParameters'
				: description.outputs,
		outputNames: description.outputNames,
		credentials: description.credentials,
		webhooks: description.webhooks && webhooks(description),
		parameters: parameters(description.properties),
	};
}

const credentialContract = (credential: ICredentialType) => ({
	name: credential.name,
	extends: credential.extends,
	parameters: parameters(credential.properties),
});

const action = new ServiceNowPe();
const actionV1 = action.getNodeType(1);

/** The option values of the action node's top-level parameter `name`. */
function valuesOf(name: string): string[] {
	const property = actionV1.description.properties.find((p) => p.name === name);
	return ((property?.options ?? []) as INodePropertyOptions[]).map((o) => String(o.value));
}

/**
 * The outputs for the defaults, for every operation × Error Routing × Build From, and with Manual
 * Fields' Skip Items.
 */
function outputsByParameters(): Record<string, string[]> {
	const table: Record<string, string[]> = { defaults: outputsInN8n({}) };
	for (const operation of valuesOf('operation')) {
		for (const errorRouting of valuesOf('errorRouting')) {
			for (const source of valuesOf('source')) {
				table[`operation=${operation} errorRouting=${errorRouting} source=${source}`] =
					outputsInN8n({ operation, errorRouting, source });
			}
			for (const skipItems of valuesOf('skipItems').filter((v) => v !== 'never')) {
				table[
					`operation=${operation} errorRouting=${errorRouting} source=manual skipItems=${skipItems}`
				] = outputsInN8n({ operation, errorRouting, source: 'manual', skipItems });
			}
		}
	}
	return table;
}

/** The contract as JSON holds it (no undefined, no functions). */
const asJson = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;
const pinned = JSON.parse(readFileSync(CONTRACT, 'utf8')) as Record<string, unknown>;
const additions = JSON.parse(readFileSync(ADDITIONS, 'utf8')) as Record<string, unknown>;

const isObject = (v: unknown): v is Record<string, unknown> =>
	typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Whether `now` is `then` with only additions a saved workflow cannot notice: the same keys and
 * scalars, lists grown only at their end, except `hide` conditions, which must stay as they were
 * (a value added there would hide a parameter that saved workflows set).
 */
function extendsPinned(then: unknown, now: unknown, exact = false): boolean {
	if (Array.isArray(then)) {
		if (!Array.isArray(now)) return false;
		if (exact ? now.length !== then.length : now.length < then.length) return false;
		return then.every((v, i) => extendsPinned(v, now[i], exact));
	}
	if (isObject(then)) {
		if (!isObject(now)) return false;
		const keys = Object.keys(then);
		if (Object.keys(now).length !== keys.length) return false;
		return keys.every(
			(k) => Object.hasOwn(now, k) && extendsPinned(then[k], now[k], exact || k === 'hide'),
		);
	}
	return Object.is(then, now);
}

/**
 * A part's parameters against the pinned ones: each pinned parameter still there (as it was, or
 * extended), and what is new or extended, to be compared with v1-additions.json.
 */
function parameterChanges(pinnedList: Parameter[], current: Parameter[]) {
	const left = [...current];
	const missing: Parameter[] = [];
	const extended: Parameter[] = [];
	for (const p of pinnedList) {
		const same = left.findIndex((c) => extendsPinned(p, c) && extendsPinned(c, p));
		const grown = same >= 0 ? same : left.findIndex((c) => extendsPinned(p, c));
		if (grown < 0) missing.push(p);
		else if (same < 0) extended.push(left[grown]);
		if (grown >= 0) left.splice(grown, 1);
	}
	return { missing, extended, added: left };
}

/** The entries of `now` that are not in `then` (deep equality), and whether every one of `then` is still there. */
function listChanges(then: unknown[] = [], now: unknown[] = []) {
	const left = [...now];
	let kept = true;
	for (const entry of then) {
		const at = left.findIndex((e) => extendsPinned(entry, e, true));
		if (at < 0) kept = false;
		else left.splice(at, 1);
	}
	return { kept, added: left };
}

/**
 * A node's contract against the pinned one: its identity, credentials and outputs exactly; its
 * webhooks (URL paths it answers) and parameters as they were, with what was added written down.
 */
function nodeChanges(part: string, current: ReturnType<typeof nodeContract>) {
	const now = asJson(current) as Record<string, unknown>;
	const then = pinned[part] as Record<string, unknown>;
	const { parameters: nowParameters, webhooks: nowWebhooks, ...nowRest } = now;
	const { parameters: thenParameters, webhooks: thenWebhooks, ...thenRest } = then;
	const { missing, ...changes } = parameterChanges(
		thenParameters as Parameter[],
		nowParameters as Parameter[],
	);
	const webhooks = listChanges(thenWebhooks as unknown[], nowWebhooks as unknown[]);
	return {
		rest: { now: nowRest, then: thenRest },
		missing,
		webhooksKept: webhooks.kept,
		changes: { ...changes, ...(webhooks.added.length ? { webhooks: webhooks.added } : {}) },
	};
}

function compareNode(part: string, current: ReturnType<typeof nodeContract>) {
	const { rest, missing, webhooksKept, changes } = nodeChanges(part, current);
	expect(rest.now).toEqual(rest.then);
	expect(missing).toEqual([]);
	expect(webhooksKept).toBe(true);
	expect(changes).toEqual(additions[part] ?? { extended: [], added: [] });
}

describe("version 1's public contract (parameters, option values, credentials, outputs) is what __contract__/v1.json pins", () => {
	it('the action node keeps offering version 1 beside any later one, and new workflows get the latest', () => {
		const versions = Object.keys(action.nodeVersions).map(Number);
		expect(versions).toContain(1);
		expect(actionV1.description.version).toBe(1);
		expect(action.description.defaultVersion).toBe(Math.max(...versions));
	});

	it('the action node, version 1: identity, credentials, inputs, every parameter and option value', () => {
		compareNode('action', nodeContract(actionV1.description));
	});

	it('the action node, version 1: the outputs, in order, of every operation × Error Routing × Build From', () => {
		expect(valuesOf('operation').length).toBeGreaterThan(0);
		expect(valuesOf('errorRouting').length).toBeGreaterThan(0);
		expect(valuesOf('source').length).toBeGreaterThan(0);
		const now = outputsByParameters();
		const then = pinned.outputsByParameters as Record<string, string[]>;
		// Every pinned combination gives the same outputs; new combinations are written down.
		expect(Object.fromEntries(Object.keys(then).map((k) => [k, now[k]]))).toEqual(then);
		const added = Object.fromEntries(Object.entries(now).filter(([k]) => !Object.hasOwn(then, k)));
		expect(added).toEqual(additions.outputsByParameters ?? {});
	});

	it('the trigger: identity, credentials, outputs, every parameter and option value', () => {
		compareNode('trigger', nodeContract(new ServiceNowPeTrigger().description));
	});

	it('the emulator trigger: identity, webhooks, outputs, every parameter and option value', () => {
		compareNode('emulatorTrigger', nodeContract(new ServiceNowPeEmulatorTrigger().description));
	});

	it('the credential types: names and every field and option value saved credentials hold', () => {
		expect(asJson(CREDENTIAL_TYPES.map(credentialContract))).toEqual(pinned.credentialTypes);
	});

	it('pins nothing else: every part of __contract__/v1.json and v1-additions.json is checked above', () => {
		expect(Object.keys(pinned).sort()).toEqual([
			'action',
			'credentialTypes',
			'emulatorTrigger',
			'outputsByParameters',
			'trigger',
		]);
		for (const part of Object.keys(additions)) expect(Object.keys(pinned)).toContain(part);
		expect(additions.credentialTypes).toBeUndefined();
	});

	it('an addition is only what a saved workflow cannot notice', () => {
		const param = (over: Partial<Parameter>): Parameter => ({
			path: 'source',
			type: 'options',
			default: 'manual',
			values: ['manual', 'grafana'],
			displayOptions: { show: { operation: ['create'] }, hide: { x: [true] } },
			...over,
		});
		const base = param({});
		// Grown at the end: a value, a show condition's value.
		expect(extendsPinned(base, param({ values: ['manual', 'grafana', 'zabbix'] }))).toBe(true);
		expect(
			extendsPinned(
				base,
				param({
					displayOptions: { show: { operation: ['create', 'chain'] }, hide: { x: [true] } },
				}),
			),
		).toBe(true);
		// Anything else is noticed: a value inserted, renamed or removed, a new default, a hide value, a new condition.
		for (const changed of [
			param({ values: ['zabbix', 'manual', 'grafana'] }),
			param({ values: ['manual', 'grafanaAlerting'] }),
			param({ values: ['manual'] }),
			param({ default: 'grafana' }),
			param({ displayOptions: { show: { operation: ['create'] }, hide: { x: [true, false] } } }),
			param({
				displayOptions: {
					show: { operation: ['create'], source: ['manual'] },
					hide: { x: [true] },
				},
			}),
		])
			expect([changed, extendsPinned(base, changed)]).toEqual([changed, false]);
		expect(parameterChanges([base], [param({ path: 'sources' })]).missing).toEqual([base]);
	});
});
