#!/usr/bin/env node
'use strict';
/**
 * `npm run check:docs`: every command README.md, docs/*.md and the emulator package's README show,
 * checked on this clone (CI runs it on a fresh one, after `npm cit` has built it).
 *
 * Commands are the shell blocks (```sh), the JavaScript blocks (```js) and the inline code spans
 * that start with a command (`npm …`, `npx …`, `curl …`). Each one must match a rule below, which
 * says how it is checked:
 *   run   run here, as a user runs it: the emulator package packed and installed from its tarball
 *         in a fresh folder (`npx servicenow-pe-emulator …`), `npm run emulator -- …` in this
 *         clone, curl against the emulator, the JavaScript blocks as ES modules in that folder.
 *         A line `# …` under a shell command (or `// prints: …` after a JavaScript line) is the
 *         output the docs promise, compared as written (the port aside); a curl without one must
 *         be answered 2xx, in JSON. A command still running after 2 minutes fails.
 *   ci    run by .ci/run, as written (the check makes sure .ci/run still runs it).
 *   e2e   run by an end-to-end test in real n8n (the check makes sure that test exists, and gives
 *         an npm script the options the docs give it).
 *   skip  not run, with the reason (printed).
 * A command no rule knows fails the check: a new command in the docs gets a way to be checked.
 * So does output shown under a command that is not run (nothing would compare it).
 * Ports: the docs say 8787 (the emulator's default); each run takes a free port instead, so that a
 * running `npm run dev` does not get in the way.
 */
const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const PACKAGE = require(path.join(ROOT, 'package.json'));
const CI_RUN = fs.readFileSync(path.join(ROOT, '.ci', 'run'), 'utf8');

/** The pages whose commands are checked, relative to the repository root. */
function pages() {
	const docs = fs
		.readdirSync(path.join(ROOT, 'docs'))
		.filter((f) => f.endsWith('.md'))
		.map((f) => `docs/${f}`);
	return ['README.md', ...docs, 'packages/servicenow-pe-emulator/README.md'];
}

const COMMAND_START = /^(?:[A-Z][A-Z0-9_]*=\S+\s+)*(?:npm|npx|curl|cd|node|docker|git)\s/;

/**
 * The commands of one page: { page, line, kind: 'sh' | 'js' | 'inline', text, expected[] }.
 * Shell lines continued with a backslash are joined; a trailing `  # note` is dropped. Fences are
 * read as CommonMark reads them (``` or ~~~, an info string after the language, closed by the same
 * character at least as many times, CRLF line ends); a fence never closed, or a command shown in a
 * fence that is no shell's (```console, ```text), is a `problem`: GitHub shows it, nothing checks it.
 */
function extract(page, source = fs.readFileSync(path.join(ROOT, page), 'utf8')) {
	const lines = source.split(/\r?\n/);
	const found = [];
	let fence;
	let prose = [];
	const endProse = () => {
		found.push(...codeSpans(page, prose));
		prose = [];
	};
	for (let i = 0; i < lines.length; i++) {
		const line = lines[i];
		if (fence) {
			if (fence.close.test(line)) {
				found.push(...fenced(page, fence));
				fence = undefined;
			} else fence.body.push(line.replace(fence.indent, ''));
			continue;
		}
		const open = /^(\s*)(`{3,}|~{3,})\s*(.*)$/.exec(line);
		// a backtick fence's info string holds no backtick (else it is a code span)
		if (open && !(open[2][0] === '`' && open[3].includes('`'))) {
			endProse();
			const [, indent, marker, info] = open;
			fence = {
				lang: info.trim().split(/[\s{]/)[0].toLowerCase(),
				marker,
				start: i + 1,
				body: [],
				close: new RegExp(`^\\s*\\${marker[0]}{${marker.length},}\\s*$`),
				indent: new RegExp(`^ {0,${indent.length}}`),
			};
			continue;
		}
		if (line.trim()) prose.push({ line: i + 1, text: line });
		else endProse();
	}
	endProse();
	if (fence)
		found.push({
			page,
			line: fence.start,
			kind: 'fence',
			text: `${fence.marker}${fence.lang}`,
			expected: [],
			problem: `this ${fence.marker} fence is never closed: what follows it shows as code, and no command in it is checked`,
		});
	return found;
}

/** The commands of a closed fence. */
function fenced(page, fence) {
	if (['sh', 'bash', 'shell', 'zsh'].includes(fence.lang)) return shellBlock(page, fence);
	if (['js', 'javascript', 'mjs'].includes(fence.lang))
		return page === 'docs/sources.md'
			? []
			: [{ page, line: fence.start, kind: 'js', text: fence.body.join('\n'), expected: [] }];
	return fence.body.flatMap((raw, j) => {
		const text = raw.trim().replace(/^\$\s+/, '');
		return COMMAND_START.test(text)
			? [
					{
						page,
						line: fence.start + 1 + j,
						kind: 'fence',
						text,
						expected: [],
						problem: `a command in a ${fence.marker}${fence.lang} fence is not checked: show it in a ${fence.marker}sh fence`,
					},
				]
			: [];
	});
}

/** The code spans of a paragraph that start with a command (a span may hold backticks, and wrap). */
function codeSpans(page, prose) {
	if (!prose.length) return [];
	const text = prose.map((p) => p.text).join('\n');
	const found = [];
	for (const m of text.matchAll(/(?<!`)(`+)(?!`)([\s\S]*?[^`])\1(?!`)/g)) {
		const span = m[2].replace(/\n/g, ' ').trim();
		if (COMMAND_START.test(span))
			found.push({
				page,
				line: prose[0].line + (text.slice(0, m.index).match(/\n/g)?.length ?? 0),
				kind: 'inline',
				text: span,
				expected: [],
			});
	}
	return found;
}

function shellBlock(page, fence) {
	const commands = [];
	let current;
	fence.body.forEach((raw, j) => {
		const line = raw.trim();
		if (!line) return;
		if (line.startsWith('#')) {
			if (current) current.expected.push(line.replace(/^#\s?/, ''));
			return;
		}
		if (current && current.continued) {
			// a continued line: after a backslash, or inside a quote still open (curl's --data '…')
			current.text += current.quoted ? `\n${raw}` : ` ${line.replace(/\\$/, '').trim()}`;
			current.quoted = openQuote(current.text);
			current.continued = current.quoted || line.endsWith('\\');
			return;
		}
		const text = line.replace(/\\$/, '').trim();
		current = {
			page,
			line: fence.start + 1 + j,
			kind: 'sh',
			text,
			quoted: openQuote(text),
			continued: openQuote(text) || line.endsWith('\\'),
			expected: [],
		};
		commands.push(current);
	});
	return commands.map(({ continued, quoted, ...c }) => ({
		...c,
		text: c.text.replace(/\s{2,}#\s.*$/, ''),
	}));
}

/** Whether a shell line ends inside a single or double quote. */
function openQuote(text) {
	let quote;
	for (const ch of text) {
		if (quote) {
			if (ch === quote) quote = undefined;
		} else if (ch === "'" || ch === '"') quote = ch;
	}
	return quote !== undefined;
}

/** Whether .ci/run runs this command as written (with arguments of its own after it, at most). */
const inCi = (command) =>
	CI_RUN.split('\n').some((l) => l.trim() === command || l.trim().startsWith(`${command} `));
const npmScript = (text) => /^npm run ([\w:-]+)/.exec(text)?.[1];

/**
 * How each command is checked: the first rule whose `match` fits. `how` is 'run', 'ci', 'e2e' or
 * 'skip'; `check` (ci, e2e) says what must hold for the claim to stay true.
 */
const RULES = [
	{
		match: /^npx servicenow-pe-emulator( |$)/,
		how: 'run',
		run: 'package',
	},
	{ match: /^npm run emulator -- /, how: 'run', run: 'repository' },
	{ match: /^curl\b.*127\.0\.0\.1:8787/, how: 'run', run: 'curl' },
	{ match: /^js$/, how: 'run', run: 'js' },
	{
		match: /^curl\b.*127\.0\.0\.1:5678\/webhook\/alertmanager /,
		how: 'e2e',
		test: 'test/e2e/quickstart.e2e.test.ts',
		reason: "README's Quick start, step by step, in real n8n",
		readsPage: true,
	},
	{
		match: /^curl\b.*127\.0\.0\.1:5678\/webhook\/servicenow-emulator\//,
		how: 'e2e',
		test: 'test/e2e/dev.e2e.test.ts',
		reason: "against npm run dev's emulator trigger demo, as written",
		readsPage: true,
	},
	{
		match: /^curl\b.*127\.0\.0\.1:5678\/webhook\/demo-alert /,
		how: 'e2e',
		test: 'test/e2e/dev.e2e.test.ts',
		reason: 'the curl npm run dev prints, run as printed',
		check: (c) => printedByDev(c.text),
	},
	{
		match: /^npm run dev\b/,
		how: 'e2e',
		test: 'test/e2e/dev.e2e.test.ts',
		reason: 'npm run dev started, its demos fired, stopped with SIGINT, started again',
	},
	{
		match: /^cd ~\/\.n8n\/nodes && npm install n8n-nodes-servicenow-proactive-engagement$/,
		how: 'skip',
		reason:
			'installing by name needs the published package; the end-to-end suite installs the npm pack tarball into <user folder>/.n8n/nodes the same way',
	},
	{
		match: /^npm run lint:n8n$/,
		how: 'ci',
		ciCommand: 'npm run lint',
		reason: 'the last step of npm run lint',
	},
	{
		match: /^(?:E2E_N8N_VERSION=\S+ )?npm run (?:lint|scan|check:[\w-]+|n8n:install|test:e2e)\b/,
		how: 'ci',
	},
	{ match: /^npm (?:cit|ci|test)$/, how: 'ci', ciCommand: 'npm cit' },
	{
		match: /^npm run build$/,
		how: 'ci',
		ciCommand: 'npm cit',
		reason: "npm test's pretest builds",
	},
	{
		match: /^npm pack$/,
		how: 'ci',
		ciCommand: 'npm run scan',
		reason: 'the scanner and the emulator package check pack',
	},
	{
		match: /^npm run bench$/,
		how: 'skip',
		reason:
			'about 5 minutes, and meaningful only on a quiet machine: run by hand (docs/performance.md)',
	},
	{
		match: /^npm run screenshots$/,
		how: 'skip',
		reason: 'needs npm run dev running and Chromium: run by hand',
	},
	{
		match: /^npm run release:check$/,
		how: 'skip',
		reason: 'CI runs each of its steps but the npm publish --dry-run',
	},
	{ match: /^npm publish --dry-run$/, how: 'skip', reason: 'part of npm run release:check' },
	{
		match: /^npm version <x\.y\.z> --workspaces --include-workspace-root$/,
		how: 'skip',
		reason: "a release's first step, by a maintainer: it commits and tags a new version",
	},
	{
		match: /^npm run format$/,
		how: 'skip',
		reason: 'rewrites files; npm run lint checks the formatting',
	},
	{ match: /^npm run emulator$/, how: 'run', run: 'repository' },
	{
		match: /^npm install-scripts (?:approve|deny) <name>$/,
		how: 'skip',
		reason:
			"a maintainer's review of a new dependency's install script; package.json's allowScripts is what npm cit installs with",
	},
	{
		match: /^npm install(?: --ignore-scripts)?$/,
		how: 'skip',
		reason: 'named in prose (how n8n is installed), not a step to run',
	},
];

function ruleFor(command) {
	if (command.problem) return undefined;
	const key = command.kind === 'js' ? 'js' : command.text;
	return RULES.find((r) => r.match.test(key));
}

/** The curl npm run dev prints (scripts/dev.js), with the default ports. */
function printedByDev(text) {
	const source = fs.readFileSync(path.join(ROOT, 'scripts', 'dev.js'), 'utf8');
	const printed = source
		.split('\n')
		.map((l) =>
			l
				.trim()
				.replace(/\$\{base\}/g, 'http://127.0.0.1:5678')
				.replace(/@\$\{path\.relative\([^}]*\|\| (\w+)\}/g, (_, v) => `@<${v}>`),
		)
		.filter((l) => l.startsWith('curl '));
	const wanted = text.replace(/@examples\/alertmanager-alert\.json/, '@<alert>');
	return printed.includes(wanted)
		? undefined
		: `npm run dev prints no such curl (scripts/dev.js prints: ${printed.join(' | ')})`;
}

// ---------------------------------------------------------------------------------------------
// Running

function freePort() {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address();
			server.close(() => resolve(port));
		});
	});
}

/** `text` on port `port` instead of the docs' 8787 (a command without --port gets one). */
function onPort(text, port, addPortOption) {
	const moved = text.replace(/127\.0\.0\.1:8787/g, `127.0.0.1:${port}`);
	if (/--port \d+/.test(moved)) return moved.replace(/--port \d+/, `--port ${port}`);
	if (!addPortOption) return moved;
	// npm run passes options to the script only after `--`
	return /^npm run \S+$/.test(moved) ? `${moved} -- --port ${port}` : `${moved} --port ${port}`;
}

/** Starts a shell command that serves; resolves once it prints `listening on`. */
function serve(command, cwd) {
	const child = spawn('bash', ['-c', `exec ${command}`], {
		cwd,
		env: process.env,
		stdio: ['ignore', 'pipe', 'pipe'],
		detached: true,
	});
	let out = '';
	const exit = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
	const listening = new Promise((resolve, reject) => {
		const timer = setTimeout(
			() => reject(new Error(`no "listening on" within 120 s: ${out.trim()}`)),
			120_000,
		);
		const read = (chunk) => {
			out += chunk;
			if (/listening on http:\S+/.test(out)) {
				clearTimeout(timer);
				resolve();
			}
		};
		child.stdout.on('data', read);
		child.stderr.on('data', read);
		exit.then((code) => {
			clearTimeout(timer);
			reject(new Error(`exited ${code}: ${out.trim()}`));
		});
	});
	const stop = async () => {
		try {
			process.kill(-child.pid, 'SIGTERM');
		} catch {
			// already gone
		}
		return exit;
	};
	return { listening, stop, output: () => out };
}

/** How long a command may run to its end (seconds; CHECK_DOCS_TIME_LIMIT_S, else 120). */
const runLimitS = () => Number(process.env.CHECK_DOCS_TIME_LIMIT_S) || 120;

/** Runs a shell command to its end: one still running after the time limit is killed. */
function sh(command, cwd) {
	try {
		return {
			code: 0,
			out: execFileSync('bash', ['-c', command], {
				cwd,
				encoding: 'utf8',
				stdio: 'pipe',
				timeout: runLimitS() * 1000,
				killSignal: 'SIGKILL',
			}),
		};
	} catch (e) {
		const out = `${e.stdout ?? ''}${e.stderr ?? ''}`;
		return e.code === 'ETIMEDOUT' || e.signal
			? { code: 'killed', out: `still running after ${runLimitS()} s, killed: ${out}` }
			: { code: e.status, out };
	}
}

/** What the docs promise as output, against what came: undefined when they agree. */
function compare(expected, actual, port) {
	if (!expected.length) return undefined;
	const want = expected.map((l) => l.replace(/127\.0\.0\.1:8787/g, `127.0.0.1:${port}`));
	const got = actual.trim().split('\n').slice(0, want.length);
	return want.every((l, i) => got[i]?.trim() === l.trim())
		? undefined
		: `the docs promise\n      ${want.join('\n      ')}\n    it printed\n      ${actual.trim().split('\n').join('\n      ')}`;
}

/** A fresh folder with the emulator package installed from its tarball, as a user installs it. */
function installEmulatorPackage(work) {
	const name = execFileSync(
		'npm',
		['pack', '--silent', '-w', 'servicenow-pe-emulator', '--pack-destination', work],
		{ cwd: ROOT, encoding: 'utf8' },
	)
		.trim()
		.split('\n')
		.pop();
	const project = path.join(work, 'project');
	fs.mkdirSync(project);
	fs.writeFileSync(
		path.join(project, 'package.json'),
		JSON.stringify({ name: 'docs-check', private: true, type: 'module' }),
	);
	execFileSync('npm', ['install', '--no-audit', '--no-fund', '--silent', path.join(work, name)], {
		cwd: project,
		stdio: 'inherit',
	});
	return project;
}

/** An emulator command line, in `cwd`: one that prints and exits (--print-seed, --help) run to its end, else served. */
async function runEmulatorCommand(command, cwd) {
	const port = await freePort();
	const text = onPort(command.text, port, true);
	if (/--print-seed|--help/.test(text)) {
		const res = sh(text, cwd);
		return res.code === 0
			? compare(command.expected, res.out, port)
			: `exited ${res.code}: ${res.out}`;
	}
	const server = serve(text, cwd);
	try {
		await server.listening;
		return compare(command.expected, server.output(), port);
	} finally {
		await server.stop();
	}
}

/**
 * A curl against an emulator of its own. The output the docs print is compared; without one, the
 * answer must be a success (2xx, read from the headers curl is told to keep) in JSON.
 */
async function runCurl(command, project) {
	const port = await freePort();
	const server = serve(`npx servicenow-pe-emulator --port ${port}`, project);
	const headers = path.join(project, `curl-headers-${port}.txt`);
	try {
		await server.listening;
		fs.rmSync(headers, { force: true });
		const curl = `curl() { command curl --dump-header ${JSON.stringify(headers)} "$@"; }`;
		const res = sh(`${curl}\n${onPort(command.text, port, false)}`, ROOT);
		if (res.code !== 0) return `curl exited ${res.code}: ${res.out}`;
		if (command.expected.length) return compare(command.expected, res.out, port);
		const statuses = fs.existsSync(headers)
			? [...fs.readFileSync(headers, 'utf8').matchAll(/^HTTP\/\S+ (\d{3})/gm)]
			: [];
		const status = Number(statuses.at(-1)?.[1]);
		if (!(status >= 200 && status < 300))
			return `the emulator answered ${status ? `HTTP ${status}` : 'no status curl kept'}: ${res.out.slice(0, 300)}`;
		try {
			JSON.parse(res.out);
			return undefined;
		} catch {
			return `the emulator's answer is not JSON: ${res.out.slice(0, 300)}`;
		}
	} finally {
		fs.rmSync(headers, { force: true });
		await server.stop();
	}
}

/** A JavaScript block, as an ES module beside the installed package. `// prints: …` is checked. */
function runJs(command, project, index) {
	const file = path.join(project, `snippet-${index}.mjs`);
	fs.writeFileSync(file, command.text);
	const expected = [...command.text.matchAll(/\/\/ prints: (.*)$/gm)].map((m) => m[1].trim());
	const res = sh(`node ${JSON.stringify(file)}`, project);
	if (res.code !== 0) return `exited ${res.code}: ${res.out}`;
	const got = res.out.trim().split('\n');
	return expected.every((l, i) => got[i]?.trim() === l) && got.length >= expected.length
		? undefined
		: `the block promises\n      ${expected.join('\n      ')}\n    it printed\n      ${got.join('\n      ')}`;
}

/** The static checks of a rule: the script exists, CI runs it, the end-to-end test is there. */
function checkRule(command, rule) {
	const script = npmScript(command.text);
	if (script && !PACKAGE.scripts[script]) return `package.json has no script "${script}"`;
	if (rule.how !== 'run' && command.expected.length)
		return `the docs show what it prints (# ${command.expected[0]}), but it is not run here: nothing compares it`;
	if (rule.how === 'ci') {
		// as written, arguments and all: `npm run lint -- --fix` is not what CI runs
		const ciCommand = rule.ciCommand ?? command.text;
		if (!inCi(ciCommand)) return `.ci/run does not run \`${ciCommand}\``;
	}
	if (rule.how === 'e2e') {
		const test = path.join(ROOT, rule.test);
		if (!fs.existsSync(test)) return `${rule.test} (which runs it) is missing`;
		const source = fs.readFileSync(test, 'utf8');
		// a test that runs the command as the page writes it reads the page
		if (rule.readsPage && !source.includes(command.page))
			return `${rule.test} does not read ${command.page}, so it does not run this command as written`;
		// the options an npm script is given (`npm run dev -- --reset-demos`) are ones the test gives it
		const options = /^npm run \S+ -- (.*)$/.exec(command.text)?.[1].split(/\s+/) ?? [];
		const untried = options.filter((o) => !source.includes(`'${o}'`));
		if (untried.length) return `${rule.test} never runs it with ${untried.join(' ')}`;
	}
	return rule.check?.(command);
}

/**
 * An end-to-end test that reads a page runs the first command of that page its rule matches (the
 * Quick start's curl, the sh block with the emulator trigger's path): a second one is not run.
 */
function unreadCommands(planned) {
	const first = new Map();
	const unread = [];
	for (const { command, rule } of planned) {
		if (!rule.readsPage) continue;
		const key = `${RULES.indexOf(rule)} ${command.page}`;
		if (first.has(key))
			unread.push(
				`${command.page}:${command.line} \`${command.text}\`: ${rule.test} runs only the first such command of ${command.page} (line ${first.get(key)}), not this one`,
			);
		else first.set(key, command.line);
	}
	return unread;
}

async function main() {
	const commands = pages().flatMap((page) => extract(page));
	const failures = [];
	const counts = { run: 0, ci: 0, e2e: 0, skip: 0 };
	const where = (c) => `${c.page}:${c.line}`;
	const planned = [];
	for (const command of commands) {
		if (command.problem) {
			failures.push(`${where(command)} \`${command.text}\`: ${command.problem}`);
			continue;
		}
		const rule = ruleFor(command);
		if (!rule) {
			failures.push(
				`${where(command)} \`${command.text}\`: no rule says how this command is checked (add one to scripts/check-docs.js)`,
			);
			continue;
		}
		const problem = checkRule(command, rule);
		if (problem) failures.push(`${where(command)} \`${command.text}\`: ${problem}`);
		planned.push({ command, rule });
	}
	failures.push(...unreadCommands(planned));

	const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sn-pe-docs-check-'));
	try {
		const needsPackage = planned.some((p) => p.rule.how === 'run' && p.rule.run !== 'repository');
		const project = needsPackage ? installEmulatorPackage(work) : undefined;
		const seen = new Set();
		let index = 0;
		for (const { command, rule } of planned) {
			counts[rule.how] += 1;
			const label = command.kind === 'js' ? `\`\`\`js block` : `\`${command.text}\``;
			if (rule.how !== 'run') {
				const why = { ci: 'run by .ci/run', e2e: `run by ${rule.test}`, skip: 'not run' }[rule.how];
				const verdict = checkRule(command, rule) ? 'FAILED, ' : '';
				console.log(
					`   ${rule.how.padEnd(4)} ${where(command)} ${label}: ${verdict}${why}${rule.reason ? ` (${rule.reason})` : ''}`,
				);
				continue;
			}
			const key = `${command.kind}:${command.text}:${command.expected.join('\n')}`;
			if (seen.has(key)) {
				console.log(`   run  ${where(command)} ${label}: as above`);
				continue;
			}
			seen.add(key);
			let problem;
			try {
				if (rule.run === 'package') problem = await runEmulatorCommand(command, project);
				else if (rule.run === 'repository') problem = await runEmulatorCommand(command, ROOT);
				else if (rule.run === 'curl') problem = await runCurl(command, project);
				else problem = runJs(command, project, (index += 1));
			} catch (error) {
				problem = error.message;
			}
			console.log(`   run  ${where(command)} ${label}: ${problem ? 'FAILED' : 'ok'}`);
			if (problem) failures.push(`${where(command)} ${label}: ${problem}`);
		}
	} finally {
		fs.rmSync(work, { recursive: true, force: true });
	}

	console.log(
		`\n== ${commands.length} commands in ${pages().length} pages: ${counts.run} run here, ${counts.ci} run by .ci/run, ${counts.e2e} by end-to-end tests, ${counts.skip} not run (reasons above)`,
	);
	if (failures.length) {
		console.error(`\nFAILED (${failures.length}):\n- ${failures.join('\n- ')}`);
		process.exitCode = 1;
	}
}

if (require.main === module) {
	main().catch((error) => {
		console.error(error);
		process.exitCode = 1;
	});
}

module.exports = {
	pages,
	extract,
	ruleFor,
	checkRule,
	unreadCommands,
	runCurl,
	runEmulatorCommand,
	runJs,
	RULES,
};
