/**
 * The standalone emulator's durable state (`--state <file>`): a SQLite database in WAL mode
 * (Node's built-in node:sqlite), written change by change. The server commits the changes of the
 * requests it handled together, with a full sync, before it answers any of them: whatever was
 * acknowledged survives a kill. A create costs one row, however many issues are held.
 */
import { closeSync, existsSync, openSync, readFileSync, readSync, renameSync } from 'node:fs';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { tokenHash, type EmulatorSnapshot, type IncidentRecord, type IssueRecord, type StateChange, type TokenGrant, type TokenKind } from './core';

const SQLITE_MAGIC = 'SQLite format 3\u0000';

export class StateFileError extends Error {}

function head(path: string, bytes: number): string {
	const fd = openSync(path, 'r');
	try {
		const buffer = Buffer.alloc(bytes);
		const read = readSync(fd, buffer, 0, bytes, 0);
		return buffer.subarray(0, read).toString('latin1');
	} finally {
		closeSync(fd);
	}
}

export class StateFile {
	private readonly db: DatabaseSync;
	private readonly upsertIssue: StatementSync;
	private readonly upsertToken: StatementSync;
	private readonly deleteToken: StatementSync;
	private readonly setMeta: StatementSync;
	private readonly upsertIncident: StatementSync;
	private staged: StateChange[] = [];

	private constructor(
		readonly path: string,
		db: DatabaseSync,
	) {
		this.db = db;
		this.upsertIssue = db.prepare('INSERT INTO issues (sys_id, record) VALUES (?, ?) ON CONFLICT(sys_id) DO UPDATE SET record = excluded.record');
		this.upsertToken = db.prepare('INSERT INTO tokens (type, hash, grant_json) VALUES (?, ?, ?) ON CONFLICT(type, hash) DO UPDATE SET grant_json = excluded.grant_json');
		this.deleteToken = db.prepare('DELETE FROM tokens WHERE type = ? AND hash = ?');
		this.setMeta = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
		this.upsertIncident = db.prepare('INSERT INTO incidents (sys_id, record) VALUES (?, ?) ON CONFLICT(sys_id) DO UPDATE SET record = excluded.record');
	}

	/**
	 * Opens (or creates) the state file. A JSON state file of an earlier version is imported and
	 * kept beside it as `<file>.v1.json`.
	 */
	static open(path: string): { file: StateFile; imported?: string } {
		let legacy: EmulatorSnapshot | undefined;
		let imported: string | undefined;
		if (existsSync(path)) {
			const start = head(path, 16);
			if (start.length > 0 && start !== SQLITE_MAGIC) {
				if (!start.trimStart().startsWith('{')) {
					throw new StateFileError(`The state file ${path} is neither an emulator database nor a JSON state; pass another path or delete it.`);
				}
				try {
					legacy = JSON.parse(readFileSync(path, 'utf8')) as EmulatorSnapshot;
				} catch (e) {
					const at = /position (\d+)/.exec((e as Error).message)?.[1];
					throw new StateFileError(`The state file ${path} is not valid JSON (${at ? `at position ${at}` : 'it does not parse'}); fix or delete it.`);
				}
				imported = `${path}.v1.json`;
				renameSync(path, imported);
			}
		}
		let db: DatabaseSync;
		try {
			db = new DatabaseSync(path);
			db.exec(`
				PRAGMA journal_mode = WAL;
				PRAGMA synchronous = FULL;
				CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
				CREATE TABLE IF NOT EXISTS issues (sys_id TEXT PRIMARY KEY, record TEXT NOT NULL);
				CREATE TABLE IF NOT EXISTS tokens (type TEXT NOT NULL, hash TEXT NOT NULL, grant_json TEXT NOT NULL, PRIMARY KEY (type, hash));
				CREATE TABLE IF NOT EXISTS incidents (sys_id TEXT PRIMARY KEY, record TEXT NOT NULL);
			`);
		} catch (e) {
			throw new StateFileError(`The state file ${path} cannot be opened as an emulator database (${(e as Error).message}); pass another path or delete it.`);
		}
		const file = new StateFile(path, db);
		if (legacy) file.importSnapshot(legacy);
		return { file, imported };
	}

	/** The state held, or undefined for a new file. */
	load(): EmulatorSnapshot | undefined {
		const counter = this.db.prepare("SELECT value FROM meta WHERE key = 'counter'").get() as { value: string } | undefined;
		const issues = this.db.prepare('SELECT record FROM issues ORDER BY rowid').all() as Array<{ record: string }>;
		if (!counter && issues.length === 0) return undefined;
		const tokens = (type: TokenKind) =>
			(this.db.prepare('SELECT hash, grant_json FROM tokens WHERE type = ? ORDER BY rowid').all(type) as Array<{ hash: string; grant_json: string }>).map(
				(t) => [t.hash, JSON.parse(t.grant_json) as TokenGrant] as [string, TokenGrant],
			);
		const incidents = this.db.prepare('SELECT record FROM incidents ORDER BY rowid').all() as Array<{ record: string }>;
		return {
			version: 2,
			issues: { issues: issues.map((i) => JSON.parse(i.record) as IssueRecord), counter: Number(counter?.value ?? issues.length) },
			tokens: { access: tokens('access'), refresh: tokens('refresh') },
			incidents: incidents.map((i) => JSON.parse(i.record) as IncidentRecord),
		};
	}

	/** Keeps a change until the next commit. */
	stage(change: StateChange): void {
		this.staged.push(change);
	}

	get pending(): number {
		return this.staged.length;
	}

	/** Writes every staged change in one transaction, synced to disk; throws if it could not. */
	commit(): void {
		if (this.staged.length === 0) return;
		const changes = this.staged;
		this.staged = [];
		// An issue changed several times is written once, as it is now.
		const issues = new Map<string, IssueRecord>();
		let counter: number | undefined;
		this.db.exec('BEGIN IMMEDIATE');
		try {
			for (const change of changes) {
				if (change.kind === 'reset') {
					issues.clear();
					this.db.exec('DELETE FROM issues; DELETE FROM tokens; DELETE FROM meta; DELETE FROM incidents;');
				} else if (change.kind === 'issue') {
					issues.set(change.issue.sys_id, change.issue);
					counter = change.counter;
				} else if (change.kind === 'token') {
					this.upsertToken.run(change.type, change.hash, JSON.stringify(change.grant));
				} else if (change.kind === 'incident') {
					this.upsertIncident.run(change.incident.sys_id, JSON.stringify(change.incident));
				} else {
					for (const hash of change.hashes) this.deleteToken.run(change.type, hash);
				}
			}
			for (const [sysId, issue] of issues) this.upsertIssue.run(sysId, JSON.stringify(issue));
			if (counter !== undefined) this.setMeta.run('counter', String(counter));
			this.db.exec('COMMIT');
		} catch (e) {
			this.db.exec('ROLLBACK');
			throw e;
		}
	}

	private importSnapshot(snapshot: EmulatorSnapshot): void {
		this.db.exec('BEGIN');
		for (const issue of snapshot.issues?.issues ?? []) this.upsertIssue.run(issue.sys_id, JSON.stringify(issue));
		this.setMeta.run('counter', String(snapshot.issues?.counter ?? 0));
		// Version 1 held the tokens themselves: only their hashes are kept.
		for (const type of ['access', 'refresh'] as const) {
			for (const [key, grant] of snapshot.tokens?.[type] ?? []) {
				this.upsertToken.run(type, snapshot.version === 1 ? tokenHash(key) : key, JSON.stringify(grant));
			}
		}
		this.db.exec('COMMIT');
	}

	close(): void {
		this.commit();
		this.db.close();
	}
}
