/** Create requests from monitoring payloads (Alertmanager, Grafana, Azure Monitor, Datadog). */
import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';
import { buildCreateIssueBody, type CreateIssueFields } from '../../shared/payload';
import {
	DEFAULT_LABELS,
	SourceFormatError,
	alertFields,
	extractAlerts,
	issueCodeFor,
	type IssueCodeRule,
	type LabelNames,
	type SourceName,
} from '../../shared/sources';
import { PLATFORM_ERRORS } from '../../shared/errors';
import type { Prepared } from '../actions/experienceIssue/submit';

export const SOURCE_LABELS: Record<SourceName, string> = {
	alertmanager: 'Prometheus Alertmanager',
	grafana: 'Grafana Alerting',
	azureMonitor: 'Azure Monitor',
	datadog: 'Datadog',
};

function text(v: unknown): string {
	return v === undefined || v === null ? '' : String(v).trim();
}

/** Prepared requests for one input item: one per alert it holds. */
export function preparePreset(ctx: IExecuteFunctions, source: SourceName, i: number): Array<Prepared & { host?: string }> {
	const input = ctx.getInputData()[i].json;
	let alerts;
	try {
		alerts = extractAlerts(source, input);
	} catch (e) {
		if (!(e instanceof SourceFormatError)) throw new NodeOperationError(ctx.getNode(), e as Error, { itemIndex: i });
		return [
			{
				itemIndex: i,
				input,
				refusal: { entry: PLATFORM_ERRORS.UNRECOGNISED_PAYLOAD, message: e.message, detail: `Build From is "${SOURCE_LABELS[source]}": send that source's webhook payload, or choose another Build From.` },
			},
		];
	}
	const names: LabelNames = { ...DEFAULT_LABELS };
	const labelNames = ctx.getNodeParameter('labelNames', i, {}) as IDataObject;
	// The email label's parameter is named emailLabel (n8n's rules reserve "email" for addresses).
	for (const key of Object.keys(DEFAULT_LABELS) as Array<keyof LabelNames>) {
		const value = text(labelNames[key === 'email' ? 'emailLabel' : key]);
		if (value) names[key] = value;
	}
	const overrides = ctx.getNodeParameter('overrides', i, {}) as IDataObject;
	const rulesRaw = ctx.getNodeParameter('issueCodeRules.rules', i, []) as unknown;
	const rules: IssueCodeRule[] = (Array.isArray(rulesRaw) ? (rulesRaw as IDataObject[]) : []).map((r) => ({
		field: r.match === 'label' ? text(r.label) : 'alertName',
		value: text(r.value),
		issueCode: text(r.issueCode),
	}));
	const defaultCode = text(ctx.getNodeParameter('defaultIssueCode', i, ''));
	const provider = ctx.getNodeParameter('provider', i, 'sn');
	const includeResolved = ctx.getNodeParameter('includeResolved', i, false) as boolean;
	const fingerprintAsId = ctx.getNodeParameter('fingerprintAsExperienceId', i, false) as boolean;

	return alerts.map((alert, n) => {
		const f = alertFields(alert, names);
		const pick = (override: string, fromAlert: string) => text(overrides[override]) || fromAlert;
		const code = issueCodeFor(alert, rules, { fromLabel: f.issue_code, defaultCode });
		const context: IDataObject = {
			alert: { source, index: n, name: alert.name, status: alert.status, host: alert.host, fingerprint: alert.fingerprint, issueCodeFrom: code.how },
		};
		if (alert.status === 'resolved' && !includeResolved) {
			return { itemIndex: i, input, context, skipped: 'The alert is resolved (turn on Include Resolved Alerts to send it).' };
		}
		const fields: CreateIssueFields = {
			endpoint: {
				CI: pick('endpointCi', f.ci),
				email: pick('endpointEmail', f.email),
				user_id: pick('endpointUserId', f.user_id),
				user_name: pick('endpointUserName', f.user_name),
			},
			issue_code: code.issueCode,
			provider,
			experience_id: fingerprintAsId ? alert.fingerprint : '',
			input_parameters: { process_id: pick('processId', f.process_id) },
			investigative_details: {
				cpu_usage: pick('cpuUsage', f.cpu_usage),
				available_memory: pick('availableMemory', f.available_memory),
				processes_running: pick('processesRunning', f.processes_running),
			},
		};
		const host = pick('host', f.host);
		const { body, problems } = buildCreateIssueBody(fields);
		// An alert without an issue code says which alert, and how to give it one.
		const named = problems.map((p) =>
			p.code === 'ISSUE_CODE_EMPTY'
				? { ...p, message: `Alert "${alert.name}" matched no issue code rule, has no "${names.issueCode}" label, and no Default Issue Code is set: add a rule or a default.` }
				: p.code === 'ENDPOINT_MISSING'
					? { ...p, message: `Alert "${alert.name}" names no user or device: set a "${names.user}" label, an override, or turn on Resolve CI From Host Name (host: "${host || 'none'}").` }
					: p,
		);
		return { itemIndex: i, input, context, body, problems: named, host };
	});
}
