/** The state database's tables, and the keys of its meta table. */

/** The tables of a state database. */
export const SCHEMA = `
	CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
	CREATE TABLE IF NOT EXISTS issues (sys_id TEXT PRIMARY KEY, record TEXT NOT NULL);
	CREATE TABLE IF NOT EXISTS tokens (type TEXT NOT NULL, hash TEXT NOT NULL, grant_json TEXT NOT NULL, PRIMARY KEY (type, hash));
	CREATE TABLE IF NOT EXISTS incidents (sys_id TEXT PRIMARY KEY, record TEXT NOT NULL);
`;

/** The mark of a complete database (kept across resets): an import that stopped before it has none. */
export const COMPLETE = { key: 'format', value: '2' };

/** The meta key of the clock's lead (control API), in milliseconds. */
export const CLOCK_KEY = 'clock_offset_ms';
