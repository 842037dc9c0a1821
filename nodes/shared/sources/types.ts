/** One alert from a monitoring system, in the shape the payload builder maps from. */
export type SourceName = 'alertmanager' | 'grafana' | 'azureMonitor' | 'datadog';

export interface NormalisedAlert {
	source: SourceName;
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

export class SourceFormatError extends Error {}

export function str(value: unknown): string {
	if (value === undefined || value === null) return '';
	if (typeof value === 'string') return value.trim();
	if (typeof value === 'number' || typeof value === 'boolean') return String(value);
	return JSON.stringify(value);
}

export function stringMap(value: unknown): Record<string, string> {
	const out: Record<string, string> = {};
	if (typeof value !== 'object' || value === null || Array.isArray(value)) return out;
	for (const [k, v] of Object.entries(value)) {
		Object.defineProperty(out, k, { value: str(v), enumerable: true, writable: true, configurable: true });
	}
	return out;
}

/** "ABEL-LAPTOP:9182" → "ABEL-LAPTOP"; "[::1]:9100" → "::1". */
export function stripPort(host: string): string {
	const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(host);
	if (bracketed) return bracketed[1];
	return /^[^:]+:\d+$/.test(host) ? host.slice(0, host.lastIndexOf(':')) : host;
}
