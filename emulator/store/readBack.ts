/**
 * The one home of reading a state database back into checked records: the whole state when the
 * emulator starts (`readState`, StateFile's `load`), and, after a commit that could not be written,
 * the saved versions of what it touched (`readUndo`, a StateCommitError's `undo`). A record that
 * fails its check (store/records.ts) becomes a StateFileError naming the file, row and field.
 */
import type { DatabaseSync } from 'node:sqlite';
import type {
	EmulatorSnapshot,
	IncidentRecord,
	IssueRecord,
	StateChange,
	TokenGrant,
	TokenKind,
} from '../core';
import { CheckError, fail } from '../core/checks';
import { StateFileError, reason } from './open';
import { checkCounter, checkGrant, checkIncident, checkIssue } from './records';
import { CLOCK_KEY } from './schema';

/** What brings the held state back to the saved one after a batch could not be written. */
export interface StateUndo {
	/** The batch held a reset: only a reload (`load()`) brings the saved state back. */
	full: boolean;
	/** The issue counter as saved. */
	counter: number;
	/** Each issue, token and incident the batch touched, as saved (absent: not saved before). */
	issues: Array<{ sys_id: string; record?: IssueRecord }>;
	tokens: Array<{ type: TokenKind; hash: string; grant?: TokenGrant }>;
	incidents: Array<{ sys_id: string; record?: IncidentRecord }>;
	/** The clock's lead as saved, when the batch moved it. */
	clockOffsetMs?: number;
}

function parse(text: unknown, path: string): unknown {
	try {
		return JSON.parse(String(text));
	} catch {
		return fail(path, 'JSON', text, 'text that does not parse');
	}
}

/** Runs `read`; a record that fails its check becomes a StateFileError naming the file, row and field. */
function checked<T>(path: string, read: () => T): T {
	try {
		return read();
	} catch (e) {
		if (e instanceof StateFileError) throw e;
		if (!(e instanceof CheckError))
			throw new StateFileError(`The state file ${path} cannot be read (${reason(e)}).`);
		throw new StateFileError(
			`The state file ${path} holds what the emulator cannot use: ${e.message}; fix or delete it.`,
		);
	}
}

/** The state the database holds, or undefined for a new file; throws StateFileError for a record it cannot use. */
export function readState(db: DatabaseSync, file: string): EmulatorSnapshot | undefined {
	return checked(file, () => {
		const counter = db.prepare("SELECT value FROM meta WHERE key = 'counter'").get() as
			| { value: string }
			| undefined;
		const rows = (table: string) =>
			db.prepare(`SELECT rowid, * FROM ${table} ORDER BY rowid`).all() as Array<
				Record<string, string | number>
			>;
		const issues = rows('issues').map((row) => {
			const issue = checkIssue(
				parse(row.record, `issues[rowid ${row.rowid}].record`),
				`issues[rowid ${row.rowid}]`,
			);
			if (issue.sys_id !== row.sys_id)
				fail(
					`issues[rowid ${row.rowid}].sys_id`,
					`the row's sys_id ${row.sys_id}`,
					issue.sys_id,
					issue.sys_id,
				);
			return issue;
		});
		const tokens: Record<TokenKind, Array<[string, TokenGrant]>> = { access: [], refresh: [] };
		for (const row of rows('tokens')) {
			const path = `tokens[rowid ${row.rowid}]`;
			if (row.type !== 'access' && row.type !== 'refresh')
				fail(`${path}.type`, 'access or refresh', row.type, String(row.type).slice(0, 40));
			tokens[row.type].push([
				String(row.hash),
				checkGrant(parse(row.grant_json, `${path}.grant_json`), `${path}.grant_json`),
			]);
		}
		const incidents = rows('incidents').map((row) =>
			checkIncident(
				parse(row.record, `incidents[rowid ${row.rowid}].record`),
				`incidents[rowid ${row.rowid}]`,
			),
		);
		const clock = db.prepare(`SELECT value FROM meta WHERE key = '${CLOCK_KEY}'`).get() as
			| { value: string }
			| undefined;
		const clockOffsetMs = clock ? Number(clock.value) : 0;
		if (!Number.isFinite(clockOffsetMs) || clockOffsetMs < 0)
			fail(
				`meta ${CLOCK_KEY}`,
				'a number of milliseconds ≥ 0',
				clock?.value,
				String(clock?.value.slice(0, 40)),
			);
		if (
			!counter &&
			!clockOffsetMs &&
			issues.length + tokens.access.length + tokens.refresh.length + incidents.length === 0
		)
			return undefined;
		return {
			version: 2 as const,
			issues: {
				issues,
				counter: counter ? checkCounter(counter.value, 'meta counter') : issues.length,
			},
			tokens,
			incidents,
			...(clockOffsetMs ? { clockOffsetMs } : {}),
		};
	});
}

/** The saved versions of what `changes` touched (read back after a write that failed). */
export function readUndo(db: DatabaseSync, changes: StateChange[]): StateUndo {
	const undo: StateUndo = { full: true, counter: 0, issues: [], tokens: [], incidents: [] };
	if (changes.some((c) => c.kind === 'reset')) return undo;
	try {
		const issues = new Set<string>();
		const incidents = new Set<string>();
		const tokens = new Map<string, { type: TokenKind; hash: string }>();
		for (const c of changes) {
			if (c.kind === 'issue') issues.add(c.issue.sys_id);
			else if (c.kind === 'incident') incidents.add(c.incident.sys_id);
			else if (c.kind === 'token') tokens.set(`${c.type} ${c.hash}`, c);
			else if (c.kind === 'tokensRemoved')
				for (const hash of c.hashes) tokens.set(`${c.type} ${hash}`, { type: c.type, hash });
		}
		const one = (sql: string, ...keys: string[]) =>
			db.prepare(sql).get(...keys) as Record<string, string> | undefined;
		for (const sysId of issues) {
			const row = one('SELECT record FROM issues WHERE sys_id = ?', sysId);
			undo.issues.push({
				sys_id: sysId,
				record: row ? checkIssue(JSON.parse(row.record), `issue ${sysId}`) : undefined,
			});
		}
		for (const sysId of incidents) {
			const row = one('SELECT record FROM incidents WHERE sys_id = ?', sysId);
			undo.incidents.push({
				sys_id: sysId,
				record: row ? checkIncident(JSON.parse(row.record), `incident ${sysId}`) : undefined,
			});
		}
		for (const { type, hash } of tokens.values()) {
			const row = one('SELECT grant_json FROM tokens WHERE type = ? AND hash = ?', type, hash);
			undo.tokens.push({
				type,
				hash,
				grant: row ? checkGrant(JSON.parse(row.grant_json), 'grant') : undefined,
			});
		}
		if (changes.some((c) => c.kind === 'clock'))
			undo.clockOffsetMs = Number(
				one(`SELECT value FROM meta WHERE key = '${CLOCK_KEY}'`)?.value ?? 0,
			);
		const counter = one("SELECT value FROM meta WHERE key = 'counter'");
		undo.counter = counter
			? checkCounter(counter.value, 'counter')
			: Number(one('SELECT count(*) AS n FROM issues')?.n ?? 0);
		undo.full = false;
	} catch {
		// The file cannot even be read back: only a reload can tell what it holds.
	}
	return undo;
}
