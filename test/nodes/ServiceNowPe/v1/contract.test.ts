/**
 * Version 1's public contract, pinned. A saved workflow holds the node's type and version, its
 * parameters by name with the option values chosen (n8n leaves out those left at their default,
 * and drops those their display options hide), its credentials by type, and its connections by
 * output position. What the action node (version 1), the trigger, the emulator trigger and the
 * credential types offer of these is read from their descriptions and compared with
 * __contract__/v1.json: any change fails here. A change is a new version that saved workflows do
 * not get (the action node: v2/ beside v1/; see docs/CONTRIBUTING.md), never an edit of v1.json.
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

/** The outputs for the defaults, and for every operation × Error Routing × Build From. */
function outputsByParameters(): Record<string, string[]> {
	const table: Record<string, string[]> = { defaults: outputsInN8n({}) };
	for (const operation of valuesOf('operation')) {
		for (const errorRouting of valuesOf('errorRouting')) {
			for (const source of valuesOf('source')) {
				table[`operation=${operation} errorRouting=${errorRouting} source=${source}`] =
					outputsInN8n({ operation, errorRouting, source });
			}
		}
	}
	return table;
}

/** The contract as JSON holds it (no undefined, no functions). */
const asJson = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;
const pinned = JSON.parse(readFileSync(CONTRACT, 'utf8')) as Record<string, unknown>;

describe("version 1's public contract (parameters, option values, credentials, outputs) is what __contract__/v1.json pins", () => {
	it('the action node keeps offering version 1 beside any later one, and new workflows get the latest', () => {
		const versions = Object.keys(action.nodeVersions).map(Number);
		expect(versions).toContain(1);
		expect(actionV1.description.version).toBe(1);
		expect(action.description.defaultVersion).toBe(Math.max(...versions));
	});

	it('the action node, version 1: identity, credentials, inputs, every parameter and option value', () => {
		expect(asJson(nodeContract(actionV1.description))).toEqual(pinned.action);
	});

	it('the action node, version 1: the outputs, in order, of every operation × Error Routing × Build From', () => {
		expect(valuesOf('operation').length).toBeGreaterThan(0);
		expect(valuesOf('errorRouting').length).toBeGreaterThan(0);
		expect(valuesOf('source').length).toBeGreaterThan(0);
		expect(outputsByParameters()).toEqual(pinned.outputsByParameters);
	});

	it('the trigger: identity, credentials, outputs, every parameter and option value', () => {
		expect(asJson(nodeContract(new ServiceNowPeTrigger().description))).toEqual(pinned.trigger);
	});

	it('the emulator trigger: identity, webhooks, outputs, every parameter and option value', () => {
		expect(asJson(nodeContract(new ServiceNowPeEmulatorTrigger().description))).toEqual(
			pinned.emulatorTrigger,
		);
	});

	it('the credential types: names and every field and option value saved credentials hold', () => {
		expect(asJson(CREDENTIAL_TYPES.map(credentialContract))).toEqual(pinned.credentialTypes);
	});

	it('pins nothing else: every part of __contract__/v1.json is checked above', () => {
		expect(Object.keys(pinned).sort()).toEqual([
			'action',
			'credentialTypes',
			'emulatorTrigger',
			'outputsByParameters',
			'trigger',
		]);
	});
});
