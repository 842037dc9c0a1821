#!/usr/bin/env node
/**
 * n8n's verification scanner (@n8n/scan-community-package) on this nodes package, offline: its
 * lint pass over the source (package.json, nodes/, credentials/: the files it fetches from the
 * repository a published version's provenance names) and over the `npm pack` tarball, as n8n
 * runs them before it verifies a community package. Its provenance step needs a published
 * version and is not run. Also proves the packed package installs nothing (no dependencies).
 * Exits 1 on any error. Needs a build (`npm run build`) first.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
	SOURCE_FILE_PATTERNS,
	analyzePackage,
} from '@n8n/scan-community-package/scanner/scanner.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const work = mkdtempSync(join(tmpdir(), 'sn-pe-scan-'));
const plain = (text) => (text ?? '').replace(/\x1b\[[0-9;]*m/g, '');
let failed = false;

try {
	const name = execFileSync('npm', ['pack', '--silent', '--pack-destination', work], {
		cwd: ROOT,
		encoding: 'utf8',
	})
		.trim()
		.split('\n')
		.pop();
	const tarball = join(work, name);
	const unpacked = join(work, 'package');
	execFileSync('tar', ['-xzf', tarball, '-C', work]);
	const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).trim().split('\n');
	const { size } = await import('node:fs').then((fs) => fs.statSync(tarball));
	console.log(`== ${name}: ${files.length} files, ${(size / 1024).toFixed(1)} kB`);

	for (const [label, dir, patterns] of [
		['source', ROOT, SOURCE_FILE_PATTERNS],
		['tarball', unpacked, ['**/*.js', 'package.json']],
	]) {
		const result = await analyzePackage(dir, patterns);
		const details = plain(result.details);
		const counts = /(\d+) problems? \((\d+) errors?, (\d+) warnings?\)/.exec(details);
		const errors = counts ? Number(counts[2]) : result.passed ? 0 : 1;
		console.log(
			`== scanner, ${label}: ${errors} errors${counts ? `, ${counts[3]} warnings` : ''}${result.passed ? '' : ` (${result.message})`}`,
		);
		if (details) console.log(details);
		if (!result.passed) failed = true;
	}

	// What a user's npm installs with the package: nothing.
	execFileSync(
		'npm',
		[
			'install',
			'--omit=dev',
			'--omit=peer',
			'--ignore-scripts',
			'--no-package-lock',
			'--no-audit',
			'--no-fund',
		],
		{ cwd: unpacked, stdio: 'pipe' },
	);
	const installed = existsSync(join(unpacked, 'node_modules'))
		? readdirSync(join(unpacked, 'node_modules')).filter((f) => !f.startsWith('.'))
		: [];
	console.log(
		`== npm install --omit=dev in the packed package: ${installed.length ? installed.join(', ') : 'nothing installed'}`,
	);
	if (installed.length) failed = true;
} finally {
	rmSync(work, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
