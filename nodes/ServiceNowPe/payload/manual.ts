/** Create-issue fields mapped by hand in the node's parameters. */
import type { IDataObject } from 'n8n-workflow';
import type { CreateIssueFields } from '../../shared/payload';
import type { ParameterReader } from '../parameters';

function keyValues(read: ParameterReader, name: string, i: number): Record<string, unknown> {
	const value = read(`${name}.values`, i, []);
	const rows = Array.isArray(value) ? (value as IDataObject[]) : [];
	const out: Record<string, unknown> = {};
	for (const row of rows) {
		const key = String(row.key ?? '').trim();
		if (key) Object.defineProperty(out, key, { value: row.value, enumerable: true, writable: true, configurable: true });
	}
	return out;
}

export function manualFields(read: ParameterReader, i: number): CreateIssueFields {
	const p = (name: string) => read(name, i, '');
	return {
		endpoint: { CI: p('endpointCi'), email: p('endpointEmail'), user_id: p('endpointUserId'), user_name: p('endpointUserName') },
		issue_code: p('issueCode'),
		provider: p('provider'),
		experience_id: p('experienceId'),
		input_parameters: { process_id: p('processId'), ...keyValues(read, 'additionalInputParameters', i) },
		investigative_details: {
			cpu_usage: p('cpuUsage'),
			processes_running: p('processesRunning'),
			available_memory: p('availableMemory'),
			...keyValues(read, 'additionalInvestigativeDetails', i),
		},
	};
}
