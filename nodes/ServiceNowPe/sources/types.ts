/** One alert from a monitoring system, and what a monitoring source provides. */

export interface NormalisedAlert {
	/** Name of the source it came from (the Build From value). */
	source: string;
	/** Alert or rule name (alertname, Azure alertRule, Datadog title). */
	name: string;
	status: 'firing' | 'resolved';
	/** Host or device name as the source reports it (port stripped). */
	host: string;
	/** Labels, tags, dimensions and custom properties, flattened to strings. */
	labels: Record<string, string>;
	annotations: Record<string, string>;
	/** Metric values the source carries by name (e.g. Azure "Percentage CPU"). */
	metrics: Record<string, string>;
	fingerprint: string;
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
	/** Whether an object is this source's payload (checked on the item, then on its `body`). */
	looksLike(payload: Record<string, unknown>): boolean;
	/** The alerts of a payload; throws SourceFormatError saying what is missing. */
	extract(payload: Record<string, unknown>): NormalisedAlert[];
}

export class SourceFormatError extends Error {}

/** "ABEL-LAPTOP:9182" → "ABEL-LAPTOP"; "[::1]:9100" → "::1". */
export function stripPort(host: string): string {
	const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(host);
	if (bracketed) return bracketed[1];
	return /^[^:]+:\d+$/.test(host) ? host.slice(0, host.lastIndexOf(':')) : host;
}
