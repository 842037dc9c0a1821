/**
 * The instance's clock, as the trigger knows it: from the Date header of its answers, or, when it
 * sends none, from below (see ClockFloor). Only rows older than a few seconds by that clock are
 * taken, so a save running while a read ran is never skipped.
 */
import { formatGlideDateTime, parseGlideDateTime } from '../../../contract/api';
import { instanceTime, type ApiResult } from '../shared/transport/request';
import type { TableRow } from '../shared/transport/tableApi';

/** A time the instance held (its clock had reached it), and n8n's clock when that was seen. */
export interface Sighting {
	at: string;
	seenAt: number;
}

/** The instance's clock from its Date header, to the second; undefined when it sends none. */
export function instanceClock(result: ApiResult): number | undefined {
	const date = instanceTime(result);
	return date === undefined ? undefined : Math.floor(date / 1000) * 1000;
}

/**
 * The instance's clock when it sends no Date header, known only from below: it had reached every
 * time the instance was seen to hold (the newest change of the issue table, the rows read), and
 * since then it has moved on as far as n8n's clock has. n8n's clock is never taken for the
 * instance's (either may be ahead), only for the time that passed. The newest time seen is kept in
 * static data with n8n's time of the sighting: a row of the instance's current second waits, and
 * in a quiet period, when no later row shows the instance's clock moved on, the time passed does.
 */
export class ClockFloor {
	/** Whether the sighting changed (static data to write back). */
	moved = false;
	private looked = false;

	constructor(
		private sighting: Sighting | undefined,
		private readonly newestTime: () => Promise<string | undefined>,
	) {}

	get kept(): Sighting | undefined {
		return this.sighting;
	}

	/** Reads the newest change of the table, once a poll: true when it did (read the page again after it). */
	async look(): Promise<boolean> {
		if (this.looked) return false;
		this.looked = true;
		this.see(await this.newestTime());
		return true;
	}

	/** The instance's clock at least when a read sent at `sentAt` (n8n's clock) was answered with `rows`. */
	at(sentAt: number, rows: TableRow[]): number {
		for (const row of rows) {
			this.see(row.sys_updated_on);
			this.see(row.sys_created_on);
		}
		if (!this.sighting) return Number.NEGATIVE_INFINITY;
		return parseGlideDateTime(this.sighting.at) + Math.max(0, sentAt - this.sighting.seenAt);
	}

	/** A time the instance holds, just read: kept when it tells more than what was known. */
	private see(value: string | undefined): void {
		const at = parseGlideDateTime(value);
		const now = Date.now();
		const known = this.sighting
			? parseGlideDateTime(this.sighting.at) + Math.max(0, now - this.sighting.seenAt)
			: Number.NEGATIVE_INFINITY;
		if (Number.isFinite(at) && at > known) {
			this.sighting = { at: formatGlideDateTime(at), seenAt: now };
			this.moved = true;
		}
	}
}
