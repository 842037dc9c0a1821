/** The standalone emulator: the pure core served over node:http, with optional persisted state. */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
	Emulator,
	parseSeed,
	type EmulatorOptions,
	type EmulatorSnapshot,
	type FaultSpec,
	type Fault,
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
	/** JSON file holding the state (issues, tokens): loaded at start, rewritten atomically on change. */
	statePath?: string;
}

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

function loadState(path: string): EmulatorSnapshot | undefined {
	if (!existsSync(path)) return undefined;
	try {
		return JSON.parse(readFileSync(path, 'utf8')) as EmulatorSnapshot;
	} catch (e) {
		throw new Error(`The state file ${path} is not valid JSON (${(e as Error).message}); fix or delete it.`);
	}
}

/** Writes the whole file next to its target, then renames: readers never see half a file. */
function writeAtomically(path: string, text: string): void {
	const tmp = `${path}.${process.pid}.tmp`;
	writeFileSync(tmp, text);
	renameSync(tmp, path);
}

/** Reads the body, then calls `done` once: the text, or '' and the size when it passed `limit`. */
function readBody(req: IncomingMessage, limit: number, done: (body: string, bytes: number) => void): void {
	let first: Buffer | undefined;
	let more: Buffer[] | undefined;
	let bytes = 0;
	let finished = false;
	const onData = (chunk: Buffer) => {
		bytes += chunk.length;
		if (bytes > limit) {
			// Stop reading: the answer is 413 whatever the rest holds.
			req.off('data', onData);
			req.pause();
			finished = true;
			done('', bytes);
			return;
		}
		if (!first) first = chunk;
		else (more ??= [first]).push(chunk);
	};
	req.on('data', onData);
	req.on('end', () => {
		if (finished) return;
		finished = true;
		done(more ? Buffer.concat(more).toString('utf8') : (first?.toString('utf8') ?? ''), bytes);
	});
	req.on('error', () => {
		if (!finished) req.socket.destroy();
		finished = true;
	});
}

export async function startEmulator(options: StartEmulatorOptions = {}): Promise<RunningEmulator> {
	const { port = 0, host = '127.0.0.1', seed, statePath, ...core } = options;
	const emulator = new Emulator({
		...core,
		seed: typeof seed === 'string' ? loadSeedFile(seed) : seed,
		state: statePath ? loadState(statePath) : undefined,
	});

	let dirty = false;
	let scheduled = false;
	const persist = () => {
		if (!statePath || !dirty) return;
		dirty = false;
		writeAtomically(statePath, JSON.stringify(emulator.snapshot()));
	};
	if (statePath) {
		emulator.onChange(() => {
			dirty = true;
			if (scheduled) return;
			scheduled = true;
			setImmediate(() => {
				scheduled = false;
				persist();
			});
		});
	}

	/**
	 * Requests are answered once per turn of the event loop, together: the ones that arrived in
	 * the same turn are handled back to back, in arrival order, then their answers are written back
	 * to back: under concurrent load far cheaper per request than answering each as it comes (the
	 * README's benchmark section has the figures). With a single connection open no other request
	 * can arrive in the same turn, so its request is answered at once.
	 */
	let pending: Array<{ req: IncomingMessage; res: ServerResponse; body: string; bytes: number }> = [];
	const answerPending = () => {
		const batch = pending;
		pending = [];
		const results: Array<ReturnType<Emulator['handle']> | undefined> = [];
		for (const { req, body, bytes } of batch) {
			try {
				results.push(
					emulator.handle({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body, bodyBytes: bytes }),
				);
			} catch {
				// The core answers every request; should it ever throw, this connection ends, not the server.
				results.push(undefined);
			}
		}
		for (let i = 0; i < batch.length; i++) {
			const { req, res, bytes } = batch[i];
			const result = results[i];
			if (!result) {
				req.socket.destroy();
				continue;
			}
			const answer = () => {
				if (result.drop) {
					req.socket.destroy();
					return;
				}
				// The answer's headers are this request's own object: complete it in place.
				const headers = result.headers;
				headers['content-length'] = String(Buffer.byteLength(result.body));
				if (bytes > emulator.maxBodyBytes) headers.connection = 'close';
				res.writeHead(result.status, headers);
				res.end(result.body);
			};
			if (result.delayMs) setTimeout(answer, result.delayMs);
			else answer();
		}
	};

	const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
		readBody(req, emulator.maxBodyBytes, (body, bytes) => {
			if (pending.push({ req, res, body, bytes }) > 1) return;
			if (connections > 1) setImmediate(answerPending);
			else answerPending();
		});
	});
	let connections = 0;
	server.on('connection', (socket) => {
		connections++;
		socket.once('close', () => connections--);
	});
	server.keepAliveTimeout = 65_000;

	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, host, () => {
			server.off('error', reject);
			resolve();
		});
	});
	const actualPort = (server.address() as AddressInfo).port;
	const shownHost = host.includes(':') ? `[${host}]` : host;

	return {
		url: `http://${shownHost}:${actualPort}`,
		port: actualPort,
		emulator,
		journal: (since) => emulator.journalEntries(since),
		issues: () => emulator.listIssues(),
		injectFault: (spec) => emulator.injectFault(spec),
		reset: () => emulator.reset(),
		close: () =>
			new Promise<void>((resolve) => {
				persist();
				server.close(() => resolve());
				server.closeAllConnections();
			}),
	};
}
