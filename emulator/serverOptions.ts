/** What the standalone emulator server takes and gives: its options, limits and handle. */
import type { Emulator, EmulatorOptions, Fault, FaultSpec, IssueRecord, JournalEntry, Seed } from './core';

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
