/**
 * Zabbix webhook media types. A media type posts what its script builds from its parameters
 * (macros resolved to text). Read, in this order:
 * - the parameter set docs/sources.md defines (`event_id` = {EVENT.ID}, `event_value` = {EVENT.VALUE},
 *   `host_name` = {HOST.NAME}, `trigger_name`, `item_lastvalue`, `event_tags` = {EVENT.TAGSJSON}…),
 *   also named after the macros themselves (`EVENT.ID`, `HOST.NAME`…), and what Zabbix's own
 *   media types post under the same names (Event-Driven Ansible: numbers, tags as an object);
 * - the short set many integrations use (`hostname`, `status` = {TRIGGER.STATUS}, `severity`,
 *   `trigger`, `item`, `link`);
 * - the manual's new-media-type parameters (`Subject`, `Message`) with Zabbix's default message
 *   templates ("Problem started at …", "Host: …", "Original problem ID: …").
 */
import { isPlainObject, setOwn, text } from '../../../contract/values';
import {
	SourceFormatError,
	hostName,
	type AlertMetric,
	type MonitoringSource,
	type NormalisedAlert,
} from './types';

/** Zabbix's event page link, and the last line but one of its default message templates. */
const ZABBIX_TEXT = [/\/tr_events\.php\?triggerid=\d+&eventid=\d+/, /\nOriginal problem ID: \d+\n/];

const EVENT_LINK = /^https?:\/\/\S+\/tr_events\.php\?triggerid=\d+&eventid=\d+/;

/** Zabbix's event link in a text: each URL-like word tried once (no backtracking across them). */
function eventLinkIn(value: string): string | undefined {
	for (const [word] of value.matchAll(/https?:\/\/\S+/g)) {
		const link = EVENT_LINK.exec(word)?.[0];
		if (link) return link;
	}
	return undefined;
}

/** Keys as the parameter set names them: `EVENT.ID` → `event_id`, `Host.Name` → `host_name`. */
function normalised(payload: Record<string, unknown>): Record<string, string> {
	const out: Record<string, string> = {};
	for (const [key, value] of Object.entries(payload)) {
		const name = key.toLowerCase().replace(/[.\s-]+/g, '_');
		// A macro Zabbix could not resolve arrives as its own text: no value.
		const raw =
			value === null || typeof value !== 'object'
				? text(value)
				: Array.isArray(value) && value.every((v) => v === null || typeof v !== 'object')
					? value.map(text).join(', ')
					: text(value);
		if (!/^\{[$#?]?[A-Z0-9_.]+(?::[^}]*)?\}$/.test(raw)) setOwn(out, name, raw);
	}
	return out;
}

/** Zabbix's own keys, or Zabbix's own text in a value. */
export function isZabbixPayload(payload: Record<string, unknown>): boolean {
	const keys = new Set(Object.keys(payload).map((k) => k.toLowerCase().replace(/[.\s-]+/g, '_')));
	if (keys.has('event_id') && keys.has('trigger_id')) return true;
	return Object.values(payload).some(
		(v) => typeof v === 'string' && ZABBIX_TEXT.some((re) => re.test(v)),
	);
}

/** `[{"tag":"component","value":"cpu"}]` (EVENT.TAGSJSON), `{"scope":["performance"]}` or `a:b, c`. */
function parseTags(raw: string): Record<string, string> {
	const out: Record<string, string> = {};
	let parsed: unknown;
	try {
		parsed = JSON.parse(raw);
	} catch {
		parsed = undefined;
	}
	if (Array.isArray(parsed)) {
		for (const t of parsed.filter(isPlainObject)) setOwn(out, text(t.tag), text(t.value));
	} else if (isPlainObject(parsed)) {
		for (const [k, v] of Object.entries(parsed))
			setOwn(out, k, Array.isArray(v) ? v.map(text).join(', ') : text(v));
	} else {
		for (const tag of raw
			.split(',')
			.map((t) => t.trim())
			.filter(Boolean)) {
			const at = tag.indexOf(':');
			setOwn(out, at < 0 ? tag : tag.slice(0, at), at < 0 ? '' : tag.slice(at + 1));
		}
	}
	delete out[''];
	return out;
}

/** "Host: Zabbix server" lines of a default message, by their label. */
function messageLines(message: string): Record<string, string> {
	const out: Record<string, string> = {};
	for (const line of message.split(/\r?\n/)) {
		const m = /^([A-Za-z][A-Za-z ]{1,30}): (.*)$/.exec(line.trim());
		if (m) setOwn(out, m[1].toLowerCase(), m[2].trim());
	}
	return out;
}

/** "2024.05.14" and "10:15:32" (Zabbix server time) → "2024-05-14T10:15:32". */
function startedAt(f: Record<string, string>, lines: Record<string, string>): string {
	const epoch = Number(f.event_datetime_timestamp);
	if (f.event_datetime_timestamp && Number.isFinite(epoch))
		return new Date(epoch * 1000).toISOString();
	const started = /started at (\d\d:\d\d:\d\d) on (\d{4}\.\d\d\.\d\d)/.exec(lines[''] ?? '');
	const date = f.event_date || started?.[2] || '';
	const time = f.event_time || started?.[1] || '';
	return date ? `${date.replace(/\./g, '-')}${time ? `T${time}` : ''}` : '';
}

function extract(payload: Record<string, unknown>): NormalisedAlert[] {
	if (!isZabbixPayload(payload))
		throw new SourceFormatError(`The item is not ${zabbix.what}: expected ${zabbix.expects}.`);
	const f = normalised(payload);
	const message = f.message ?? '';
	const lines: Record<string, string> = {
		...messageLines(message),
		'': message.split(/\r?\n/)[0] ?? '',
	};
	const subject = f.subject ?? '';
	const value = f.event_value;
	const statusText = (f.event_status || f.trigger_status || f.status || '').toUpperCase();
	const resolved =
		value === '0' ||
		(value !== '1' &&
			(statusText === 'RESOLVED' ||
				statusText === 'OK' ||
				/^Problem has been resolved/i.test(lines['']) ||
				/^Resolved\b/i.test(subject)));
	const ignored =
		f.event_update_status === '1' || /^(?!Problem )\S.* problem at /.test(lines[''])
			? 'An update of a problem (acknowledged, commented, its severity changed…), not a new one.'
			: f.event_source && f.event_source !== '0'
				? `Not a trigger's event (event source ${f.event_source}: discovery, autoregistration or internal).`
				: undefined;
	const host = f.host_name || f.host_host || f.hostname || f.host || lines.host || '';
	const name =
		f.trigger_name ||
		f.event_name ||
		f.trigger ||
		lines['problem name'] ||
		subject.replace(/^(Problem|Resolved(?: in [^:]*)?|Updated problem[^:]*):\s*/i, '');
	const labels: Record<string, string> = { ...parseTags(f.event_tags ?? f.tags ?? '') };
	for (const key of [
		'event_severity',
		'event_nseverity',
		'trigger_id',
		'host_host',
		'host_ip',
		'host_groups',
		'event_source',
	])
		if (f[key] && !Object.hasOwn(labels, key)) setOwn(labels, key, f[key]);
	const severity = f.event_severity || f.trigger_severity || f.severity || lines.severity || '';
	const metrics: AlertMetric[] = [];
	const lastValue = f.item_lastvalue || f.item_value;
	if (lastValue)
		metrics.push({ names: [f.item_name, name].filter(Boolean), value: lastValue, key: 'value' });
	if (f.trigger_expression)
		metrics.push({ names: [], value: f.trigger_expression, key: 'trigger_expression' });
	// A link whose {$ZABBIX.URL} Zabbix could not resolve is no link.
	const link =
		[f.event_url, f.link, f.trigger_url].find((u) => /^https?:\/\//i.test(u ?? '')) ||
		Object.values(f).map(eventLinkIn).find(Boolean) ||
		'';
	const triggerId = f.trigger_id || /triggerid=(\d+)/.exec(link)?.[1] || '';
	const problemId = f.event_id || lines['original problem id'] || '';
	return [
		{
			source: 'zabbix',
			name,
			status: resolved ? 'resolved' : 'firing',
			...(ignored ? { ignored } : {}),
			host: hostName(host),
			labels,
			annotations: {
				opdata: f.event_opdata || f.operation_data || lines['operational data'] || '',
				item: f.item || '',
				event_name: f.event_name || lines['problem name'] || '',
			},
			metrics,
			fingerprint: `${triggerId || problemId || name}|${host}`,
			context: {
				summary: f.event_name || lines['problem name'] || f.subject || '',
				description: f.trigger_description || '',
				severity,
				startedAt: startedAt(f, lines),
				links: { source: link },
			},
		},
	];
}

export const zabbix = {
	name: 'zabbix',
	label: 'Zabbix',
	description:
		'Zabbix webhook media type: the parameter set in the docs ({EVENT.ID}, {EVENT.VALUE}, {HOST.NAME}…) or the default Subject and Message',
	what: 'a Zabbix notification',
	expects:
		'a webhook media type\'s parameters with "event_id" ({EVENT.ID}) and "trigger_id" ({TRIGGER.ID}) (see the parameter set in the docs), or Zabbix\'s event link (tr_events.php) or default message in a value',
	looksLike: isZabbixPayload,
	extract,
} as const satisfies MonitoringSource;
