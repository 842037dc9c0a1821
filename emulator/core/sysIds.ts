/** sys_ids: 32 hex digits, new and random for records, or stable for registry records that have none. */
import { createHash, randomBytes } from 'node:crypto';

// Random bytes drawn in blocks: one system call per 256 sys_ids instead of one each.
let pool = Buffer.alloc(0);
let poolAt = 0;

export function newSysId(): string {
	if (poolAt + 16 > pool.length) {
		pool = randomBytes(16 * 256);
		poolAt = 0;
	}
	poolAt += 16;
	return pool.toString('hex', poolAt - 16, poolAt);
}

/** A stable sys_id for a registry record that has none of its own (providers, issue codes). */
export function registrySysId(kind: string, ...key: string[]): string {
	return createHash('md5')
		.update([kind, ...key].join('\u0000'))
		.digest('hex');
}
