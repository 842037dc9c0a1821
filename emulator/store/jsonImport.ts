/**
 * The import of a JSON state file of version 0.1 (snapshot version 1). Every record is checked
 * before anything on disk changes; the database is built beside it (`<file>.importing`), synced,
 * and only then renamed into place. At every moment the file holds either the JSON state or the
 * complete database, so a kill at any point loses nothing: the next start imports again.
 */
import {
	closeSync,
	copyFileSync,
	existsSync,
	fsyncSync,
	linkSync,
	openSync,
	readFileSync,
	renameSync,
	rmSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { tokenHash, type IncidentRecord, type IssueRecord, type TokenGrant } from '../core';
import { fail, list, object } from '../core/checks';
import { checkCounter, checkGrant, checkIncident, checkIssue } from './records';
import { COMPLETE, SCHEMA } from './schema';

/** The JSON state does not parse; the message says where. */
export class NotJsonError extends Error {}

export interface CheckedState {
	issues: IssueRecord[];
	counter: number;
	tokens: Array<{ type: 'access' | 'refresh'; hash: string; grant: TokenGrant }>;
	incidents: IncidentRecord[];
}

/** A parsed JSON state, checked whole: throws CheckError naming the first wrong field. */
export function checkJsonState(raw: unknown): CheckedState {
	const root = object(raw, 'the state');
	if (root.version !== 1 && root.version !== 2) fail('version', '1 or 2', root.version);
	const held = object(root.issues, 'issues');
	const issues = list(held.issues ?? [], 'issues.issues').map((issue, i) =>
		checkIssue(issue, `issues.issues[${i}]`),
	);
	const seen = new Map<string, number>();
	issues.forEach((issue, i) => {
		const first = seen.get(issue.sys_id);
		if (first !== undefined)
			fail(
				`issues.issues[${i}].sys_id`,
				'unique',
				issue.sys_id,
				`the sys_id of issues.issues[${first}]`,
			);
		seen.set(issue.sys_id, i);
	});
	const counter =
		held.counter === undefined ? issues.length : checkCounter(held.counter, 'issues.counter');
	const tokens: CheckedState['tokens'] = [];
	const tokenLists = object(root.tokens ?? {}, 'tokens');
	for (const type of ['access', 'refresh'] as const) {
		list(tokenLists[type] ?? [], `tokens.${type}`).forEach((entry, i) => {
			const path = `tokens.${type}[${i}]`;
			if (!Array.isArray(entry) || entry.length !== 2)
				fail(path, 'a list of a token and its grant', entry);
			const [key, grant] = entry as unknown[];
			if (typeof key !== 'string' || key === '')
				fail(`${path}[0]`, 'a non-empty string (the token)', key);
			// Version 1 held the tokens themselves: only their hashes are kept.
			tokens.push({
				type,
				hash: root.version === 1 ? tokenHash(key) : key,
				grant: checkGrant(grant, `${path}[1]`),
			});
		});
	}
	const incidents = list(root.incidents ?? [], 'incidents').map((incident, i) =>
		checkIncident(incident, `incidents[${i}]`),
	);
	return { issues, counter, tokens, incidents };
}

function syncPath(path: string): void {
	const fd = openSync(path, 'r');
	try {
		fsyncSync(fd);
	} finally {
		closeSync(fd);
	}
}

function removeDatabase(path: string): void {
	for (const suffix of ['', '-journal', '-wal', '-shm']) rmSync(path + suffix, { force: true });
}

/** Writes the checked state into a new database file at `path`, synced to disk. */
function build(path: string, state: CheckedState): void {
	removeDatabase(path);
	const db = new DatabaseSync(path);
	try {
		// The file is thrown away unless complete: no journal on disk, one sync at the end.
		db.exec(
			`PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = MEMORY; PRAGMA synchronous = OFF; ${SCHEMA}`,
		);
		db.exec('BEGIN');
		try {
			const issue = db.prepare('INSERT INTO issues (sys_id, record) VALUES (?, ?)');
			for (const i of state.issues) issue.run(i.sys_id, JSON.stringify(i));
			const token = db.prepare(
				'INSERT OR REPLACE INTO tokens (type, hash, grant_json) VALUES (?, ?, ?)',
			);
			for (const t of state.tokens) token.run(t.type, t.hash, JSON.stringify(t.grant));
			const incident = db.prepare(
				'INSERT OR REPLACE INTO incidents (sys_id, record) VALUES (?, ?)',
			);
			for (const i of state.incidents) incident.run(i.sys_id, JSON.stringify(i));
			const meta = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
			meta.run('counter', String(state.counter));
			meta.run(COMPLETE.key, COMPLETE.value);
			db.exec('COMMIT');
		} catch (e) {
			if (db.isTransaction) db.exec('ROLLBACK');
			throw e;
		}
	} finally {
		db.close();
	}
	syncPath(path);
}

/**
 * Imports the JSON state at `source` into the database `path`. With `keepAs`, the JSON file is
 * kept under that name (`source` is `path` itself); the database replaces it last. Throws
 * NotJsonError or CheckError (nothing changed) when the file is not a valid JSON state.
 */
export function importJsonState(source: string, path: string, keepAs?: string): void {
	const text = readFileSync(source, 'utf8');
	let raw: unknown;
	try {
		raw = JSON.parse(text);
	} catch (e) {
		const at = /position (\d+)/.exec((e as Error).message)?.[1];
		throw new NotJsonError(at ? `at position ${at}` : 'it does not parse');
	}
	const state = checkJsonState(raw);
	const temporary = `${path}.importing`;
	try {
		build(temporary, state);
	} catch (e) {
		removeDatabase(temporary);
		throw e;
	}
	if (keepAs) {
		// The JSON stays at `source` until the database replaces it: a hard link, no copy.
		rmSync(keepAs, { force: true });
		try {
			linkSync(source, keepAs);
		} catch {
			copyFileSync(source, keepAs);
			syncPath(keepAs);
		}
	}
	// A journal left beside `path` belongs to another database: it must not be played into this one.
	for (const suffix of ['-journal', '-wal', '-shm']) rmSync(path + suffix, { force: true });
	renameSync(temporary, path);
	try {
		syncPath(dirname(path));
	} catch {
		// Not every system syncs a directory; the rename itself is atomic.
	}
}

/** Whether a database left by a stopped import of `legacy` must be imported again. */
export function importUnfinished(db: DatabaseSync, legacy: string): boolean {
	if (db.prepare('SELECT 1 FROM meta WHERE key = ?').get(COMPLETE.key)) return false;
	const empty = ['meta', 'issues', 'tokens', 'incidents'].every(
		(table) => !db.prepare(`SELECT 1 FROM ${table} LIMIT 1`).get(),
	);
	return empty && existsSync(legacy);
}
