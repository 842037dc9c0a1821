/**
 * The standalone emulator's durable state (`--state <file>`): a SQLite database in WAL mode
 * (Node's built-in node:sqlite), written change by change. The server commits the changes of the
 * requests it handled together, with a full sync, before it answers any of them: whatever was
 * acknowledged survives a kill. A create costs one row, however many issues are held.
 *
 * One emulator at a time: `<file>.lock` and the database itself are locked while it runs (the
 * system drops the locks when the process ends, however it ends).
 *
 * What throws: `open` and `load` throw StateFileError (a file that cannot be used, with what to
 * do); `commit` and `close` throw StateCommitError when the changes could not be written, with
 * what undoes them in memory. `stage` and `pending` never throw.
 */
import { existsSync } from 'node:fs';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { EmulatorSnapshot, IssueRecord, StateChange } from '../core';
import { CheckError } from '../core/checks';
import { NotJsonError, importJsonState, importUnfinished } from './jsonImport';
import { StateFileError, connect, head, lockFor, reason } from './open';
import { readState, readUndo, type StateUndo } from './readBack';
import { CLOCK_KEY, COMPLETE } from './schema';

export { StateFileError };

const SQLITE_MAGIC = 'SQLite format 3\u0000';

/** A commit that could not be written (disk full, I/O error): nothing of it was saved. */
export class StateCommitError extends StateFileError {
	constructor(
		message: string,
		readonly undo: StateUndo,
		options: { cause: unknown },
	) {
		super(message, options);
	}
}

export class StateFile {
	private readonly upsertIssue: StatementSync;
	private readonly upsertToken: StatementSync;
	private readonly deleteToken: StatementSync;
	private readonly setMeta: StatementSync;
	private readonly upsertIncident: StatementSync;
	private staged: StateChange[] = [];

	private constructor(
		readonly path: string,
		private readonly db: DatabaseSync,
		private readonly lock: DatabaseSync,
	) {
		this.upsertIssue = db.prepare(
			'INSERT INTO issues (sys_id, record) VALUES (?, ?) ON CONFLICT(sys_id) DO UPDATE SET record = excluded.record',
		);
		this.upsertToken = db.prepare(
			'INSERT INTO tokens (type, hash, grant_json) VALUES (?, ?, ?) ON CONFLICT(type, hash) DO UPDATE SET grant_json = excluded.grant_json',
		);
		this.deleteToken = db.prepare('DELETE FROM tokens WHERE type = ? AND hash = ?');
		this.setMeta = db.prepare(
			'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
		);
		this.upsertIncident = db.prepare(
			'INSERT INTO incidents (sys_id, record) VALUES (?, ?) ON CONFLICT(sys_id) DO UPDATE SET record = excluded.record',
		);
	}

	/**
	 * Opens (or creates) the state file, locked for this process. A JSON state file of an earlier
	 * version is checked whole, imported, and kept beside it as `<file>.v1.json`; an import that was
	 * stopped before it completed is done again from that file.
	 */
	static open(path: string): { file: StateFile; imported?: string } {
		const lock = lockFor(path);
		let db: DatabaseSync | undefined;
		try {
			const legacy = `${path}.v1.json`;
			let imported: string | undefined;
			const start = existsSync(path) ? head(path, 16).toString('latin1') : '';
			if (start.length > 0 && start !== SQLITE_MAGIC) {
				if (!start.trimStart().startsWith('{')) {
					throw new StateFileError(
						`The state file ${path} is neither an emulator database nor a JSON state; pass another path or delete it.`,
					);
				}
				StateFile.importJson(path, path, legacy);
				imported = legacy;
			}
			db = connect(path);
			if (!imported && importUnfinished(db, legacy)) {
				db.close();
				StateFile.importJson(legacy, path);
				imported = legacy;
				db = connect(path);
			}
			db.prepare('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)').run(
				COMPLETE.key,
				COMPLETE.value,
			);
			return { file: new StateFile(path, db, lock), imported };
		} catch (e) {
			if (db?.isOpen) db.close();
			lock.close();
			throw e instanceof StateFileError
				? e
				: new StateFileError(`The state file ${path} cannot be opened (${reason(e)}).`);
		}
	}

	private static importJson(source: string, path: string, keepAs?: string): void {
		try {
			importJsonState(source, path, keepAs);
		} catch (e) {
			if (e instanceof NotJsonError)
				throw new StateFileError(
					`The state file ${source} is not valid JSON (${e.message}); fix or delete it.`,
				);
			if (e instanceof CheckError)
				throw new StateFileError(
					`The state file ${source} cannot be imported: ${e.message}; fix or delete it (nothing was changed).`,
				);
			throw new StateFileError(
				`The JSON state ${source} could not be imported into ${path} (${reason(e)}); nothing was changed.`,
			);
		}
	}

	/** The state held, or undefined for a new file; throws StateFileError for a record it cannot use. */
	load(): EmulatorSnapshot | undefined {
		return readState(this.db, this.path);
	}

	/** Keeps a change until the next commit. */
	stage(change: StateChange): void {
		this.staged.push(change);
	}

	get pending(): number {
		return this.staged.length;
	}

	/**
	 * Writes every staged change in one transaction, synced to disk. When it cannot, nothing of
	 * them is saved and it throws StateCommitError, whose `undo` gives the saved versions.
	 */
	commit(): void {
		if (this.staged.length === 0) return;
		const changes = this.staged;
		this.staged = [];
		try {
			this.write(changes);
		} catch (e) {
			// SQLite may have rolled the transaction back itself (disk full, I/O error).
			if (this.db.isTransaction) {
				try {
					this.db.exec('ROLLBACK');
				} catch {
					// The write's own error is the one to report.
				}
			}
			throw new StateCommitError(
				`The state file ${this.path} could not be written (${reason(e)}).`,
				readUndo(this.db, changes),
				{ cause: e },
			);
		}
	}

	private write(changes: StateChange[]): void {
		// An issue changed several times is written once, as it is now.
		const issues = new Map<string, IssueRecord>();
		let counter: number | undefined;
		this.db.exec('BEGIN IMMEDIATE');
		for (const change of changes) {
			if (change.kind === 'reset') {
				issues.clear();
				// The clock keeps its lead: it only moves forward.
				this.db.exec(
					`DELETE FROM issues; DELETE FROM tokens; DELETE FROM incidents; DELETE FROM meta WHERE key NOT IN ('${COMPLETE.key}', '${CLOCK_KEY}');`,
				);
			} else if (change.kind === 'issue') {
				issues.set(change.issue.sys_id, change.issue);
				counter = change.counter;
			} else if (change.kind === 'token') {
				this.upsertToken.run(change.type, change.hash, JSON.stringify(change.grant));
			} else if (change.kind === 'incident') {
				this.upsertIncident.run(change.incident.sys_id, JSON.stringify(change.incident));
			} else if (change.kind === 'clock') {
				this.setMeta.run(CLOCK_KEY, String(change.offsetMs));
			} else {
				for (const hash of change.hashes) this.deleteToken.run(change.type, hash);
			}
		}
		for (const [sysId, issue] of issues) this.upsertIssue.run(sysId, JSON.stringify(issue));
		if (counter !== undefined) this.setMeta.run('counter', String(counter));
		this.db.exec('COMMIT');
	}

	/** Commits what is staged (see `commit`, which may throw), then closes the file and its lock. */
	close(): void {
		if (!this.db.isOpen) return;
		try {
			this.commit();
		} finally {
			this.db.close();
			this.lock.close();
		}
	}
}
