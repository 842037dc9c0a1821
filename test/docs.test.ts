/**
 * The documentation holds together: every relative link (and #anchor, slugged as GitHub slugs
 * headings) in README.md, docs/ and the emulator package's README reaches a file and a heading
 * that exist; links to this repository on GitHub reach files that exist here; README.md stays
 * short; the nodes' codex files point at docs pages that exist.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = join(__dirname, '..');
const README_LIMIT = 10_240;

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
	repository: { url: string };
	homepage?: string;
	bugs?: { url: string };
};
/** https://github.com/<owner>/<name>, from package.json's repository. */
const REPO_URL = pkg.repository.url.replace(/^git\+/, '').replace(/\.git$/, '');
const BLOB = `${REPO_URL}/blob/main/`;
const TREE = `${REPO_URL}/tree/main/`;

function markdownFiles(dir: string): string[] {
	return readdirSync(dir).flatMap((name) => {
		const path = join(dir, name);
		if (statSync(path).isDirectory()) return markdownFiles(path);
		return name.endsWith('.md') ? [path] : [];
	});
}

const FILES = [
	join(ROOT, 'README.md'),
	...markdownFiles(join(ROOT, 'docs')),
	join(ROOT, 'packages', 'servicenow-pe-emulator', 'README.md'),
];

/** The text outside fenced code blocks and HTML comments, line by line (code spans blanked). */
function proseLines(text: string): Array<{ line: number; text: string }> {
	const out: Array<{ line: number; text: string }> = [];
	let fence = false;
	const lines = text.replace(/<!--[\s\S]*?-->/g, (c) => c.replace(/[^\n]/g, ' ')).split('\n');
	lines.forEach((raw, i) => {
		if (/^\s*(```|~~~)/.test(raw)) {
			fence = !fence;
			return;
		}
		if (!fence) out.push({ line: i + 1, text: raw });
	});
	return out;
}

/** GitHub's anchor for a heading's text: lower case, punctuation dropped, spaces to hyphens. */
export function githubSlug(heading: string): string {
	const textOnly = heading
		.replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
		.replace(/`/g, '')
		.replace(/\*/g, '')
		.replace(/<[^>]+>/g, '');
	return textOnly
		.trim()
		.toLowerCase()
		.replace(/[^\p{L}\p{N}\p{M}\s_-]/gu, '')
		.replace(/ /g, '-');
}

const anchorCache = new Map<string, Set<string>>();
function anchorsOf(file: string): Set<string> {
	const cached = anchorCache.get(file);
	if (cached) return cached;
	const seen = new Map<string, number>();
	const anchors = new Set<string>();
	for (const { text } of proseLines(readFileSync(file, 'utf8'))) {
		const m = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(text);
		if (!m) continue;
		const base = githubSlug(m[1]);
		const n = seen.get(base) ?? 0;
		seen.set(base, n + 1);
		anchors.add(n === 0 ? base : `${base}-${n}`);
	}
	anchorCache.set(file, anchors);
	return anchors;
}

interface Link {
	file: string;
	line: number;
	target: string;
}

function linksOf(file: string): Link[] {
	const links: Link[] = [];
	for (const { line, text } of proseLines(readFileSync(file, 'utf8'))) {
		const prose = text.replace(/`[^`]*`/g, (c) => ' '.repeat(c.length));
		for (const m of prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g))
			links.push({ file, line, target: m[1] });
	}
	return links;
}

const where = (l: Link) => `${relative(ROOT, l.file)}:${l.line} → ${l.target}`;

/** What is wrong with a link into this repository (a path relative to `from`), or undefined. */
function brokenLocal(from: string, target: string): string | undefined {
	const [rawPath, anchor] = target.split('#', 2) as [string, string | undefined];
	const path = decodeURIComponent(rawPath);
	const file = path ? resolve(dirname(from), path) : from;
	if (!file.startsWith(ROOT)) return 'points outside the repository';
	if (!existsSync(file)) return `no such file: ${relative(ROOT, file)}`;
	if (anchor === undefined || anchor === '') return undefined;
	if (!file.endsWith('.md')) return undefined;
	if (!anchorsOf(file).has(decodeURIComponent(anchor).toLowerCase()))
		return `no heading "#${anchor}" in ${relative(ROOT, file)}`;
	return undefined;
}

/** A link to this repository on GitHub, as the path it names here; undefined for other URLs. */
function repoPath(url: string): string | undefined {
	for (const prefix of [BLOB, TREE])
		if (url.startsWith(prefix)) return url.slice(prefix.length).split('#')[0];
	return undefined;
}

describe('documentation links', () => {
	const all = FILES.flatMap(linksOf);

	it('finds the pages and their links', () => {
		expect(FILES.map((f) => relative(ROOT, f))).toEqual(
			expect.arrayContaining([
				'README.md',
				'docs/action-node.md',
				'docs/sources.md',
				'docs/trigger.md',
				'docs/emulator-trigger.md',
				'docs/credentials.md',
				'docs/emulator.md',
				'docs/limits.md',
				'docs/performance.md',
				'docs/troubleshooting.md',
				'docs/CONTRIBUTING.md',
				'packages/servicenow-pe-emulator/README.md',
			]),
		);
		expect(all.length).toBeGreaterThan(50);
	});

	it('every relative link reaches a file, and every #anchor a heading', () => {
		const broken = all
			.filter((l) => !/^[a-z][a-z0-9+.-]*:/i.test(l.target))
			.map((l) => [where(l), brokenLocal(l.file, l.target)] as const)
			.filter(([, why]) => why)
			.map(([at, why]) => `${at}: ${why}`);
		expect(broken).toEqual([]);
	});

	it('every link to this repository on GitHub reaches a file that exists here', () => {
		const broken = all
			.map((l) => ({ l, path: repoPath(l.target) }))
			.filter(({ path }) => path !== undefined && !existsSync(join(ROOT, path as string)))
			.map(({ l }) => where(l));
		expect(broken).toEqual([]);
	});

	it('the slugs are GitHub’s', () => {
		expect(githubSlug('The Instance URL redirects (301–308)')).toBe(
			'the-instance-url-redirects-301308',
		);
		expect(githubSlug('`mayHaveBeenCreated` on an item')).toBe('mayhavebeencreated-on-an-item');
		expect(githubSlug("As an AI agent's tool")).toBe('as-an-ai-agents-tool');
		expect(githubSlug('A monitoring payload on *Other* (`UNRECOGNISED_PAYLOAD`)')).toBe(
			'a-monitoring-payload-on-other-unrecognised_payload',
		);
		expect(githubSlug('Control API (for tests)')).toBe('control-api-for-tests');
	});
});

describe('README.md', () => {
	it(`is at most ${README_LIMIT} bytes`, () => {
		expect(statSync(join(ROOT, 'README.md')).size).toBeLessThanOrEqual(README_LIMIT);
	});

	it('has the sections a newcomer looks for', () => {
		const headings = [...anchorsOf(join(ROOT, 'README.md'))];
		expect(headings).toEqual(
			expect.arrayContaining([
				'installation',
				'compatibility',
				'before-you-start',
				'quick-start',
				'development',
				'licence',
			]),
		);
	});
});

describe('codex files', () => {
	const codexFiles = readdirSync(join(ROOT, 'nodes', 'ServiceNowPe'))
		.filter((name) => name.endsWith('.node.json'))
		.map((name) => join(ROOT, 'nodes', 'ServiceNowPe', name));

	it.each(codexFiles.map((f) => [relative(ROOT, f), f]))(
		'%s links to docs pages that exist',
		(_name, file) => {
			const codex = JSON.parse(readFileSync(file, 'utf8')) as {
				resources?: Record<string, Array<{ url: string }>>;
			};
			const urls = Object.values(codex.resources ?? {}).flatMap((list) => list.map((r) => r.url));
			expect(urls.length).toBeGreaterThan(0);
			expect(codex.resources?.primaryDocumentation?.length).toBeGreaterThan(0);
			for (const url of urls) {
				expect(url.startsWith(`${BLOB}docs/`)).toBe(true);
				const path = repoPath(url) as string;
				expect(existsSync(join(ROOT, path))).toBe(true);
				const anchor = url.split('#')[1];
				if (anchor) expect(anchorsOf(join(ROOT, path)).has(anchor)).toBe(true);
			}
		},
	);

	it('package.json names the repository, its home page and where to report bugs', () => {
		expect(REPO_URL).toMatch(/^https:\/\/github\.com\/[^/]+\/[^/]+$/);
		expect(pkg.homepage?.startsWith(REPO_URL)).toBe(true);
		expect(pkg.bugs?.url.startsWith(REPO_URL)).toBe(true);
	});
});

describe('the commands the docs show', () => {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const check = require('../scripts/check-docs.js') as {
		pages(): string[];
		extract(page: string): Array<{ page: string; line: number; kind: string; text: string }>;
		ruleFor(command: { kind: string; text: string }): unknown;
	};

	it('each has a way to be checked in scripts/check-docs.js (npm run check:docs runs them)', () => {
		const commands = check.pages().flatMap((page) => check.extract(page));
		// README's Quick start, the emulator's command line and curl, the JavaScript blocks
		expect(commands.length).toBeGreaterThan(40);
		expect(commands.filter((c) => c.kind === 'js')).toHaveLength(2);
		const unknown = commands
			.filter((c) => !check.ruleFor(c))
			.map((c) => `${c.page}:${c.line} \`${c.text}\``);
		expect(unknown).toEqual([]);
	});

	it('a command no rule knows is found', () => {
		expect(check.ruleFor({ kind: 'inline', text: 'npm run something-new' })).toBeUndefined();
		expect(
			check.ruleFor({ kind: 'inline', text: 'npx servicenow-pe-emulator --auth basic' }),
		).toBeDefined();
	});
});
