/**
 * What n8n's editor shows of the nodes, worked out as the editor does: the canvas subtitle (the
 * description's `subtitle` expression evaluated for the node's parameters), the package's entry in
 * the node creator (n8n shows the action node and its trigger as one entry, with the trigger's
 * description), and the example workflows' pickers (a resource locator saved as a plain string
 * shows an empty "Mode" selector). scripts/screenshots.js shows the same in the real editor.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
	NodeHelpers,
	type INode,
	type INodeProperties,
	type INodeType,
	type INodeTypeDescription,
	type INodeParameters,
} from 'n8n-workflow';
import { ServiceNowPeEmulatorTrigger } from '../../../nodes/ServiceNowPe/ServiceNowPeEmulatorTrigger.node';
import { ServiceNowPeTrigger } from '../../../nodes/ServiceNowPe/ServiceNowPeTrigger.node';
import { ACTION_TYPE, actionV1 } from '../../helpers/action';
import { descriptionValueInN8n } from '../../helpers/n8n';

const PACKAGE = 'n8n-nodes-servicenow-proactive-engagement';
const TRIGGER_TYPE = `${PACKAGE}.serviceNowPeTrigger`;
const EMULATOR_TRIGGER_TYPE = `${PACKAGE}.serviceNowPeEmulatorTrigger`;
const trigger = new ServiceNowPeTrigger();
const emulatorTrigger = new ServiceNowPeEmulatorTrigger();

const subtitle = (
	type: string,
	nodeType: INodeType,
	parameters: Record<string, unknown>,
): unknown =>
	descriptionValueInN8n(type, nodeType, String(nodeType.description.subtitle), parameters);

describe('the canvas subtitle', () => {
	it.each([
		[{}, 'Create experience issue'],
		[{ operation: 'create', source: 'alertmanager' }, 'Create experience issue'],
		[{ operation: 'chain' }, 'Chain issue code'],
		[{ operation: 'get' }, 'Get experience issue'],
		[{ operation: 'checkSetup' }, 'Check setup'],
	])('of the action node with %j reads %j', (parameters, expected) => {
		expect(subtitle(ACTION_TYPE, actionV1, parameters)).toBe(expected);
	});

	it('of the action node names every operation in words', () => {
		const operation = actionV1.description.properties.find((p) => p.name === 'operation');
		for (const { value } of operation?.options as Array<{ value: string }>) {
			const shown = String(subtitle(ACTION_TYPE, actionV1, { operation: value }));
			expect(shown).not.toBe(value);
			expect(shown).toMatch(/^[A-Z][a-z]+( [a-z]+)*$/);
		}
	});

	it.each([
		[{}, 'State Changed'],
		[{ events: ['created', 'stateChanged'] }, 'Issue Created, State Changed'],
		[{ events: ['stateChanged', 'fallbackIncident'] }, 'State Changed, Fallback Incident Created'],
		[{ events: [] }, ''],
	])('of the trigger with %j reads %j', (parameters, expected) => {
		expect(subtitle(TRIGGER_TYPE, trigger, parameters)).toBe(expected);
	});

	it('of the emulator trigger is its webhook path', () => {
		expect(subtitle(EMULATOR_TRIGGER_TYPE, emulatorTrigger, {})).toBe(
			'/webhook/servicenow-emulator',
		);
	});
});

/**
 * The entries of n8n's node creator for these node types, as its generateMergedNodesAndActions
 * makes them (n8n-editor-ui 2.40.7 and 1.123.81): a trigger whose type name without "Trigger" is
 * an action node's is merged into that node's entry, which takes the trigger's description.
 */
function nodeCreatorEntries(descriptions: INodeTypeDescription[]) {
	const named = (d: INodeTypeDescription) => `${PACKAGE}.${d.name}`;
	const entries = descriptions
		.filter((d) => !d.group.includes('trigger'))
		.map((d) => ({ name: named(d), description: d.description }));
	for (const d of descriptions.filter((d) => d.group.includes('trigger'))) {
		const app = entries.find((e) => e.name === named(d).replace('Trigger', ''));
		if (app) app.description = d.description;
		else entries.push({ name: named(d), description: d.description });
	}
	return entries;
}

describe("the package's entry in the node creator", () => {
	const entries = nodeCreatorEntries([
		actionV1.description,
		trigger.description,
		emulatorTrigger.description,
	]);

	it('is the action node with the trigger merged into it, and the emulator trigger', () => {
		expect(entries.map((e) => e.name)).toEqual([
			`${PACKAGE}.serviceNowPe`,
			`${PACKAGE}.serviceNowPeEmulatorTrigger`,
		]);
	});

	it('says what the package does: its actions and its triggers', () => {
		const { description } = entries[0];
		expect(description).toMatch(/^Create experience issues/);
		expect(description).toMatch(/from monitoring alerts/);
		expect(description).toMatch(/start workflows when issues are created, change state/);
	});
});

const EXAMPLES = join(__dirname, '..', '..', '..', 'examples');
const TYPES: Record<string, INodeType> = {
	[ACTION_TYPE]: actionV1,
	[TRIGGER_TYPE]: trigger,
	[EMULATOR_TRIGGER_TYPE]: emulatorTrigger,
};

/** Paths of the resource-locator parameters the node shows for its parameters, with their values. */
function resourceLocators(
	properties: INodeProperties[],
	values: INodeParameters,
	node: INode,
	description: INodeTypeDescription,
	prefix = '',
): Array<[string, unknown]> {
	// Display options are checked against the parameters with their defaults, as the editor does.
	const shown =
		NodeHelpers.getNodeParameters(properties, values, true, false, node, description) ?? {};
	return properties.flatMap((p): Array<[string, unknown]> => {
		if (!(p.name in values)) return [];
		if (!NodeHelpers.displayParameter(shown, p, node, description)) return [];
		const value = values[p.name];
		if (p.type === 'resourceLocator') return [[`${prefix}${p.name}`, value]];
		if (p.type === 'collection' && value && typeof value === 'object')
			return resourceLocators(
				p.options as INodeProperties[],
				value as INodeParameters,
				node,
				description,
				`${prefix}${p.name}.`,
			);
		return [];
	});
}

describe('the example workflows in the editor', () => {
	const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.json'));
	const workflows = files
		.map((file) => ({ file, json: JSON.parse(readFileSync(join(EXAMPLES, file), 'utf8')) }))
		.filter(({ json }) => Array.isArray(json.nodes));

	it('hold a picker value (Issue Code, Provider, Endpoint CI, …) as a resource locator, so the editor shows its mode', () => {
		const found: string[] = [];
		const plain: string[] = [];
		for (const { file, json } of workflows) {
			for (const node of json.nodes as INode[]) {
				const type = TYPES[node.type];
				if (!type) continue;
				for (const [path, value] of resourceLocators(
					type.description.properties,
					node.parameters,
					node,
					type.description,
				)) {
					found.push(`${file} ${node.name} ${path}`);
					const rl = value as { __rl?: unknown; mode?: unknown };
					if (!(rl && typeof rl === 'object' && rl.__rl === true && typeof rl.mode === 'string'))
						plain.push(`${file} ${node.name} ${path}: ${JSON.stringify(value)}`);
				}
			}
		}
		expect(found.length).toBeGreaterThan(10);
		expect(plain).toEqual([]);
	});
});
