/**
 * One emulator per state file: a second one refuses to start and names the first; a lock left by
 * a killed process does not stop a restart.
 */
import { DatabaseSync } from 'node:sqlite';
import { send } from '../../helpers/http';
import { StateFile } from '../../../emulator/store/stateFile';
import { CREATE, checkBuilt, issueCount, run, start } from '../../helpers/emulatorCommand';
import { tempPath } from '../../helpers/temp';

beforeAll(checkBuilt);

describe('the state file lock', () => {
	it('refuses a second emulator on the same file, naming the first; a restart after SIGKILL works', async () => {
		const state = tempPath('pe-store-lock', 'state.db');
		const first = await start(['--state', state]);
		try {
			const created = await send(first.url + CREATE, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({
					endpoint: { user_name: 'abel.tuter' },
					issue_code: '100',
					provider: 'sn',
				}),
			});
			expect(created.status).toBe(200);
			const second = await run(['--state', state]);
			expect(second.code).toBe(1);
			expect(second.stderr).toContain(
				`${state} is in use by another emulator (pid ${first.child.pid}): stop it, or pass another --state file.`,
			);
			// The first one goes on.
			expect(await issueCount(first.url)).toBe(1);
		} finally {
			await first.kill('SIGKILL');
		}
		const again = await start(['--state', state]);
		try {
			expect(await issueCount(again.url)).toBe(1);
		} finally {
			await again.kill('SIGTERM');
		}
		// And after a clean stop.
		const third = await start(['--state', state]);
		await third.kill('SIGTERM');
		expect(await third.exit).toBe(0);
	});

	it('refuses a file another program holds open', async () => {
		const state = tempPath('pe-store-lock', 'state.db');
		StateFile.open(state).file.close();
		const other = new DatabaseSync(state);
		try {
			other.exec('BEGIN IMMEDIATE');
			const res = await run(['--state', state]);
			expect(res.code).toBe(1);
			expect(res.stderr).toContain(
				`${state} is in use by another process (it holds the database's lock)`,
			);
		} finally {
			other.close();
		}
	});

	it('refuses a second open in the same process until the first is closed', () => {
		const state = tempPath('pe-store-lock', 'state.db');
		const { file } = StateFile.open(state);
		expect(() => StateFile.open(state)).toThrow(
			`${state} is in use by another emulator in this process`,
		);
		file.close();
		StateFile.open(state).file.close();
	});
});
