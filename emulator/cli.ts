#!/usr/bin/env node
/** The standalone emulator's command line (`servicenow-pe-emulator`, `npm run emulator`). */
import { ISSUE_STATES, type IssueState } from '../contract/api';
import { AUTH_MODES, SYSTEM_PROPERTIES, defaultSeed, type AuthMode } from './core';
import { startEmulator } from './server';

export const USAGE = `Usage: servicenow-pe-emulator [options]
  (or: npm run emulator -- [options])

Serves an emulated ServiceNow Proactive Engagement endpoint for local tests.

Options:
  --port <n>            port to listen on (default 8787; 0 picks a free port)
  --host <address>      address to bind (default 127.0.0.1)
  --seed <file.json>    registry seed (default: the built-in seed; see --print-seed)
  --auth <mode>         none | basic | oauth (default none)
  --state <file>        keep issues and tokens in this database file across restarts
                        (one emulator per file; a JSON state of 0.1 is imported)
  --initial-state <s>   state new issues start in: ${ISSUE_STATES.join(' | ')} (default open)
  --token-ttl <sec>     lifetime of OAuth access tokens (default 1800)
  --max-issues <n>      experience issues held at most (default 200000); more are refused
  --property <name=v>   set a system property of the instance to true or false (repeatable):
                        ${SYSTEM_PROPERTIES.join('\n                        ')}
                        (default false)
  --print-seed          print the built-in seed as JSON and exit
  -h, --help            show this help
`;

export interface CliOptions {
	port: number;
	host: string;
	seed?: string;
	auth: AuthMode;
	statePath?: string;
	initialState: IssueState;
	tokenTtlSeconds: number;
	maxIssues?: number;
	/** System properties set with --property. */
	properties: Record<string, boolean>;
	printSeed: boolean;
	help: boolean;
}

export class UsageError extends Error {}

export function parseArgs(argv: string[]): CliOptions {
	const options: CliOptions = {
		port: 8787,
		host: '127.0.0.1',
		auth: 'none',
		initialState: 'open',
		tokenTtlSeconds: 1800,
		properties: {},
		printSeed: false,
		help: false,
	};
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		const [flag, inline] =
			arg.startsWith('--') && arg.includes('=')
				? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
				: [arg, undefined];
		const value = (): string => {
			const v = inline ?? argv[++i];
			if (v === undefined || (inline === undefined && v.startsWith('--'))) {
				throw new UsageError(`${flag} needs a value.`);
			}
			return v;
		};
		const integer = (name: string, min: number, max: number): number => {
			const v = value();
			const n = Number(v);
			if (!/^\d+$/.test(v) || n < min || n > max) {
				throw new UsageError(`${name} must be a whole number from ${min} to ${max} (got "${v}").`);
			}
			return n;
		};
		const oneOf = <T extends string>(name: string, allowed: readonly T[]): T => {
			const v = value();
			if (!(allowed as readonly string[]).includes(v)) {
				throw new UsageError(`${name} must be one of ${allowed.join(', ')} (got "${v}").`);
			}
			return v as T;
		};
		switch (flag) {
			case '--port':
				options.port = integer('--port', 0, 65535);
				break;
			case '--host':
				options.host = value();
				break;
			case '--seed':
				options.seed = value();
				break;
			case '--auth':
				options.auth = oneOf('--auth', AUTH_MODES);
				break;
			case '--state':
				options.statePath = value();
				break;
			case '--initial-state':
				options.initialState = oneOf('--initial-state', ISSUE_STATES);
				break;
			case '--max-issues':
				options.maxIssues = integer('--max-issues', 1, 10_000_000);
				break;
			case '--token-ttl':
				options.tokenTtlSeconds = integer('--token-ttl', 1, 31_536_000);
				break;
			case '--property': {
				const v = value();
				const eq = v.indexOf('=');
				const name = eq < 0 ? v : v.slice(0, eq);
				const setting = eq < 0 ? '' : v.slice(eq + 1);
				if (!(SYSTEM_PROPERTIES as readonly string[]).includes(name))
					throw new UsageError(
						`--property takes one of ${SYSTEM_PROPERTIES.join(', ')} (got "${name}").`,
					);
				if (setting !== 'true' && setting !== 'false')
					throw new UsageError(`--property ${name} must be =true or =false (got "${v}").`);
				options.properties[name] = setting === 'true';
				break;
			}
			case '--print-seed':
				options.printSeed = true;
				break;
			case '-h':
			case '--help':
				options.help = true;
				break;
			default:
				throw new UsageError(`Unknown option "${arg}".`);
		}
	}
	return options;
}

async function main(): Promise<void> {
	let options: CliOptions;
	try {
		options = parseArgs(process.argv.slice(2));
	} catch (e) {
		if (!(e instanceof UsageError)) throw e;
		console.error(`Error: ${e.message}\n\n${USAGE}`);
		process.exit(2);
	}
	if (options.help) {
		console.log(USAGE);
		return;
	}
	if (options.printSeed) {
		console.log(JSON.stringify(defaultSeed(), null, '\t'));
		return;
	}
	const running = await startEmulator({
		port: options.port,
		host: options.host,
		seed: options.seed,
		auth: options.auth,
		statePath: options.statePath,
		initialState: options.initialState,
		tokenTtlSeconds: options.tokenTtlSeconds,
		properties: options.properties,
		...(options.maxIssues ? { maxIssues: options.maxIssues } : {}),
	});
	let stopping = false;
	const stop = (signal: string) => {
		if (stopping) return;
		stopping = true;
		console.log(`Received ${signal}; stopping.`);
		running.close().then(
			() => process.exit(0),
			() => process.exit(1),
		);
	};
	process.on('SIGINT', () => stop('SIGINT'));
	process.on('SIGTERM', () => stop('SIGTERM'));
	// Announced once a signal stops it cleanly (closing the state file).
	console.log(
		`ServiceNow Proactive Engagement emulator listening on ${running.url} (auth: ${options.auth})`,
	);
	console.log(
		`  create:  POST ${running.url}/api/sn_pren/self_remediation/experience_issue/create`,
	);
	console.log(`  journal: GET  ${running.url}/_emulator/journal`);
}

if (require.main === module) {
	main().catch((e: unknown) => {
		console.error(`Error: ${e instanceof Error ? e.message : String(e)}`);
		process.exit(1);
	});
}
