/** What the standalone emulator server takes and gives: its options (a seed file read as its seed), limits and handle. */
import { readFileSync } from 'node:fs';
import {
	parseSeed,
	type Emulator,
	type EmulatorOptions,
	type Fault,
	type FaultSpec,
	type IssueRecord,
	type JournalEntry,
	type Seed,
} from './core';

export interface StartEmulatorOptions extends Omit<EmulatorOptions, 'seed' | 'state'> {
	/** Port to listen on; 0 (default) picks a free one. */
	port?: number;
	/** Address to bind (default 127.0.0.1). */
	host?: string;
	/** Registry: a seed object, or the path of a JSON seed file. Built-in seed when absent. */
	seed?: Seed | string;
	/** Database file holding the state (issues, tokens): loaded at start, every change synced before it is answered. */
	statePath?: string;
	/** Most connections open at once; one more is answered 429 and closed (default 256). */
	maxConnections?: number;
	/** Time limits in milliseconds (defaults: SERVER_LIMITS). */
	headersTimeoutMs?: number;
	requestTimeoutMs?: number;
	keepAliveTimeoutMs?: number;
}

/** The server's limits (README, "Limits"). */
export const SERVER_LIMITS = {
	connections: 256,
	/** Time to receive the request line and headers: then 408. */
	headersTimeoutMs: 10_000,
	/** Time to receive the whole request: then 408. */
	requestTimeoutMs: 30_000,
	/** An idle keep-alive connection is closed after this. */
	keepAliveTimeoutMs: 10_000,
};

export interface RunningEmulator {
	/** Base URL of the emulated instance, e.g. http://127.0.0.1:8787 */
	url: string;
	port: number;
	emulator: Emulator;
	journal(since?: number): JournalEntry[];
	issues(): IssueRecord[];
	injectFault(spec: FaultSpec): Fault;
	reset(): void;
	close(): Promise<void>;
}

/** The seed in a JSON file (`seed` given as a path, `--seed`); errors name the file and what is wrong. */
export function loadSeedFile(path: string): Seed {
	let text: string;
	try {
		text = readFileSync(path, 'utf8');
	} catch (e) {
		throw new Error(`Cannot read the seed file ${path}: ${(e as Error).message}`);
	}
	let raw: unknown;
	try {
		raw = JSON.parse(text);
	} catch (e) {
		throw new Error(`The seed file ${path} is not valid JSON: ${(e as Error).message}`);
	}
	return parseSeed(raw);
}
