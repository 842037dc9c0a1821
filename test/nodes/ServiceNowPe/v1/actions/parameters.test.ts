/**
 * The node reads plain field references (`{{ $json.user }}`) from the item directly instead of
 * through n8n's expression engine. These tests hold that to n8n's own answers: the same
 * parameters are read both ways inside real n8n workflows (n8n-core's WorkflowExecute, n8n's
 * isolated-VM expression engine, as n8n 2.x runs by default) and must agree for every item.
 */
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import {
	Expression,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
} from 'n8n-workflow';
import {
	fieldReference,
	parameterReader,
} from '../../../../../nodes/ServiceNowPe/v1/actions/parameters';
import { buildWorkflow, nodeTypesOf, outputOf, runWorkflow } from '../../../../helpers/n8n';

const PROBE = 'test.parameterProbe';
const NAMES = ['a', 'b', 'c', 'rows'];

/** A node that reads its parameters both ways and outputs both answers (and how long each took). */
class ParameterProbe implements INodeType {
	description = {
		displayName: 'Parameter Probe',
		name: 'parameterProbe',
		group: ['transform'],
		version: 1,
		description: 'Reads its parameters two ways',
		defaults: { name: 'Probe' },
		inputs: ['main'],
		outputs: ['main'],
		properties: [
			...['a', 'b', 'c'].map((name) => ({
				displayName: name,
				name,
				type: 'string' as const,
				default: '',
			})),
			{
				displayName: 'Rows',
				name: 'rows',
				type: 'fixedCollection' as const,
				typeOptions: { multipleValues: true },
				default: {},
				options: [
					{
						displayName: 'Values',
						name: 'values',
						values: [
							{ displayName: 'Key', name: 'key', type: 'string' as const, default: '' },
							{ displayName: 'Value', name: 'value', type: 'string' as const, default: '' },
						],
					},
				],
			},
		],
	} as INodeType['description'];

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const direct = parameterReader(this);
		const engine = parameterReader(this, { directFieldReferences: false });
		const outcome = (read: () => unknown) => {
			try {
				return { value: read() ?? null };
			} catch (error) {
				return { error: (error as Error).message };
			}
		};
		return [
			this.getInputData().map((_, i) => ({
				json: Object.fromEntries(
					NAMES.map((name) => [
						name,
						{
							direct: outcome(() => direct(name, i, '')),
							engine: outcome(() => engine(name, i, '')),
						},
					]),
				),
				pairedItem: { item: i },
			})),
		];
	}
}

async function probe(parameters: Record<string, unknown>, items: Array<Record<string, unknown>>) {
	const nodeTypes = nodeTypesOf({ [PROBE]: new ParameterProbe() });
	const workflow = buildWorkflow(
		{
			nodes: [
				{
					id: 'p',
					name: 'Probe',
					type: PROBE,
					typeVersion: 1,
					position: [0, 0],
					parameters: parameters as never,
				},
			],
			connections: {},
		},
		nodeTypes,
	);
	const run = await runWorkflow({
		workflow,
		startNode: 'Probe',
		startData: [items.map((json) => ({ json: json as never }))],
	});
	return outputOf(run, 'Probe').map(
		(item) => item.json as Record<string, { direct: unknown; engine: unknown }>,
	);
}

beforeAll(async () => {
	await Expression.initExpressionEngine({
		engine: 'vm',
		bridgeTimeout: 5000,
		bridgeMemoryLimit: 128,
		maxCodeCacheSize: 1024,
		poolSize: 1,
	} as never);
}, 60_000);

beforeEach(() => Expression.setExpressionEngine('vm'));
afterAll(() => Expression.setExpressionEngine('legacy'));

describe('field references read from the item', () => {
	it('recognises only plain $json references', () => {
		expect(fieldReference('={{ $json.user }}')).toEqual(['user']);
		expect(fieldReference('={{$json["cpu usage"]}}')).toEqual(['cpu usage']);
		expect(fieldReference("={{ $json.labels['a\\'b'][2].x }}")).toEqual(['labels', "a'b", 2, 'x']);
		expect(fieldReference('={{ $json.a\n}}')).toEqual(['a']);
		for (const other of [
			'={{ $json.user.toUpperCase() }}',
			'=x {{ $json.user }}',
			'={{ $json.a }} {{ $json.b }}',
			'={{ $json.__proto__ }}',
			'={{ $json["constructor"] }}',
			'={{ $json.toString }}',
			'={{ $json.a.valueOf }}',
			'={{ $input.item.json.a }}',
			'={{ $json[a] }}',
			'={{ $json.a || "x" }}',
			'plain',
		])
			expect(fieldReference(other)).toBeUndefined();
	});

	it.each(['vm', 'legacy'] as const)(
		'gives what n8n gives, for every kind of value and reference (%s engine)',
		async (engine) => {
			Expression.setExpressionEngine(engine);
			const key = fc.oneof(
				fc.constantFrom(
					'user',
					'cpu usage',
					'déjà',
					'a"b',
					"a'b",
					'0',
					'length',
					'toString',
					'__proto__',
					'x.y',
					'',
				),
				fc.string({ maxLength: 6 }),
			);
			const leaf = fc.oneof(
				fc.string({ maxLength: 12 }),
				fc.integer(),
				fc.double({ noNaN: true }),
				fc.boolean(),
				fc.constant(null),
				fc.string({ unit: 'binary', maxLength: 6 }),
			);
			const value = fc.letrec((tie) => ({
				node: fc.oneof(
					{ depthSize: 'small', withCrossShrink: true },
					leaf,
					tie('array'),
					tie('object'),
				),
				array: fc.array(tie('node'), { maxLength: 3 }),
				object: fc.dictionary(key, tie('node'), { maxKeys: 4 }),
			})).node;
			const segment = fc.oneof(
				key.filter((k) => /^[A-Za-z_$][\w$]*$/.test(k)).map((k) => `.${k}`),
				key.map((k) => `[${JSON.stringify(k)}]`),
				key.filter((k) => !/['\\\n]/.test(k)).map((k) => `['${k}']`),
				fc.nat(3).map((n) => `[${n}]`),
			);
			const reference = fc
				.array(segment, { minLength: 0, maxLength: 3 })
				.map((s) => `={{ $json${s.join('')} }}`);
			const parameter = fc.oneof(
				reference,
				reference,
				fc.constantFrom('plain', '=text', '={{ $json.a + "" }}', ''),
			);
			const cases = fc.sample(
				fc.record({
					a: parameter,
					b: parameter,
					c: parameter,
					row: reference,
					json: fc.dictionary(key, value, { maxKeys: 5 }),
				}),
				{ numRuns: 120, seed: Number(process.env.FUZZ_SEED ?? 20261128) },
			);
			const mismatches: unknown[] = [];
			let compared = 0;
			let directReads = 0;
			for (let start = 0; start < cases.length; start += 30) {
				const batch = cases.slice(start, start + 30);
				// One workflow per parameter set; each set gets a few items, some of them with the fields it names.
				for (const c of batch.slice(0, 6)) {
					const items = batch.map((other) => ({ ...other.json, ...c.json }));
					const outputs = await probe(
						{ a: c.a, b: c.b, c: c.c, rows: { values: [{ key: 'k', value: c.row }] } },
						items,
					);
					for (const [i, out] of outputs.entries()) {
						for (const name of NAMES) {
							if (!isDeepStrictEqual(out[name].direct, out[name].engine))
								mismatches.push({
									parameter: name === 'rows' ? c.row : c[name as 'a'],
									item: items[i],
									direct: out[name].direct,
									engine: out[name].engine,
								});
							compared++;
						}
					}
					directReads +=
						outputs.length *
						[c.a, c.b, c.c, c.row].filter((p) => fieldReference(p) !== undefined).length;
				}
			}
			expect(mismatches.slice(0, 3)).toEqual([]);
			expect(compared).toBeGreaterThan(1000);
			expect(directReads).toBeGreaterThan(150);
		},
		120_000,
	);

	it('leaves objects and lists to n8n (which refuses some of them)', async () => {
		const outputs = await probe(
			{ a: '={{ $json.labels }}', b: '={{ $json.list }}', c: '={{ $json.odd }}' },
			[{ labels: { host: 'h1' }, list: [1, 2], odd: { toString: 'x' } }],
		);
		expect(outputs[0].a).toEqual({
			direct: { value: { host: 'h1' } },
			engine: { value: { host: 'h1' } },
		});
		expect(outputs[0].b).toEqual({ direct: { value: [1, 2] }, engine: { value: [1, 2] } });
		expect(outputs[0].c.direct).toEqual(outputs[0].c.engine);
		expect(outputs[0].c.engine).toEqual({ error: expect.stringContaining('could not be cloned') });
	});
});
