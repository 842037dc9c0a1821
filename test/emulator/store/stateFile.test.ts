/**
 * The state file: OAuth tokens kept in it come back after a restart, and stay live after a write
 * that could not be saved, also when the file holds no issue (a new file, or after a reset). A
 * commit that cannot be written (here: files capped by `prlimit`, as a full disk): the error says
 * why, nothing of it is saved, what it touched can be undone in memory without reading the whole
 * file, the file stays usable, and the emulator keeps running.
 */
import { StateFile } from '../../../emulator/store/stateFile';
import { send } from '../../helpers/http';
import {
	TABLE,
	capped,
	checkBuilt,
	runCappedScript,
	start,
	withStarted,
} from '../../helpers/emulatorCommand';
import { createWith, grant, readWith, refresh } from '../../helpers/oauth';
import { tempPath } from '../../helpers/temp';

beforeAll(checkBuilt);

/** The emulator command on `state` with OAuth (its files capped at `maxFileBytes`). */
const startOAuth = (state: string, maxFileBytes?: number) =>
	start(['--state', state, '--auth', 'oauth'], maxFileBytes);

/** Starts the emulator command on `state` with OAuth again, and runs `check` on its URL. */
const restarted = (state: string, check: (url: string) => Promise<void>) =>
	withStarted(['--state', state, '--auth', 'oauth'], (emu) => check(emu.url));

describe('tokens in the state file', () => {
	it.each(['SIGKILL', 'SIGTERM'] as const)(
		'come back after a restart (%s) when the file holds no issue',
		async (signal) => {
			const state = tempPath('pe-store-tokens', 'state.db');
			const first = await startOAuth(state);
			const tokens = await grant(first.url);
			expect(tokens.status).toBe(200);
			await first.kill(signal);

			await restarted(state, async (url) => {
				expect(await readWith(url, tokens.access_token!)).toBe(200);
				expect(await refresh(url, tokens.refresh_token!)).toBe(200);
			});
		},
	);

	it('come back after a restart when they were granted after a reset', async () => {
		const state = tempPath('pe-store-tokens', 'state.db');
		const first = await startOAuth(state);
		const before = await grant(first.url);
		expect((await createWith(first.url, before.access_token!)).status).toBe(200);
		expect((await send(`${first.url}/_emulator/reset`, { method: 'POST' })).status).toBe(200);
		const after = await grant(first.url);
		await first.kill();

		await restarted(state, async (url) => {
			expect(await readWith(url, before.access_token!)).toBe(401);
			expect(await readWith(url, after.access_token!)).toBe(200);
		});
	});

	capped('stay live after a write that could not be saved (503), and after a restart', async () => {
		const state = tempPath('pe-store-tokens', 'state.db');
		// Files capped at 256 KiB: a create carrying 600 kB cannot be saved.
		const first = await startOAuth(state, 256 * 1024);
		const tokens = await grant(first.url);
		expect(tokens.status).toBe(200);
		const refused = await createWith(first.url, tokens.access_token!, {
			input_parameters: { blob: 'x'.repeat(600_000) },
		});
		expect([refused.status, refused.headers['retry-after']]).toEqual([503, '1']);
		try {
			// Nothing changed: the token still works, and no issue is held.
			expect(await readWith(first.url, tokens.access_token!)).toBe(200);
			const auth = {
				authorization: `Bearer ${tokens.access_token}`,
				'content-type': 'application/json',
			};
			expect((await send(first.url + TABLE, { headers: auth })).json().result).toEqual([]);
		} finally {
			await first.kill();
		}
		await restarted(state, async (url) => {
			expect(await readWith(url, tokens.access_token!)).toBe(200);
		});
	});
});

/** Runs in a process whose files are capped at 256 KiB: a batch carrying 400 kB cannot be written. */
const SCRIPT = `
const dist = process.argv[1];
const { StateFile } = require(dist + '/emulator/store/stateFile.js');
const { IssueStore } = require(dist + '/emulator/core/issues.js');
const { TokenStore } = require(dist + '/emulator/core/tokens.js');
const { file } = StateFile.open(process.argv[2]);
const issues = new IssueStore((c) => file.stage(c));
const tokens = new TokenStore((c) => file.stage(c));
const content = (issueCode, inputParameters = {}) => ({ issueCode, provider: 'sn', state: 'open', inputParameters, investigativeDetails: {}, at: '2026-11-28 10:00:00' });
const owner = (experienceId) => ({ experienceId, user: 'u1', configurationItem: '', endpoint: { user_id: 'u1' } });
const now = Date.now();
const first = issues.create(content('100'), owner('E-1'));
const kept = tokens.issue('admin', 'client', now, 1800);
file.commit();
const saved = { issues: issues.snapshot(), tokens: tokens.snapshot() };
// The batch that cannot be written: a change, a large new issue, a new token, tokens removed.
issues.setState(first, 'closed', '2026-11-28 10:01:00');
issues.create(content('101', { blob: 'x'.repeat(400000) }), owner('E-2'));
tokens.issue('admin', 'client', now, 1800);
tokens.expireAccessTokens();
let error;
try { file.commit(); } catch (e) { error = e; }
const out = { name: error && error.constructor.name, message: error && error.message, full: error && error.undo && error.undo.full };
if (!error || !error.undo) { console.log(JSON.stringify(out)); process.exit(0); }
issues.revert(error.undo.issues, error.undo.counter);
tokens.revert(error.undo.tokens);
Object.assign(out, {
	saved, reverted: { issues: issues.snapshot(), tokens: tokens.snapshot() },
	beingResolved: Boolean(issues.beingResolved('u1', 'sn', '100')),
	keptWorks: Boolean(tokens.accessGrant(kept.access_token, now)),
	byExperience: [Boolean(issues.byExperience('E-1')), Boolean(issues.byExperience('E-2'))],
});
// The file is still usable: a small change is written.
issues.create(content('102'), owner('E-3'));
file.commit();
file.close();
console.log(JSON.stringify(out));
`;

describe('a commit that cannot be written', () => {
	capped('throws StateCommitError with the write error, and undoes the batch in memory', () => {
		const state = tempPath('pe-store-commit', 'state.db');
		const child = runCappedScript(
			SCRIPT,
			256 * 1024,
			[state],
			['--disable-warning=ExperimentalWarning'],
		);
		expect(child.stderr).toBe('');
		const out = JSON.parse(child.stdout);
		// The write's own error, not the one of a rollback SQLite had already done.
		expect(out.message).not.toMatch(/rollback/i);
		expect(out.name).toBe('StateCommitError');
		expect(out.message).toMatch(
			new RegExp(
				`^The state file ${state} could not be written \\((disk I/O error|database or disk is full)\\)`,
			),
		);
		expect(out.full).toBe(false);
		expect(out.reverted.issues).toEqual(out.saved.issues);
		expect(new Set(out.reverted.tokens.access.map(JSON.stringify))).toEqual(
			new Set(out.saved.tokens.access.map(JSON.stringify)),
		);
		expect(out.reverted.tokens.refresh).toEqual(out.saved.tokens.refresh);
		expect([out.beingResolved, out.keptWorks, out.byExperience]).toEqual([
			true,
			true,
			[true, false],
		]);

		// Saved: the first batch and the last, nothing of the one that failed.
		const { file } = StateFile.open(state);
		try {
			const held = file.load()!;
			expect(held.issues.issues.map((i) => [i.experience_id, i.state, i.number])).toEqual([
				['E-1', 'open', 'PREN0000001'],
				['E-3', 'open', 'PREN0000002'],
			]);
			expect(held.tokens.access).toHaveLength(1);
		} finally {
			file.close();
		}
	});

	capped(
		'leaves the emulator running when an expired token is dropped while the file cannot be written',
		async () => {
			const state = tempPath('pe-store-commit', 'state.db');
			const emu = await start(
				['--state', state, '--auth', 'oauth', '--token-ttl', '1'],
				128 * 1024,
			);
			try {
				const expiring = await grant(emu.url);
				expect(expiring.status).toBe(200);
				expect((await createWith(emu.url, expiring.access_token!)).status).toBe(200);
				// Fill the file until no change fits, not even dropping tokens.
				let status = 200;
				for (let i = 0; i < 500 && status === 200; i++) status = (await grant(emu.url)).status;
				expect(status).toBe(503);
				for (let i = 0; i < 20 && status !== 503; i++)
					status = (await send(`${emu.url}/_emulator/tokens/expire`, { method: 'POST' })).status;
				expect((await send(`${emu.url}/_emulator/tokens/expire`, { method: 'POST' })).status).toBe(
					503,
				);
				await new Promise((resolve) => setTimeout(resolve, 1100));
				// Refused (401), or not answered as the drop could not be saved (503): either way, answered.
				expect([401, 503]).toContain(await readWith(emu.url, expiring.access_token!));
				await new Promise((resolve) => setTimeout(resolve, 200));
				expect((await send(`${emu.url}/_emulator/health`)).status).toBe(200);
				expect(emu.child.exitCode).toBeNull();
			} finally {
				await emu.kill();
			}
		},
	);
});
