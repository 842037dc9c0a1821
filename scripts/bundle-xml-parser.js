#!/usr/bin/env node
/**
 * Replaces the compiled contract/xmlParser.js under <outDir> with fast-xml-parser bundled into
 * that one file, so the built package needs no runtime dependency (n8n verifies community
 * packages only when `dependencies` is empty). Run after tsc: `node scripts/bundle-xml-parser.js dist`.
 */
const fs = require('node:fs');
const path = require('node:path');
const { buildSync } = require('esbuild');

const ROOT = path.join(__dirname, '..');
const outDir = path.resolve(process.argv[2] || path.join(ROOT, 'dist'));
const { version } = JSON.parse(
	fs.readFileSync(path.join(ROOT, 'node_modules', 'fast-xml-parser', 'package.json'), 'utf8'),
);

buildSync({
	entryPoints: [path.join(ROOT, 'contract', 'xmlParser.ts')],
	outfile: path.join(outDir, 'contract', 'xmlParser.js'),
	bundle: true,
	platform: 'node',
	format: 'cjs',
	// n8n 1.x runs on Node 20.19 and newer.
	target: 'node20',
	banner: {
		js: `/* fast-xml-parser ${version}, bundled. MIT License, Copyright (c) 2017 Amit Kumar Gupta: https://github.com/NaturalIntelligence/fast-xml-parser/blob/master/LICENSE */`,
	},
	legalComments: 'inline',
	logLevel: 'warning',
});
