/** The node's outputs: one table gives the editor's outputs (n8n's expression) and the run's. */
import {
	BRANCH_ORDER,
	DOCUMENTED_ERROR_LIST,
	PLATFORM_ERRORS,
} from '../../../../../contract/errors';
import {
	OUTPUT_TABLE,
	errorOutput,
	outputNames,
} from '../../../../../nodes/ServiceNowPe/v1/engine/outputs';
import { SOURCE_NAMES } from '../../../../../nodes/ServiceNowPe/sources';
import { outputsInN8n } from '../../../../helpers/action';

describe('the node outputs', () => {
	const cases: Array<Record<string, unknown>> = [{ operation: 'get' }];
	for (const operation of ['create', 'chain']) {
		for (const errorRouting of Object.keys(OUTPUT_TABLE.routing)) {
			for (const source of ['manual', ...SOURCE_NAMES])
				cases.push({ operation, errorRouting, source });
		}
	}

	it.each(cases)(
		'n8n evaluates the outputs expression to the names the run uses: %j',
		(parameters) => {
			const names = outputsInN8n(parameters);
			expect(names).toEqual(outputNames(OUTPUT_TABLE, parameters));
			const skipped = parameters.operation === 'create' && parameters.source !== 'manual';
			expect(names.includes('Skipped')).toBe(skipped);
		},
	);

	it('gives every documented error its own branch, in the order saved workflows connect to', () => {
		expect(BRANCH_ORDER.map((e) => e.branch)).toEqual(DOCUMENTED_ERROR_LIST.map((_, i) => i + 1));
		const perError = OUTPUT_TABLE.routing.perError;
		for (const entry of DOCUMENTED_ERROR_LIST) {
			expect(entry.branch).toBeDefined();
			expect(perError[errorOutput('perError', entry)]).toBe(entry.output);
		}
		expect(perError).toEqual([
			'Created',
			'Missing Endpoint',
			'Invalid Issue Code',
			'Invalid Provider',
			'Unknown Issue Code or Provider',
			'No Resolution',
			'Unknown User',
			'Already Being Resolved',
			'Chain Conflict',
			'Creation Failed',
			'Other',
		]);
		expect(perError[errorOutput('perError', PLATFORM_ERRORS.RATE_LIMITED)]).toBe('Other');
	});
});
