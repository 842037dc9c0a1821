/** One alert from a monitoring system, and what a monitoring source provides. */
import { isPlainObject, text } from '../../../contract/values';

/** A measured value and the names that say what it measures, most telling first. */
export interface AlertMetric {
	/** E.g. Azure's metric name, or Grafana's alert name and summary. Matched against Metric Names. */
	names: string[];
	value: string;
	/** Investigative detail key when no Metric Names rule matches (nothing is dropped). */
	key: string;
}

/** What a human needs when self-remediation fails: copied into investigative_details. */
export interface AlertContext {
	summary: string;
	description: string;
	severity: string;
	/** When the alert started, as the source gives it (ISO 8601 where it can). */
	startedAt: string;
	/** Links by kind: source (rule, graph, event), dashboard, panel, runbook, image. */
	links: Record<string, string>;
	/** The query a log search alert ran (Azure: SearchQuery, searchQuery). */
	query?: string;
}

/** What an alert is about when that is no computer: it is never looked up in cmdb_ci_computer. */
export interface AlertResource {
	name: string;
	/** E.g. "a microsoft.storage/storageaccounts resource", "a cost budget". */
	kind: string;
}

export interface NormalisedAlert {
	/** Name of the source it came from (the Build From value). */
	source: string;
	/** Alert or rule name, without the decorations some sources add (Datadog's `[Triggered on …]`). */
	name: string;
	status: 'firing' | 'resolved';
	/** Host or device name (port stripped, a URL reduced to its host name). */
	host: string;
	/** Labels, tags, dimensions and custom properties, flattened to strings. */
	labels: Record<string, string>;
	annotations: Record<string, string>;
	metrics: AlertMetric[];
	/** Identity of this alert (stable from firing to resolved; distinct per host). */
	fingerprint: string;
	context: AlertContext;
	/** Position in the payload's `alerts[]` (or the list `entryIn` names), for sources that send a group. */
	entry?: number;
	/** The list `entry` is a position in, when it is not `alerts` (New Relic's `impactedEntities`…). */
	entryIn?: string;
	/** Set when the alert is about something that is no computer (then host is empty). */
	resource?: AlertResource;
	/**
	 * Why the alert is no problem to act on although it is not resolved (no data, an acknowledgement,
	 * a problem merged into another): it goes to Skipped whatever Include Resolved Alerts says.
	 */
	ignored?: string;
}

/** An entry of a group that is no alert (not an object): it ends on Other, its siblings go on. */
export interface UnreadableAlert {
	unreadable: string;
	entry: number;
}

/**
 * A monitoring source of Build From: one file each, listed once in `sources/index.ts`, from which
 * the option list, the payload detection and the extraction are derived.
 */
export interface MonitoringSource {
	/** Value of the Build From option (kept in users' saved workflows). */
	readonly name: string;
	/** Option name shown in the editor. */
	readonly label: string;
	/** Option description. */
	readonly description: string;
	/**
	 * Whether an object is this source's payload, by fields no other source sends (checked on the
	 * item, then on its `body`). A payload of another kind ends on Other, never read as this one.
	 */
	looksLike(payload: Record<string, unknown>): boolean;
	/** What the payload is and must have, for the refusal: `not ${what}: expected ${expects}`. */
	readonly what: string;
	readonly expects: string;
	/** The alerts of a payload; throws SourceFormatError saying what is missing. */
	extract(
		payload: Record<string, unknown>,
		options: ExtractOptions,
	): Array<NormalisedAlert | UnreadableAlert>;
}

export interface ExtractOptions {
	/** Grafana: the query (ref ID) whose value is the alert's value; empty picks one (see grafana.ts). */
	valueRefId?: string;
}

export class SourceFormatError extends Error {}

/**
 * A message of the source's that holds no alert and asks for nothing to be sent (an Amazon SNS
 * subscription confirmation): the item goes to Skipped with this message.
 */
export class NoAlertsMessage extends Error {
	constructor(
		message: string,
		/** What the item's output shows besides the message (e.g. the URL that confirms). */
		readonly details: Record<string, string> = {},
	) {
		super(message);
	}
}

/** A JSON object written as text (a body n8n's Webhook node kept as text), or undefined. */
export function jsonObjectIn(value: unknown): Record<string, unknown> | undefined {
	if (typeof value !== 'string' || !value.trimStart().startsWith('{')) return undefined;
	try {
		const parsed: unknown = JSON.parse(value);
		return isPlainObject(parsed) ? parsed : undefined;
	} catch {
		return undefined;
	}
}

/** The last millisecond of the year 9999: later, ISO 8601 needs an extended (+0…) year. */
const LAST_MS_OF_9999 = 253_402_300_799_999;

/** An epoch in milliseconds (a number, or its digits) as ISO 8601; anything else (a later one too) as it is. */
export function isoFromEpochMs(value: unknown): string {
	const raw = text(value).trim();
	const ms = Number(raw);
	return /^\d{12,}$/.test(raw) && ms <= LAST_MS_OF_9999 ? new Date(ms).toISOString() : raw;
}

/** The first of these fields that is set, as text. */
export function firstOf(payload: Record<string, unknown>, ...names: string[]): string {
	for (const name of names) {
		const value = Object.hasOwn(payload, name) ? payload[name] : undefined;
		if (value !== undefined && value !== null && text(value) !== '') return text(value);
	}
	return '';
}

/**
 * A host name from what sources put in a host label: "ABEL-LAPTOP:9182" → "ABEL-LAPTOP",
 * "[::1]:9100" → "::1", "https://example.com:8443/health" (a blackbox probe) → "example.com".
 */
export function hostName(value: string): string {
	const text = value.trim();
	// A URL, or a probe target written without its scheme (`example.com:443/health`).
	const url = /^[a-z][a-z0-9+.-]*:\/\//i.test(text)
		? text
		: /^[^/\s:]+(?::\d+)?\/\S*$/.test(text)
			? `http://${text}`
			: undefined;
	if (url) {
		try {
			return new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
		} catch {
			return text;
		}
	}
	const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(text);
	if (bracketed) return bracketed[1];
	return /^[^:]+:\d+$/.test(text) ? text.slice(0, text.lastIndexOf(':')) : text;
}

/** The last segment of an Azure resource ID (`/subscriptions/…/virtualMachines/testvm` → `testvm`). */
export function resourceName(id: string): string {
	return id.split('/').filter(Boolean).pop() ?? '';
}

export function emptyContext(): AlertContext {
	return { summary: '', description: '', severity: '', startedAt: '', links: {} };
}
