#!/usr/bin/env node
/**
 * `n8n-node lint` (n8n's own CLI, strict mode: eslint.config.mjs is its default, unchanged) over
 * the nodes package as n8n lints it: package.json and the node and credential sources — what the
 * verification scanner fetches and lints from the repository, its "what `n8n-node lint` covers at
 * dev time". It runs in a copy of just those (.tmp/n8n-node-lint), since `n8n-node lint` lints
 * every .ts under its folder and this repository also holds the tests and the standalone emulator.
 * The modules the nodes import from contract/ and emulator/core/ are there compiled, so every
 * import resolves; their sources are linted by `npm run lint` with n8n's rules (eslint.repo.config.mjs)
 * and their compiled code by the scanner's tarball pass (scripts/scan-package.mjs).
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { buildSync } = require('esbuild');

const ROOT = path.join(__dirname, '..');
const STAGE = path.join(ROOT, '.tmp', 'n8n-node-lint');

fs.rmSync(STAGE, { recursive: true, force: true });
fs.mkdirSync(STAGE, { recursive: true });
for (const entry of [
	'package.json',
	'eslint.config.mjs',
	'tsconfig.json',
	'nodes',
	'credentials',
]) {
	fs.cpSync(path.join(ROOT, entry), path.join(STAGE, entry), { recursive: true });
}

const sources = (dir) =>
	fs
		.readdirSync(path.join(ROOT, dir), { recursive: true })
		.map((f) => path.join(dir, f))
		.filter((f) => /\.(ts|json)$/.test(f));
const libraries = [...sources('contract'), ...sources(path.join('emulator', 'core'))];
buildSync({
	entryPoints: libraries.filter((f) => f.endsWith('.ts')).map((f) => path.join(ROOT, f)),
	outbase: ROOT,
	outdir: STAGE,
	format: 'cjs',
	platform: 'node',
	logLevel: 'warning',
});
for (const json of libraries.filter((f) => f.endsWith('.json')))
	fs.cpSync(path.join(ROOT, json), path.join(STAGE, json));

const bin = path.join(ROOT, 'node_modules', '.bin', 'n8n-node');
const result = spawnSync(bin, ['lint'], { cwd: STAGE, stdio: 'inherit' });
process.exit(result.status ?? 1);
