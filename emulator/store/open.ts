/**
 * Opening a state database: one emulator per file. `<file>.lock` is locked for the whole run (its
 * header holds the pid, for the message another emulator gives), and the database itself is
 * locked for this connection alone. The system drops both locks when the process ends, however
 * it ends: a killed emulator leaves nothing that stops the next one.
 */
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { SCHEMA } from './schema';

export class StateFileError extends Error {}

/** How long opening waits for a lock another process holds. */
const LOCK_WAIT_MS = 1000;

export function head(path: string, bytes: number, at = 0): Buffer {
	const fd = openSync(path, 'r');
	try {
		const buffer = Buffer.alloc(bytes);
		return buffer.subarray(0, readSync(fd, buffer, 0, bytes, at));
	} finally {
		closeSync(fd);
	}
}

const isBusy = (e: unknown) =>
	(e as { errcode?: number }).errcode === 5 ||
	/database is locked/.test(String((e as Error).message));
export const reason = (e: unknown) => (e as Error).message ?? String(e);

/** Locks `<file>.lock` for this process, its pid in the header; throws when another holds it. */
export function lockFor(path: string): DatabaseSync {
	const lockPath = `${path}.lock`;
	let db: DatabaseSync | undefined;
	try {
		db = new DatabaseSync(lockPath);
		// Waits a moment for an emulator that is still ending (killed just before).
		db.exec(
			`PRAGMA busy_timeout = ${LOCK_WAIT_MS}; PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = MEMORY; PRAGMA synchronous = OFF`,
		);
		// A write: the lock is taken now and held until the database is closed.
		db.exec(`PRAGMA user_version = ${process.pid}`);
		return db;
	} catch (e) {
		db?.close();
		if (!isBusy(e))
			throw new StateFileError(
				`The state file ${path} cannot be used: its lock file ${lockPath} cannot be opened (${reason(e)}).`,
			);
		const header = existsSync(lockPath) ? head(lockPath, 4, 60) : Buffer.alloc(0);
		const pid = header.length === 4 ? header.readUInt32BE(0) : 0;
		const who =
			pid === process.pid
				? 'another emulator in this process'
				: `another emulator (pid ${pid || 'unknown'})`;
		throw new StateFileError(`${path} is in use by ${who}: stop it, or pass another --state file.`);
	}
}

/** Opens the database, locked for this connection alone, with its tables. */
export function connect(path: string): DatabaseSync {
	let db: DatabaseSync | undefined;
	try {
		db = new DatabaseSync(path);
		db.exec(
			`PRAGMA busy_timeout = ${LOCK_WAIT_MS}; PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; ${SCHEMA}`,
		);
		db.exec('BEGIN IMMEDIATE; COMMIT');
		db.exec('PRAGMA busy_timeout = 2000');
		return db;
	} catch (e) {
		db?.close();
		if (isBusy(e))
			throw new StateFileError(
				`${path} is in use by another process (it holds the database's lock): stop it, or pass another --state file.`,
			);
		throw new StateFileError(
			`The state file ${path} cannot be opened as an emulator database (${reason(e)}); pass another path or delete it.`,
		);
	}
}
