/**
 * Temporary folders for tests, each removed when its test file ends (jest's setupFilesAfterEnv
 * registers the clean-up: test/helpers/cleanTemp.ts). A run leaves nothing in the temp dir.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];

/** A new empty folder under the temp dir, named `<prefix>-XXXXXX`, removed after the test file. */
export function tempDir(prefix: string): string {
	const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
	made.push(dir);
	return dir;
}

/** The path of `name` in a new empty temp folder (see tempDir): a state file, a seed file. */
export function tempPath(prefix: string, name: string): string {
	return join(tempDir(prefix), name);
}

/** Removes every folder tempDir made so far. */
export function removeTempDirs(): void {
	for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}
