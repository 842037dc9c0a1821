/**
 * Build From a monitoring source: one create request per alert of an item. Everything that can be
 * checked is checked here, before anything is sent: an alert that cannot be sent goes to its
 * branch with a message naming the alert, the field and the fix, never failing its siblings.
 */
import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';
import { buildCreateIssueBody, type CreateIssueFields } from '../../../../../contract/body';
import { brokenValueNote, wellFormed } from '../../../../../contract/encodedQuery';
import { PLATFORM_ERRORS } from '../../../../../contract/errors';
import { isPlainObject, setOwn, text } from '../../../../../contract/values';
import { extractAlerts } from '../../../sources';
import {
	CONTEXT_PARTS,
	DEFAULT_LABELS,
	DEFAULT_METRIC_RULES,
	alertContextDetails,
	alertFields,
	alertValues,
	issueCodeFor,
	type ContextPart,
	type IssueCodeRule,
	type LabelNames,
	type MetricRule,
} from '../../../sources/fields';
import {
	NoAlertsMessage,
	SourceFormatError,
	type MonitoringSource,
	type NormalisedAlert,
	type UnreadableAlert,
} from '../../../sources/types';
import type { Prepared } from '../interfaces';

/** A prepared request that also knows its alert, for the CMDB lookup and the messages. */
export type AlertRequest = Prepared & {
	alert?: NormalisedAlert;
	host?: string;
	labelNames?: LabelNames;
};

const DETAIL_OVERRIDES: Array<[string, string]> = [
	['cpuUsage', 'cpu_usage'],
	['memoryUsage', 'memory_usage'],
	['availableMemory', 'available_memory'],
	['processesRunning', 'processes_running'],
];

function rows(ctx: IExecuteFunctions, name: string, i: number): IDataObject[] {
	const value = ctx.getNodeParameter(name, i, []) as unknown;
	return Array.isArray(value) ? (value as IDataObject[]) : [];
}

/**
 * The input an alert's output item shows: the item itself, but with only this alert in a group's
 * `alerts[]` (or the list of entities or targets it was made from), so a notification of N alerts
 * gives N outputs of one alert each, not N copies of N. The list is looked for in the item, in its
 * `body`, and in the `data` of either (a CloudEvent).
 */
function inputOf(item: IDataObject, entry: number | undefined, key = 'alerts'): IDataObject {
	if (entry === undefined) return item;
	const trimmed = (holder: unknown): IDataObject | undefined => {
		if (!isPlainObject(holder)) return undefined;
		const list = holder[key];
		if (Array.isArray(list) && entry < list.length)
			return { ...holder, [key]: [list[entry]] } as IDataObject;
		const data = trimmed(holder.data);
		return data ? ({ ...holder, data } as IDataObject) : undefined;
	};
	const own = trimmed(item);
	if (own) return own;
	const body = isPlainObject(item.body) ? trimmed(item.body) : undefined;
	return body ? { ...item, body } : item;
}

/** Prepared requests for one input item: one per alert it holds. */
export function prepareFromAlerts(
	ctx: IExecuteFunctions,
	source: MonitoringSource,
	i: number,
): AlertRequest[] {
	const input = ctx.getInputData()[i].json;
	let alerts: Array<NormalisedAlert | UnreadableAlert>;
	try {
		alerts = extractAlerts(source, input, {
			valueRefId: text(ctx.getNodeParameter('grafanaValueRefId', i, '')),
		});
	} catch (e) {
		// A message that holds no alert (an SNS subscription confirmation): Skipped, saying what to do.
		if (e instanceof NoAlertsMessage)
			return [
				{
					itemIndex: i,
					input,
					fromAlert: true,
					context: { notification: { ...e.details } },
					skipped: e.message,
				},
			];
		if (!(e instanceof SourceFormatError))
			throw new NodeOperationError(ctx.getNode(), e as Error, { itemIndex: i });
		return [
			{
				itemIndex: i,
				input,
				fromAlert: true,
				refusal: {
					entry: PLATFORM_ERRORS.UNRECOGNISED_PAYLOAD,
					message: e.message,
					detail: `Build From is "${source.label}": send that source's webhook payload, or choose another Build From.`,
				},
			},
		];
	}
	if (alerts.length === 0) {
		return [{ itemIndex: i, input, fromAlert: true, skipped: 'The notification holds no alerts.' }];
	}
	const names: LabelNames = { ...DEFAULT_LABELS };
	const labelNames = ctx.getNodeParameter('labelNames', i, {}) as IDataObject;
	// The email label's parameter is named emailLabel (n8n's rules reserve "email" for addresses).
	for (const key of Object.keys(DEFAULT_LABELS) as Array<keyof LabelNames>) {
		const value = text(labelNames[key === 'email' ? 'emailLabel' : key]);
		if (value) names[key] = value;
	}
	const overrides = ctx.getNodeParameter('overrides', i, {}) as IDataObject;
	const rules: IssueCodeRule[] = rows(ctx, 'issueCodeRules.rules', i).map((r) => ({
		field: r.match === 'label' ? text(r.label) : 'alertName',
		value: text(r.value),
		issueCode: text(r.issueCode),
	}));
	const metricRules: MetricRule[] = [
		...rows(ctx, 'metricNames.rules', i)
			.map((r) => ({ match: text(r.match), detail: text(r.detail) }))
			.filter((r) => r.match && r.detail),
		...DEFAULT_METRIC_RULES,
	];
	const contextParts = (
		ctx.getNodeParameter('alertContext', i, [...CONTEXT_PARTS]) as string[]
	).filter((p): p is ContextPart => (CONTEXT_PARTS as readonly string[]).includes(p));
	const defaultCode = text(ctx.getNodeParameter('defaultIssueCode', i, ''));
	const provider = ctx.getNodeParameter('provider', i, 'sn', { extractValue: true });
	const includeResolved = ctx.getNodeParameter('includeResolved', i, false) as boolean;
	const lookUpHost = ctx.getNodeParameter('resolveCiFromHost', i, false) as boolean;

	return alerts.map((alert, n) => {
		if ('unreadable' in alert) {
			return {
				itemIndex: i,
				input: inputOf(input, alert.entry, 'alerts'),
				fromAlert: true,
				context: { alert: { source: source.name, index: n } },
				refusal: {
					entry: PLATFORM_ERRORS.UNRECOGNISED_PAYLOAD,
					message: alert.unreadable,
					detail: 'Fix the entry in the monitoring system; its siblings were read as usual.',
				},
			};
		}
		const alertInput = inputOf(input, alert.entry, alert.entryIn);
		const f = alertFields(alert, names);
		const pick = (override: string, fromAlert: string) => text(overrides[override]) || fromAlert;
		const code = issueCodeFor(alert, rules, { fromLabel: f.issue_code, defaultCode });
		const context: IDataObject = {
			alert: {
				source: source.name,
				index: n,
				name: alert.name,
				status: alert.status,
				host: alert.host,
				...(alert.resource ? { resource: { ...alert.resource } } : {}),
				fingerprint: alert.fingerprint,
				issueCodeFrom: code.how,
			},
		};
		if (alert.ignored) {
			return { itemIndex: i, input: alertInput, context, fromAlert: true, skipped: alert.ignored };
		}
		if (alert.status === 'resolved' && !includeResolved) {
			return {
				itemIndex: i,
				input: alertInput,
				context,
				fromAlert: true,
				skipped: 'The alert is resolved (turn on Include Resolved Alerts to send it).',
			};
		}
		const details: Record<string, unknown> = { ...alertValues(alert, metricRules) };
		for (const [override, key] of DETAIL_OVERRIDES)
			if (text(overrides[override])) setOwn(details, key, text(overrides[override]));
		const used = Object.values(details).reduce<number>((sum, v) => sum + String(v).length, 0);
		for (const [key, value] of Object.entries(alertContextDetails(alert, contextParts, used)))
			if (!Object.hasOwn(details, key)) setOwn(details, key, value);
		const fields: CreateIssueFields = {
			endpoint: {
				CI: pick('endpointCi', f.ci),
				email: pick('endpointEmail', f.email),
				user_id: pick('endpointUserId', f.user_id),
				user_name: pick('endpointUserName', f.user_name),
			},
			issue_code: code.issueCode,
			provider,
			experience_id: text(overrides.experienceId),
			input_parameters: { process_id: pick('processId', f.process_id) },
			investigative_details: details,
		};
		const { body, problems } = buildCreateIssueBody(fields);
		return {
			itemIndex: i,
			input: alertInput,
			context,
			fromAlert: true,
			body,
			problems,
			alert,
			host: pick('host', f.host),
			lookUpHost,
			labelNames: names,
		};
	});
}

/** Problems of alerts in words that name the alert, the field and the fix. */
export function explainProblems(ctx: IExecuteFunctions, requests: AlertRequest[]): void {
	for (const p of requests) {
		if (!p.alert || !p.problems?.length) continue;
		const { alert, host = '', labelNames = DEFAULT_LABELS } = p;
		const lookedUp = ctx.getNodeParameter('resolveCiFromHost', p.itemIndex, false) as boolean;
		p.problems = p.problems.map((problem) => {
			if (problem.code === 'ISSUE_CODE_EMPTY') {
				return {
					...problem,
					message: `Alert "${alert.name}" matched no issue code rule, has no "${labelNames.issueCode}" label, and no Default Issue Code is set: add a rule or a default.`,
				};
			}
			if (problem.code !== 'ENDPOINT_MISSING') return problem;
			const noUser = `Alert "${alert.name}" names no user or device (no "${labelNames.user}", "${labelNames.email}", "${labelNames.userId}" or "${labelNames.ci}" label)`;
			// An alert about a storage account, a workspace or a budget: no computer to look up.
			const fix =
				alert.resource && !host
					? `it is about "${alert.resource.name}", ${alert.resource.kind}, not a computer, so it is not looked up in cmdb_ci_computer: set one of those labels (Azure: a custom property of the action group or rule; rename them under Label Names), an Endpoint override, or a Host Name override naming the user's computer.`
					: !lookedUp
						? `set one of those labels (or rename them under Label Names), an Endpoint override, or turn on Resolve CI From Host Name (host: "${host || 'none'}").`
						: host && wellFormed(host) !== host
							? `no cmdb_ci_computer record is named "${host}".${brokenValueNote(host)}`
							: host
								? `no cmdb_ci_computer record is named "${host}": add the device to the CMDB under that name, set one of those labels, or an Endpoint override.`
								: 'and it has no host to look up in the CMDB: set one of those labels, an Endpoint override, or a Host Name override.';
			return { ...problem, message: `${noUser}: ${fix}` };
		});
	}
}

/**
 * The identity one issue stands for: provider, issue code, and the user as the alert names it (else
 * the device): the instance keeps one issue per user and issue code, whatever device it is on.
 */
function issueKey(p: AlertRequest): string | undefined {
	if (!p.body || p.skipped || p.refusal || p.problems?.length) return undefined;
	const { endpoint } = p.body;
	const who = endpoint.user_id
		? `id=${endpoint.user_id}`
		: endpoint.user_name
			? `name=${endpoint.user_name}`
			: endpoint.email
				? `email=${endpoint.email}`
				: `ci=${endpoint.CI}`;
	return JSON.stringify([
		p.body.provider,
		p.body.issue_code,
		who.toLowerCase(),
		p.body.experience_id ?? '',
	]);
}

/**
 * One issue per user and issue code within a notification: a later alert of the same item for the
 * same endpoint and issue code is not sent; it ends where the first one does.
 */
export function markRepeats(requests: AlertRequest[]): void {
	const first = new Map<string, AlertRequest>();
	for (const p of requests) {
		const key = issueKey(p);
		if (key === undefined) continue;
		const scoped = `${p.itemIndex}\u0000${key}`;
		const leader = first.get(scoped);
		if (leader) p.sameIssueAs = leader;
		else first.set(scoped, p);
	}
}
