/**
 * The documentation holds together: every relative link (and #anchor, slugged as GitHub slugs
 * headings) in README.md, docs/ and the emulator package's README reaches a file and a heading
 * that exist; links to this repository on GitHub reach files that exist here; README.md stays
 * short; the nodes' codex files point at docs pages that exist. And npm run check:docs
 * (scripts/check-docs.js) finds every command as GitHub shows the page, takes a command as run by
 * CI or an end-to-end test only as written there, and fails what it cannot compare.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tempDir } from './helpers/temp';
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

interface DocCommand {
	page: string;
	line: number;
	kind: string;
	text: string;
	expected: string[];
	problem?: string;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const check = require('../scripts/check-docs.js') as {
	pages(): string[];
	extract(page: string, source?: string): DocCommand[];
	ruleFor(command: { kind: string; text: string }): unknown;
	checkRule(command: DocCommand, rule: unknown): string | undefined;
	unreadCommands(planned: Array<{ command: DocCommand; rule: unknown }>): string[];
	runCurl(command: DocCommand, project: string): Promise<string | undefined>;
	runEmulatorCommand(command: DocCommand, cwd: string): Promise<string | undefined>;
	runJs(command: DocCommand, project: string, index: number): string | undefined;
};

describe('the commands the docs show', () => {
	it('each has a way to be checked in scripts/check-docs.js (npm run check:docs runs them)', () => {
		const commands = check.pages().flatMap((page) => check.extract(page));
		// README's Quick start, the emulator's command line and curl, the JavaScript blocks
		expect(commands.length).toBeGreaterThan(40);
		expect(commands.filter((c) => c.kind === 'js')).toHaveLength(2);
		const unknown = commands
			.filter((c) => !check.ruleFor(c))
			.map((c) => `${c.page}:${c.line} \`${c.text}\`${c.problem ? `: ${c.problem}` : ''}`);
		expect(unknown).toEqual([]);
	});

	it('a command no rule knows is found', () => {
		expect(check.ruleFor({ kind: 'inline', text: 'npm run something-new' })).toBeUndefined();
		expect(
			check.ruleFor({ kind: 'inline', text: 'npx servicenow-pe-emulator --auth basic' }),
		).toBeDefined();
	});
});

describe('check:docs reads markdown as GitHub shows it', () => {
	const BANNER = 'ServiceNow Proactive Engagement emulator listening on http://127.0.0.1:8787';
	const read = (source: string) =>
		check.extract('docs/x.md', source).map(({ line, kind, text, expected, problem }) => ({
			line,
			kind,
			text,
			expected,
			...(problem ? { problem } : {}),
		}));
	const sh = (line: number, text: string, expected: string[] = []) => ({
		line,
		kind: 'sh',
		text,
		expected,
	});

	it('CRLF line ends', () => {
		const page = ['```sh', 'npx servicenow-pe-emulator --port 8787', `# ${BANNER}`, '```', ''];
		expect(read(page.join('\r\n'))).toEqual([
			sh(2, 'npx servicenow-pe-emulator --port 8787', [BANNER]),
		]);
	});

	it('~~~ fences, fences with an info string, longer fences: none hides what follows it', () => {
		const page = [
			'~~~text',
			'```',
			'~~~',
			'~~~sh',
			'npx servicenow-pe-emulator --a',
			'~~~',
			'```sh title="start it"',
			'npx servicenow-pe-emulator --b',
			'```',
			'Then `npx servicenow-pe-emulator --c`.',
			'````md',
			'```sh',
			'```',
			'````',
			'```bash',
			'npx servicenow-pe-emulator --d',
			'```',
		];
		expect(read(page.join('\n')).map((c) => [c.line, c.kind, c.text])).toEqual([
			[5, 'sh', 'npx servicenow-pe-emulator --a'],
			[8, 'sh', 'npx servicenow-pe-emulator --b'],
			[10, 'inline', 'npx servicenow-pe-emulator --c'],
			[16, 'sh', 'npx servicenow-pe-emulator --d'],
		]);
	});

	it('a fence indented in a list, its output line and a curl whose quote spans lines', () => {
		const page = [
			'1. Start it:',
			'',
			'    ```sh',
			'    npx servicenow-pe-emulator --port 8787',
			`    # ${BANNER}`,
			"    curl -s http://127.0.0.1:8787/x --data '{",
			'      "a": 1}\'',
			'    ```',
		];
		expect(read(page.join('\n'))).toEqual([
			sh(4, 'npx servicenow-pe-emulator --port 8787', [BANNER]),
			sh(6, 'curl -s http://127.0.0.1:8787/x --data \'{\n  "a": 1}\''),
		]);
	});

	it("a fence never closed, and a command in a fence that is no shell's, are problems", () => {
		const unclosed = read('text\n\n```sh\nnpx servicenow-pe-emulator --no-such-option\n');
		expect(unclosed).toEqual([
			expect.objectContaining({
				line: 3,
				kind: 'fence',
				problem: expect.stringMatching(/never closed/),
			}),
		]);
		const console = read(
			'```console\n$ npx servicenow-pe-emulator --x\n```\n```\ncontract/   api.ts\n```',
		);
		expect(console).toEqual([
			expect.objectContaining({
				line: 2,
				text: 'npx servicenow-pe-emulator --x',
				problem: expect.stringMatching(/not checked/),
			}),
		]);
		for (const c of [...unclosed, ...console]) expect(check.ruleFor(c)).toBeUndefined();
	});

	it('code spans of two backticks (holding one), spans that wrap', () => {
		const page = [
			'As in `` npx servicenow-pe-emulator --a ``, ``a ` inside``. A release: `npm version <x.y.z>',
			'--workspaces`, then `npm run release:check`, then `<x.y.z>`.',
		];
		expect(read(page.join('\n')).map((c) => [c.line, c.text])).toEqual([
			[1, 'npx servicenow-pe-emulator --a'],
			[1, 'npm version <x.y.z> --workspaces'],
			[2, 'npm run release:check'],
		]);
	});
});

describe('check:docs classes a command by what it is, arguments and all', () => {
	const command = (text: string, expected: string[] = []): DocCommand => ({
		page: 'docs/CONTRIBUTING.md',
		line: 1,
		kind: 'inline',
		text,
		expected,
	});
	const verdict = (text: string, expected?: string[]) => {
		const c = command(text, expected);
		const rule = check.ruleFor(c);
		expect(rule).toBeDefined();
		return check.checkRule(c, rule);
	};

	it('CI runs it only as .ci/run writes it', () => {
		for (const text of ['npm cit', 'npm run lint', 'npm run test:e2e', 'npm run check:docs'])
			expect([text, verdict(text)]).toEqual([text, undefined]);
		for (const text of [
			'npm run lint -- --fix',
			'npm run test:e2e -- test/e2e/missing.e2e.test.ts',
			'E2E_N8N_VERSION=0.1.0 npm run test:e2e',
		])
			expect(verdict(text)).toMatch(/\.ci\/run does not run/);
		expect(
			verdict('E2E_N8N_VERSION=1.123.81 npm run test:e2e -- test/e2e/n8n.e2e.test.ts'),
		).toBeUndefined();
	});

	it('an end-to-end test runs npm run dev only with the options it gives', () => {
		expect(verdict('npm run dev -- --reset-demos')).toBeUndefined();
		expect(verdict('npm run dev -- --no-such-flag')).toMatch(/never runs it with --no-such-flag/);
	});

	it('an end-to-end test that reads a page runs its first such command, not a second one', () => {
		const curl = (line: number, file: string) => ({
			...command(
				`curl -s -X POST http://127.0.0.1:5678/webhook/alertmanager -H 'content-type: application/json' --data @examples/${file}`,
			),
			page: 'README.md',
			line,
		});
		const planned = [curl(71, 'alertmanager-alert.json'), curl(120, 'no-such-alert.json')].map(
			(c) => ({ command: c, rule: check.ruleFor(c) }),
		);
		expect(planned.map((p) => check.checkRule(p.command, p.rule))).toEqual([undefined, undefined]);
		expect(check.unreadCommands(planned)).toEqual([
			expect.stringMatching(
				/^README\.md:120 .*runs only the first such command of README\.md \(line 71\)/,
			),
		]);
		expect(check.unreadCommands(planned.slice(0, 1))).toEqual([]);
	});

	it('output shown under a command that is not run is a problem: nothing compares it', () => {
		expect(verdict('npm test', ['Tests: 99999 passed'])).toMatch(/not run here/);
		expect(verdict('npm run bench', ['p99 1 ms'])).toMatch(/not run here/);
	});
});

describe('check:docs runs a command and compares what it prints', () => {
	// The emulator package's command in a folder of its own, as the packed package installs it
	const project = tempDir('check-docs');
	const bin = join(project, 'node_modules', '.bin');
	mkdirSync(bin, { recursive: true });
	const cli = join(ROOT, 'packages', 'servicenow-pe-emulator', 'dist', 'emulator', 'cli.js');
	writeFileSync(
		join(bin, 'servicenow-pe-emulator'),
		`#!/bin/sh\nexec node ${JSON.stringify(cli)} "$@"\n`,
		{
			mode: 0o755,
		},
	);
	const command = (kind: string, text: string, expected: string[] = []): DocCommand => ({
		page: 'docs/x.md',
		line: 1,
		kind,
		text,
		expected,
	});

	it('a curl the emulator answers with an error fails, unless the docs print that error', async () => {
		expect(
			await check.runCurl(command('sh', 'curl -s http://127.0.0.1:8787/_emulator/issues'), project),
		).toBeUndefined();
		expect(
			await check.runCurl(command('sh', 'curl -s http://127.0.0.1:8787/bogus'), project),
		).toMatch(/answered HTTP 400: .*Requested URI does not represent any resource/);
		expect(
			await check.runCurl(
				command('sh', 'curl -s http://127.0.0.1:8787/bogus', [
					'{"error":{"message":"Requested URI does not represent any resource","detail":""},"status":"failure"}',
				]),
				project,
			),
		).toBeUndefined();
	});

	it('what --help and --print-seed print is compared', async () => {
		const help = 'Usage: servicenow-pe-emulator [options]';
		expect(
			await check.runEmulatorCommand(
				command('sh', 'npx servicenow-pe-emulator --help', [help]),
				project,
			),
		).toBeUndefined();
		expect(
			await check.runEmulatorCommand(
				command('sh', 'npx servicenow-pe-emulator --help', ['Usage: something else']),
				project,
			),
		).toMatch(/the docs promise/);
		const seed = (first: string) =>
			check.runEmulatorCommand(
				command('sh', 'npx servicenow-pe-emulator --print-seed', [first]),
				project,
			);
		expect(await seed('{')).toBeUndefined();
		expect(await seed('[')).toMatch(/the docs promise/);
	});

	it('a JavaScript block that never ends is stopped and fails', () => {
		process.env.CHECK_DOCS_TIME_LIMIT_S = '2';
		try {
			const started = Date.now();
			expect(check.runJs(command('js', 'setInterval(() => {}, 1000);'), project, 1)).toMatch(
				/still running after 2 s/,
			);
			expect(Date.now() - started).toBeLessThan(10_000);
		} finally {
			delete process.env.CHECK_DOCS_TIME_LIMIT_S;
		}
	});
});
