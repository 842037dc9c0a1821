/**
 * Datadog webhook: the default payload (`title`, `body`, `event_type`, `date`, `id`, `org`) or a
 * custom one with the documented variables ($ALERT_TRANSITION, $HOSTNAME, $TAGS, $ALERT_ID,
 * $ALERT_SCOPE, $ALERT_METRIC, $LINK, …). The default payload says what happened only in the title:
 * `[P1] [Recovered on {host:web-01}] High CPU` — priority, transition and scope, then the monitor.
 */
import { isPlainObject, setOwn, text } from '../../../contract/values';
import {
	SourceFormatError,
	hostName,
	isoFromEpochMs,
	type MonitoringSource,
	type NormalisedAlert,
} from './types';

/** "env:prod, user:abel.tuter, host:web-01" → {env: "prod", user: "abel.tuter", host: "web-01"} */
export function parseTags(tags: unknown): Record<string, string> {
	const list = Array.isArray(tags) ? tags.map(text) : text(tags).split(',');
	const out: Record<string, string> = {};
	for (const tag of list.map((t) => t.trim()).filter(Boolean)) {
		const at = tag.indexOf(':');
		setOwn(out, at < 0 ? tag : tag.slice(0, at), at < 0 ? 'true' : tag.slice(at + 1));
	}
	return out;
}

const TITLE =
	/^\s*(?:\[(P\d)\]\s*)?\[(Triggered|Recovered|Re-Triggered|Warn|Re-Warn|No Data|Re-No Data|Renotify)(?: on \{([^}]*)\})?\]\s*/i;

/** The title's decorations and the monitor name they wrap. */
export function parseTitle(title: string): {
	priority: string;
	transition: string;
	scope: string;
	name: string;
} {
	const m = TITLE.exec(title);
	if (!m) return { priority: '', transition: '', scope: '', name: title.trim() };
	return {
		priority: m[1] ?? '',
		transition: m[2],
		scope: m[3] ?? '',
		name: title.slice(m[0].length).trim(),
	};
}

/** The first field present, in the documented name first, then names seen in real templates. */
function field(payload: Record<string, unknown>, ...names: string[]): string {
	for (const name of names)
		if (payload[name] !== undefined && payload[name] !== null) return text(payload[name]);
	return '';
}

/** $ALERT_TRANSITION's documented values, and "Resolved", which extraction also reads as a recovery. */
const TRANSITIONS =
	/^(Triggered|Recovered|Resolved|Re-Triggered|Warn|Re-Warn|No Data|Re-No Data|Renotify)$/i;

/**
 * Keys of a custom payload that name what the alert is: $ALERT_ID (the monitor), $AGGREG_KEY,
 * $ALERT_CYCLE_KEY, or $ID (the event, as the default payload names it).
 */
const IDENTIFIERS = ['alert_id', 'aggreg_key', 'alert_cycle_key', 'id', 'event_id'];

/**
 * Datadog's own variables under their snake_case names ($ALERT_TITLE → alert_title, …): keys no
 * other vendor's payload has. $HOSTNAME and $TAGS count once and only together: a host name or
 * tags alone are in any vendor's template.
 */
const VARIABLES: Array<string | [string, string]> = [
	'alert_title',
	'alert_type',
	'alert_transition',
	'alert_status',
	'alert_metric',
	'alert_scope',
	'alert_query',
	'alert_priority',
	'event_title',
	'event_msg',
	'text_only_msg',
	'org_id',
	'org_name',
	['hostname', 'tags'],
];

const has = (payload: Record<string, unknown>, key: string) =>
	Object.hasOwn(payload, key) && payload[key] !== undefined && payload[key] !== null;

/**
 * Datadog's own marks, which no other vendor sends: a title decorated as Datadog decorates
 * $EVENT_TITLE (`[Triggered on {host:web-01}] …`), a $ALERT_TRANSITION value, the default
 * payload's `event_type` with its `org` object and `last_updated`, or a custom payload of
 * Datadog's variables: an identifier ($ALERT_ID, $AGGREG_KEY, $ALERT_CYCLE_KEY, $ID) and two more of
 * them ($ALERT_TITLE arrives as the template puts it, often undecorated). A title or an `event_type`
 * alone is no mark: New Relic, Grafana and others send those too.
 */
export function isDatadogPayload(payload: Record<string, unknown>): boolean {
	if (
		['title', 'event_title', 'alert_title'].some(
			(k) => typeof payload[k] === 'string' && TITLE.test(payload[k] as string),
		)
	)
		return true;
	if (
		['alert_transition', 'transition'].some(
			(k) => typeof payload[k] === 'string' && TRANSITIONS.test((payload[k] as string).trim()),
		)
	)
		return true;
	const org = payload.org;
	if (
		typeof payload.event_type === 'string' &&
		isPlainObject(org) &&
		'id' in org &&
		'last_updated' in payload
	)
		return true;
	const variables = VARIABLES.filter((v) =>
		typeof v === 'string' ? has(payload, v) : v.every((k) => has(payload, k)),
	).length;
	return IDENTIFIERS.some((k) => has(payload, k)) && variables >= 2;
}

function extract(payload: Record<string, unknown>): NormalisedAlert[] {
	if (!isDatadogPayload(payload))
		throw new SourceFormatError(
			`The item is not a Datadog webhook payload: expected ${datadog.expects}.`,
		);
	const title = parseTitle(field(payload, 'title', 'event_title', 'alert_title'));
	const transition = (
		field(payload, 'alert_transition', 'transition') || title.transition
	).toLowerCase();
	const alertType = field(payload, 'alert_type', 'type').toLowerCase();
	const resolved =
		transition === 'recovered' ||
		transition === 'resolved' ||
		(!transition && alertType === 'success');
	const scope = parseTags(field(payload, 'alert_scope') || title.scope);
	const labels = parseTags(payload.tags ?? payload.event_tags);
	for (const [k, v] of Object.entries(scope)) if (!(k in labels)) setOwn(labels, k, v);
	const host = field(payload, 'hostname', 'host_name', 'host') || scope.host || labels.host || '';
	const monitor = field(payload, 'alert_id', 'aggreg_key') || title.name;
	return [
		{
			source: 'datadog',
			name: title.name || parseTitle(field(payload, 'alert_title')).name,
			status: resolved ? 'resolved' : 'firing',
			host: hostName(host),
			labels,
			annotations: {
				body: field(payload, 'body', 'msg', 'event_msg'),
				event_type: field(payload, 'event_type'),
				priority: field(payload, 'alert_priority', 'priority') || title.priority,
			},
			// Datadog's variables carry no measured value (only $ALERT_METRIC's name): tags and overrides give them.
			metrics: [],
			// One monitor alerts once per group (host): both make the identity.
			fingerprint: `${monitor}|${field(payload, 'alert_scope') || title.scope || host}`,
			context: {
				summary: field(payload, 'alert_status'),
				description: field(payload, 'text_only_msg', 'body', 'msg', 'event_msg').replace(
					/^%%%\s*|\s*%%%$/g,
					'',
				),
				severity: field(payload, 'alert_priority') || title.priority || alertType,
				startedAt: isoFromEpochMs(field(payload, 'date', 'last_updated')),
				links: { source: field(payload, 'link'), image: field(payload, 'snapshot') },
			},
		},
	];
}

export const datadog = {
	name: 'datadog',
	label: 'Datadog',
	description:
		'Datadog webhook, default payload or a custom one with $ALERT_ID, $HOSTNAME, $TAGS, $ALERT_TRANSITION…',
	what: 'a Datadog webhook payload',
	expects:
		'"title": "$EVENT_TITLE" (which Datadog decorates as "[Triggered on {host:…}] …"), "alert_transition": "$ALERT_TRANSITION", the default payload\'s "event_type", "org" and "last_updated", or "alert_id": "$ALERT_ID" (or "aggreg_key", "id") with two more of Datadog\'s variables ("alert_title", "alert_type", "alert_status", "alert_metric", "alert_scope", "hostname" with "tags", …)',
	looksLike: isDatadogPayload,
	extract,
} as const satisfies MonitoringSource;
