#!/usr/bin/env node
/* eslint-disable no-console -- a command-line program talks on the console */
import { defaultSeed } from '../nodes/shared/emulator';
import { USAGE, UsageError, parseArgs, type CliOptions } from '../lib/cli';
import { startEmulator } from '../lib/server';

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
	});
	console.log(`ServiceNow Proactive Engagement emulator listening on ${running.url} (auth: ${options.auth})`);
	console.log(`  create:  POST ${running.url}/api/sn_pren/self_remediation/experience_issue/create`);
	console.log(`  journal: GET  ${running.url}/_emulator/journal`);
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
}

main().catch((e: unknown) => {
	console.error(`Error: ${e instanceof Error ? e.message : String(e)}`);
	process.exit(1);
});
