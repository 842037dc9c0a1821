/** Build From a monitoring source: its parameters, and one create request per alert of an item. */
import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';
import { buildCreateIssueBody, type CreateIssueFields } from '../../../../contract/body';
import { PLATFORM_ERRORS } from '../../../../contract/errors';
import { text } from '../../../../contract/values';
import { DEFAULT_LABELS, alertFields, issueCodeFor, type IssueCodeRule, type LabelNames } from '../../sources/fields';
import { extractAlerts } from '../../sources';
import { SourceFormatError, type MonitoringSource } from '../../sources/types';
import { findComputer } from '../../transport/tableApi';
import type { Connection } from '../../transport/request';
import type { Prepared, SendOptions } from '../interfaces';

/** Parameters of every monitoring source (shown when Build From is one). */
export const alertProperties: INodeProperties[] = [
	{
		displayName: 'Issue Code Rules',
		name: 'issueCodeRules',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		placeholder: 'Add Rule',
		default: {},
		description: 'The first rule that matches an alert gives its issue code; then the alert\'s issue code label; then the default',
		options: [
			{
				displayName: 'Rule',
				name: 'rules',
				values: [
					{
						displayName: 'Match',
						name: 'match',
						type: 'options',
						options: [{ name: 'Alert Name', value: 'alertName' }, { name: 'Label Value', value: 'label' }],
						default: 'alertName',
					},
					{
						displayName: 'Label',
						name: 'label',
						type: 'string',
						default: '',
						placeholder: 'severity',
						displayOptions: { show: { match: ['label'] } },
					},
					{
						displayName: 'Value',
						name: 'value',
						type: 'string',
						default: '',
						placeholder: 'HighCpuUsage or /cpu|load/',
						description: 'Exact value (any case), or a /regular expression/',
					},
					{ displayName: 'Issue Code', name: 'issueCode', type: 'string', default: '' },
				],
			},
		],
	},
	{
		displayName: 'Default Issue Code',
		name: 'defaultIssueCode',
		type: 'string',
		default: '',
		description: 'Issue code of alerts no rule matches. Empty: such alerts go to the Invalid Issue Code branch.',
	},
	{
		displayName: 'Include Resolved Alerts',
		name: 'includeResolved',
		type: 'boolean',
		default: false,
		description: 'Whether to send resolved alerts too (off: they go to the Skipped output)',
	},
	{
		displayName: 'Resolve CI From Host Name',
		name: 'resolveCiFromHost',
		type: 'boolean',
		default: false,
		description: "Whether to look the alert's host up in cmdb_ci_computer by name and send its sys_id as endpoint.CI",
	},
	{
		displayName: 'When No CI Has the Host Name',
		name: 'ciNotFound',
		type: 'options',
		options: [
			{ name: 'Continue Without CI', value: 'continue' },
			{ name: 'Route as Failed', value: 'fail', description: 'The alert goes to Other (Failed when grouped) with code CI_NOT_FOUND' },
		],
		default: 'continue',
		displayOptions: { show: { resolveCiFromHost: [true] } },
	},
	{
		displayName: 'Use Alert Fingerprint as Experience ID',
		name: 'fingerprintAsExperienceId',
		type: 'boolean',
		default: false,
		description: 'Whether to send the alert fingerprint (Azure: alert ID) as experience_id, so a retried alert is recognised',
	},
	{
		displayName: 'Label Names',
		name: 'labelNames',
		type: 'collection',
		placeholder: 'Add Label Name',
		default: {},
		description: 'Labels (Datadog: tags, Azure: custom properties or dimensions) holding each value',
		options: [
			{ displayName: 'CI Sys_id Label', name: 'ci', type: 'string', default: 'ci_sys_id' },
			{ displayName: 'Email Label', name: 'emailLabel', type: 'string', default: 'email' },
			{ displayName: 'Issue Code Label', name: 'issueCode', type: 'string', default: 'issue_code' },
			{ displayName: 'Process ID Label', name: 'processId', type: 'string', default: 'process_id' },
			{ displayName: 'User ID Label', name: 'userId', type: 'string', default: 'user_id' },
			{ displayName: 'User Name Label', name: 'user', type: 'string', default: 'user' },
		],
	},
	{
		displayName: 'Overrides',
		name: 'overrides',
		type: 'collection',
		placeholder: 'Add Override',
		default: {},
		description: 'Values (usually expressions) that replace what the preset reads from the alert, for every alert of the item',
		options: [
			{ displayName: 'Available Memory', name: 'availableMemory', type: 'string', default: '' },
			{ displayName: 'CPU Usage', name: 'cpuUsage', type: 'string', default: '' },
			{ displayName: 'Endpoint CI', name: 'endpointCi', type: 'string', default: '' },
			{ displayName: 'Endpoint Email', name: 'endpointEmail', type: 'string', placeholder: 'name@email.com', default: '' },
			{ displayName: 'Endpoint User ID', name: 'endpointUserId', type: 'string', default: '' },
			{ displayName: 'Endpoint User Name', name: 'endpointUserName', type: 'string', default: '' },
			{ displayName: 'Host Name', name: 'host', type: 'string', default: '' },
			{ displayName: 'Process ID', name: 'processId', type: 'string', default: '' },
			{ displayName: 'Processes Running', name: 'processesRunning', type: 'string', default: '' },
		],
	},
];

/** A prepared request that also knows the alert's host, for the CMDB lookup. */
export type AlertRequest = Prepared & { host?: string };

/** Prepared requests for one input item: one per alert it holds. */
export function prepareFromAlerts(ctx: IExecuteFunctions, source: MonitoringSource, i: number): AlertRequest[] {
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
				refusal: { entry: PLATFORM_ERRORS.UNRECOGNISED_PAYLOAD, message: e.message, detail: `Build From is "${source.label}": send that source's webhook payload, or choose another Build From.` },
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
			alert: { source: source.name, index: n, name: alert.name, status: alert.status, host: alert.host, fingerprint: alert.fingerprint, issueCodeFrom: code.how },
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

/** Looks hosts up in cmdb_ci_computer, each once per execution, and puts the CI in the endpoint. */
export async function resolveCis(
	ctx: IExecuteFunctions,
	connection: Connection,
	requests: AlertRequest[],
	options: SendOptions,
): Promise<void> {
	const cache = new Map<string, Promise<string | undefined>>();
	const lookup = (host: string) => {
		let found = cache.get(host.toLowerCase());
		if (!found) {
			found = findComputer(ctx, connection, host, options).then(({ sysId, result }) => {
				if (result.status !== 200) {
					throw new NodeOperationError(ctx.getNode(), `Looking up the CI of host "${host}" failed (HTTP ${result.status}).`, {
						description: 'The CMDB lookup reads cmdb_ci_computer through the Table API: the user needs read access to it.',
					});
				}
				return sysId;
			});
			cache.set(host.toLowerCase(), found);
		}
		return found;
	};
	for (const p of requests) {
		const i = p.itemIndex;
		if (!p.body || p.skipped || p.refusal || p.body.endpoint.CI || !p.host) continue;
		if (!(ctx.getNodeParameter('resolveCiFromHost', i, false) as boolean)) continue;
		const ci = await lookup(p.host);
		if (ci) {
			p.body.endpoint.CI = ci;
			p.problems = p.problems?.filter((x) => x.code !== 'ENDPOINT_MISSING');
			p.context = { ...p.context, ciResolvedFromHost: p.host };
		} else if (ctx.getNodeParameter('ciNotFound', i, 'continue') === 'fail') {
			p.refusal = {
				entry: PLATFORM_ERRORS.CI_NOT_FOUND,
				message: `No cmdb_ci_computer record is named "${p.host}".`,
				detail: 'Add the device to the CMDB, fix the host label, or choose "Continue Without CI".',
				field: 'endpoint.CI',
			};
		} else {
			p.context = { ...p.context, ciNotFoundForHost: p.host };
		}
	}
}
