import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';
import { TABLES } from '../../../shared/api';
import { PLATFORM_ERRORS } from '../../../shared/errors';
import { buildCreateIssueBody } from '../../../shared/payload';
import type { SourceName } from '../../../shared/sources';
import { manualFields } from '../../payload/manual';
import { parameterReader } from '../../parameters';
import { preparePreset, SOURCE_LABELS } from '../../payload/presets';
import type { ErrorRouting } from '../../routing';
import { apiRequest, connectionFor, type Connection, type CredentialType } from '../../transport/request';
import { detailFields, endpointFields, providerField } from './fields';
import { readSubmitOptions, submitAll, type Prepared, type SubmitOptions } from './submit';

const create = { resource: ['experienceIssue'], operation: ['create'] };
const manual = { show: { ...create, source: ['manual'] } };
const preset = { show: { ...create, source: ['alertmanager', 'grafana', 'azureMonitor', 'datadog'] } };

export const description: INodeProperties[] = [
	{
		displayName: 'Build From',
		name: 'source',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: create },
		options: [
			{ name: 'Manual Fields', value: 'manual', description: 'Map each body field yourself' },
			...(Object.entries(SOURCE_LABELS) as Array<[SourceName, string]>).map(([value, name]) => ({
				name,
				value,
				description:
					value === 'alertmanager'
						? 'Alertmanager webhook (version 4): one issue per firing alert'
						: value === 'grafana'
							? 'Grafana unified alerting webhook: one issue per firing alert'
							: value === 'azureMonitor'
								? 'Azure Monitor alert in the common alert schema'
								: 'Datadog webhook payload (default, plus $HOSTNAME and $TAGS)',
			})),
		],
		default: 'manual',
	},
	...endpointFields(manual),
	{
		displayName: 'Issue Code',
		name: 'issueCode',
		type: 'string',
		default: '',
		required: true,
		displayOptions: manual,
		description: 'Issue code registered and deployed in the Issue Registry (sn_pren_issue_registry), e.g. 100',
	},
	providerField({ show: create }),
	{
		displayName: 'Experience ID',
		name: 'experienceId',
		type: 'string',
		default: '',
		displayOptions: manual,
		description:
			"Your own ID for the issue (empty: the instance uses the new record's sys_id). An existing ID whose issue waits in action_wait chains the new issue code onto it.",
	},
	...detailFields(manual),
	{
		displayName: 'Issue Code Rules',
		name: 'issueCodeRules',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		placeholder: 'Add Rule',
		default: {},
		displayOptions: preset,
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
						options: [
							{ name: 'Alert Name', value: 'alertName' },
							{ name: 'Label Value', value: 'label' },
						],
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
		displayOptions: preset,
		description: 'Issue code of alerts no rule matches. Empty: such alerts go to the Invalid Issue Code branch.',
	},
	{
		displayName: 'Include Resolved Alerts',
		name: 'includeResolved',
		type: 'boolean',
		default: false,
		displayOptions: preset,
		description: 'Whether to send resolved alerts too (off: they go to the Skipped output)',
	},
	{
		displayName: 'Resolve CI From Host Name',
		name: 'resolveCiFromHost',
		type: 'boolean',
		default: false,
		displayOptions: preset,
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
		displayOptions: { show: { ...preset.show, resolveCiFromHost: [true] } },
	},
	{
		displayName: 'Use Alert Fingerprint as Experience ID',
		name: 'fingerprintAsExperienceId',
		type: 'boolean',
		default: false,
		displayOptions: preset,
		description: 'Whether to send the alert fingerprint (Azure: alert ID) as experience_id, so a retried alert is recognised',
	},
	{
		displayName: 'Label Names',
		name: 'labelNames',
		type: 'collection',
		placeholder: 'Add Label Name',
		default: {},
		displayOptions: preset,
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
		displayOptions: preset,
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

/** Looks hosts up in cmdb_ci_computer, each once per execution. */
async function resolveCis(
	ctx: IExecuteFunctions,
	connection: Connection,
	prepared: Array<Prepared & { host?: string }>,
	options: SubmitOptions,
): Promise<void> {
	const cache = new Map<string, Promise<string | undefined>>();
	const lookup = (host: string) => {
		let found = cache.get(host.toLowerCase());
		if (!found) {
			found = apiRequest(
				ctx,
				connection,
				{
					method: 'GET',
					path: `/api/now/table/${TABLES.computer}`,
					qs: { sysparm_query: `name=${host}`, sysparm_fields: 'sys_id,name', sysparm_limit: 1 },
					format: 'json',
					timeoutMs: options.timeoutMs,
				},
				options.policy,
			).then((r) => {
				const rows = (r.data as { result?: Array<{ sys_id?: string }> } | undefined)?.result;
				if (r.status !== 200) {
					throw new NodeOperationError(ctx.getNode(), `Looking up the CI of host "${host}" failed (HTTP ${r.status}).`, {
						description: 'The CMDB lookup reads cmdb_ci_computer through the Table API: the user needs read access to it.',
					});
				}
				return Array.isArray(rows) && rows[0]?.sys_id ? rows[0].sys_id : undefined;
			});
			cache.set(host.toLowerCase(), found);
		}
		return found;
	};
	for (const p of prepared) {
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

export async function execute(this: IExecuteFunctions, credentialType: CredentialType): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const routing = this.getNodeParameter('errorRouting', 0, 'perError') as ErrorRouting;
	const source = this.getNodeParameter('source', 0, 'manual') as 'manual' | SourceName;
	const options = readSubmitOptions(this);
	const connection = await connectionFor(this, credentialType);
	let prepared: Array<Prepared & { host?: string }>;
	if (source === 'manual') {
		const read = parameterReader(this);
		prepared = items.map((item, i) => ({ itemIndex: i, input: item.json as IDataObject, ...buildCreateIssueBody(manualFields(read, i)) }));
	} else {
		prepared = items.flatMap((_, i) => preparePreset(this, source, i));
		// CI lookups only read, so a dry run does them too and shows the exact body.
		await resolveCis(this, connection, prepared, options);
	}
	return submitAll(this, connection, prepared, options, { routing, skippedOutput: source !== 'manual' });
}
