/** Create-issue fields mapped by hand in the node's parameters. */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import type { CreateIssueFields } from '../../shared/payload';

function keyValues(ctx: IExecuteFunctions, name: string, i: number): Record<string, unknown> {
	const value = ctx.getNodeParameter(`${name}.values`, i, []) as unknown;
	const rows = Array.isArray(value) ? (value as IDataObject[]) : [];
	const out: Record<string, unknown> = {};
	for (const row of rows) {
		const key = String(row.key ?? '').trim();
		if (key) Object.defineProperty(out, key, { value: row.value, enumerable: true, writable: true, configurable: true });
	}
	return out;
}

export function manualFields(ctx: IExecuteFunctions, i: number): CreateIssueFields {
	const p = (name: string) => ctx.getNodeParameter(name, i, '') as unknown;
	return {
		endpoint: { CI: p('endpointCi'), email: p('endpointEmail'), user_id: p('endpointUserId'), user_name: p('endpointUserName') },
		issue_code: p('issueCode'),
		provider: p('provider'),
		experience_id: p('experienceId'),
		input_parameters: { process_id: p('processId'), ...keyValues(ctx, 'additionalInputParameters', i) },
		investigative_details: {
			cpu_usage: p('cpuUsage'),
			processes_running: p('processesRunning'),
			available_memory: p('availableMemory'),
			...keyValues(ctx, 'additionalInvestigativeDetails', i),
		},
	};
}
