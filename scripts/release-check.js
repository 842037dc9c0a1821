#!/usr/bin/env node
/**
 * `npm run release:check`: everything the publish workflow (.github/workflows/publish.yml) runs
 * before it uploads, in the same order — lint (n8n-node lint included), build, tests, n8n's
 * verification scanner on the packed nodes package, the emulator package from its tarball, and
 * `npm publish --dry-run` of both packages. Only the upload (and its provenance statement, which
 * only GitHub Actions can sign) is left out.
 */
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const nodes = require(path.join(ROOT, 'package.json'));
const emulator = require(path.join(ROOT, 'packages', 'servicenow-pe-emulator', 'package.json'));

// Both packages are released together, under one version; a tag names it.
const tag =
	process.env.GITHUB_REF_TYPE === 'tag' ? process.env.GITHUB_REF_NAME.replace(/^v/, '') : undefined;
for (const [name, version] of [
	[emulator.name, emulator.version],
	...(tag ? [['the tag', tag]] : []),
]) {
	if (version !== nodes.version) {
		console.error(
			`${name} is at ${version}, ${nodes.name} at ${nodes.version}: release both under one version (npm version <v> --workspaces --include-workspace-root).`,
		);
		process.exit(1);
	}
}

const steps = [
	['lint', ['run', 'lint']],
	['build', ['run', 'build']],
	['tests', ['test']],
	["n8n's verification scanner on the packed nodes package", ['run', 'scan']],
	['the emulator package from its tarball', ['run', 'check:emulator-package']],
	['the commands README and docs/ show', ['run', 'check:docs']],
	[`npm publish --dry-run ${nodes.name}`, ['publish', '--dry-run']],
	[`npm publish --dry-run ${emulator.name}`, ['publish', '--dry-run', '-w', emulator.name]],
];
const started = Date.now();
for (const [label, args] of steps) {
	const at = Date.now();
	console.log(`\n== release:check: ${label} (npm ${args.join(' ')})`);
	// RELEASE_MODE lets `n8n-node prerelease` (prepublishOnly) pass, as in the publish workflow.
	const result = spawnSync('npm', args, {
		cwd: ROOT,
		stdio: 'inherit',
		env: { ...process.env, RELEASE_MODE: 'true' },
	});
	if (result.status !== 0) {
		console.error(`\n== release:check FAILED at: ${label}`);
		process.exit(result.status ?? 1);
	}
	console.log(`== ${label}: ok in ${Math.round((Date.now() - at) / 1000)} s`);
}
console.log(
	`\n== release:check passed in ${Math.round((Date.now() - started) / 1000)} s: only the upload is left (publish.yml, on a version tag).`,
);
