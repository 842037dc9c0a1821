/**
 * Build From "Manual Fields": one create request per item from the mapped fields. An item that
 * Skip When matches is not built at all (it goes to Skipped); Host Name can give the endpoint's CI.
 */
import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';
import { buildCreateIssueBody } from '../../../../../contract/body';
import { text } from '../../../../../contract/values';
import { manualFields, parameterReader, type ParameterReader } from '../parameters';
import type { AlertRequest } from './fromAlerts';

const SKIP_EXAMPLE = "{{ $json.NewStateValue === 'OK' }}";

/** Skip When for one item: true or false, or the node fails naming the item and the fix. */
function skips(ctx: IExecuteFunctions, read: ParameterReader, i: number): boolean {
	let value: unknown;
	try {
		value = read('skipWhen', i, false);
	} catch (e) {
		throw new NodeOperationError(
			ctx.getNode(),
			`Skip When could not be worked out for item ${i + 1}: ${(e as Error).message}`,
			{
				itemIndex: i,
				description: `Nothing was sent. Write an expression that gives true or false for every item, e.g. ${SKIP_EXAMPLE}.`,
			},
		);
	}
	if (typeof value === 'boolean') return value;
	// Nothing (a field only some items have, e.g. {{ $json.resolved }}) is not true: the item is sent.
	if (value === undefined || value === null || value === '') return false;
	const written = text(value).toLowerCase();
	if (written === 'true' || written === 'false') return written === 'true';
	throw new NodeOperationError(
		ctx.getNode(),
		`Skip When must be true or false; for item ${i + 1} it is ${JSON.stringify(value) ?? String(value)}.`,
		{
			itemIndex: i,
			description: `Nothing was sent. Write an expression that gives true or false, e.g. ${SKIP_EXAMPLE}.`,
		},
	);
}

/** One request per item from its mapped fields, or its reason to be skipped. */
export function prepareFromFields(ctx: IExecuteFunctions): AlertRequest[] {
	const read = parameterReader(ctx);
	const skipping = ctx.getNodeParameter('skipItems', 0, 'never') === 'when';
	return ctx.getInputData().map((item, i) => {
		const input = item.json as IDataObject;
		if (skipping && skips(ctx, read, i))
			return { itemIndex: i, input, skipped: 'Skip When is true for this item: it was not sent.' };
		const request: AlertRequest = {
			itemIndex: i,
			input,
			...buildCreateIssueBody(manualFields(read, i)),
		};
		if (read('resolveCiFromHost', i, false) === true) {
			const host = text(read('hostName', i, ''));
			if (host) Object.assign(request, { host, lookUpHost: true });
		}
		return request;
	});
}
