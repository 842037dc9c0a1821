/**
 * No commit of the state file ends the emulator: a change made outside a request's batch (an
 * expired token swept while the headers are read, a call of the API) that cannot be written is
 * undone in memory, and where an answer is pending it is 503. The file is made unwritable as a
 * full disk makes it: the emulator runs in a process whose files are capped by `prlimit`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/temp';

const DIST = join(__dirname, '..', '..', 'dist');
const canCapFileSize = spawnSync('prlimit', ['--version']).status === 0;
const capped = canCapFileSize ? it : it.skip;

const SCRIPT = `
const { startEmulator } = require(process.argv[1] + '/emulator/server.js');
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const BODY = 'grant_type=client_credentials&client_id=pe-emulator-client&client_secret=pe-emulator-secret';
(async () => {
	let shift = 0;
	const sn = await startEmulator({ port: 0, statePath: process.argv[2], auth: 'oauth', now: () => Date.now() + shift });
	const grant = async () => {
		const r = await fetch(sn.url + '/oauth_token.do', { method: 'POST', headers: FORM, body: BODY });
		return { status: r.status, token: r.status === 200 ? (await r.json()).access_token : undefined };
	};
	const read = async (token) => (await fetch(sn.url + '/api/now/table/sys_user_role', { headers: { authorization: 'Bearer ' + token } })).status;
	const out = {};
	const first = await grant();
	out.first = first.status;
	// Fill the file until no change fits.
	let status = 200;
	for (let i = 0; i < 2000 && status === 200; i++) status = (await grant()).status;
	out.full = status;
	// A call of the API whose change cannot be saved: committed after this turn, undone.
	sn.emulator.expireAccessTokens();
	await new Promise((resolve) => setTimeout(resolve, 50));
	out.afterApiCall = await read(first.token);
	// Moving the clock on through the control API is a change of state too: not saved, refused.
	out.clockAdvance = (await fetch(sn.url + '/_emulator/clock/advance', { method: 'POST', body: '{"seconds":3600}' })).status;
	// The token expires (the clock moves on by itself); its next use sweeps it while reading the headers.
	shift = 3600 * 1000;
	out.expiredToken = await read(first.token);
	out.health = (await fetch(sn.url + '/_emulator/health')).status;
	await sn.close();
	console.log(JSON.stringify(out));
})();
`;

describe('a state file that cannot be written outside a batch', () => {
	capped('answers 503, undoes the change in memory and stays up', () => {
		if (!existsSync(join(DIST, 'emulator', 'server.js'))) throw new Error('dist is missing: run "npm run build" first (npm test does).');
		const state = join(tempDir('pe-hostile-commit'), 'state.db');
		const child = spawnSync('prlimit', [`--fsize=${128 * 1024}`, process.execPath, '-e', SCRIPT, DIST, state], { encoding: 'utf8', timeout: 60_000 });
		// Before: "database or disk is full" thrown from a microtask, and the process ended with 1.
		expect({ status: child.status, stderr: child.stderr }).toEqual({ status: 0, stderr: '' });
		expect(JSON.parse(child.stdout)).toEqual({
			first: 200,
			full: 503,
			// The held state is the file's again: the token whose expiry was not saved still works.
			afterApiCall: 200,
			clockAdvance: 503,
			// Not refused as if the sweep were saved: not answered, as nothing could be saved.
			expiredToken: 503,
			health: 200,
		});
	});
});
