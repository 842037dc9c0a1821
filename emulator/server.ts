/**
 * The standalone emulator: the pure core served over node:http, with optional durable state.
 * Bounded: connections, header and request time, idle keep-alive, body size; credentials are
 * checked from the headers before a body is read.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { PLATFORM_ERRORS } from '../contract/errors';
import { Emulator, parseSeed, type EmulatorOptions, type Fault, type FaultSpec, type HandleResult, type IssueRecord, type JournalEntry, type Seed } from './core';
import { StateFile } from './store';

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

/** Sockets over the cap: answered 429 as they connect; any request they still send is ignored. */
const refused = new WeakSet<Socket>();

function tooManyConnections(socket: Socket, cap: number): void {
	refused.add(socket);
	const body = JSON.stringify({
		error: { message: PLATFORM_ERRORS.RATE_LIMITED.message, detail: `The emulator serves at most ${cap} connections at once; retry after 1 second.` },
		status: 'failure',
	});
	socket.end(
		`HTTP/1.1 429 Too Many Requests\r\ncontent-type: application/json;charset=UTF-8\r\nretry-after: 1\r\nconnection: close\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
		() => socket.destroy(),
	);
}

export async function startEmulator(options: StartEmulatorOptions = {}): Promise<RunningEmulator> {
	const {
		port = 0,
		host = '127.0.0.1',
		seed,
		statePath,
		maxConnections = SERVER_LIMITS.connections,
		headersTimeoutMs = SERVER_LIMITS.headersTimeoutMs,
		requestTimeoutMs = SERVER_LIMITS.requestTimeoutMs,
		keepAliveTimeoutMs = SERVER_LIMITS.keepAliveTimeoutMs,
		...core
	} = options;
	const store = statePath ? StateFile.open(statePath) : undefined;
	if (store?.imported) process.stderr.write(`Imported the JSON state of ${statePath}; it is kept as ${store.imported}.\n`);
	const emulator = new Emulator({
		...core,
		seed: typeof seed === 'string' ? loadSeedFile(seed) : seed,
		state: store?.file.load(),
	});

	// Every change is staged; it is committed before the answers of the requests that made it are
	// written, and at once when it comes from a call of the API (reset, setIssueState…).
	let handling = false;
	let commitScheduled = false;
	if (store) {
		emulator.onChange((change) => {
			store.file.stage(change);
			if (handling || commitScheduled) return;
			commitScheduled = true;
			queueMicrotask(() => {
				commitScheduled = false;
				store.file.commit();
			});
		});
	}

	const unsaved = (): HandleResult => ({
		status: 503,
		headers: { 'content-type': 'application/json;charset=UTF-8', 'retry-after': '1' },
		body: JSON.stringify({ error: { message: PLATFORM_ERRORS.SERVICE_UNAVAILABLE.message, detail: 'The change could not be saved to the state file; nothing was changed. Retry.' }, status: 'failure' }),
	});

	const write = (req: IncomingMessage, res: ServerResponse, result: HandleResult, close: boolean) => {
		if (result.drop) {
			req.socket.destroy();
			return;
		}
		// The answer's headers are this request's own object: complete it in place.
		const headers = result.headers;
		headers['content-length'] = String(Buffer.byteLength(result.body));
		if (close) headers.connection = 'close';
		res.writeHead(result.status, headers);
		res.end(result.body);
	};

	/**
	 * Requests are answered once per turn of the event loop, together: the ones that arrived in the
	 * same turn are handled back to back, in arrival order, their changes committed at once, then
	 * their answers written back to back (README, "Measured speed"). With a single connection open
	 * no other request can arrive in the same turn, so its request is answered at once.
	 */
	let pending: Array<{ req: IncomingMessage; res: ServerResponse; body: string; bytes: number }> = [];
	const answerPending = () => {
		const batch = pending;
		pending = [];
		let results: Array<HandleResult | undefined> = [];
		handling = true;
		for (const { req, body, bytes } of batch) {
			try {
				results.push(emulator.handle({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body, bodyBytes: bytes }));
			} catch {
				// The core answers every request; should it ever throw, this connection ends, not the server.
				results.push(undefined);
			}
		}
		handling = false;
		if (store) {
			try {
				store.file.commit();
			} catch {
				// Not saved, so not acknowledged: the held state goes back to what the file holds.
				emulator.restore(store.file.load() ?? { version: 2, issues: { issues: [], counter: 0 }, tokens: { access: [], refresh: [] } });
				results = results.map((r) => (r ? unsaved() : r));
			}
		}
		for (let i = 0; i < batch.length; i++) {
			const { req, res, bytes } = batch[i];
			const result = results[i];
			if (!result) {
				req.socket.destroy();
				continue;
			}
			const answer = () => write(req, res, result, bytes > emulator.maxBodyBytes);
			if (result.delayMs) setTimeout(answer, result.delayMs);
			else answer();
		}
	};

	const server: Server = createServer({ connectionsCheckingInterval: 1000 }, (req: IncomingMessage, res: ServerResponse) => {
		if (refused.has(req.socket)) return;
		const declared = Number(req.headers['content-length']);
		const early = emulator.handleHead({
			method: req.method ?? 'GET',
			url: req.url ?? '/',
			headers: req.headers,
			contentLength: Number.isFinite(declared) ? declared : undefined,
		});
		if (early) {
			// Answered from the headers: the body is never read, and the connection ends after the answer.
			write(req, res, early, true);
			res.once('finish', () => req.socket.destroySoon());
			return;
		}
		readBody(req, emulator.maxBodyBytes, (body, bytes) => {
			if (pending.push({ req, res, body, bytes }) > 1) return;
			if (connections > 1) setImmediate(answerPending);
			else answerPending();
		});
	});
	let connections = 0;
	server.on('connection', (socket: Socket) => {
		connections++;
		socket.once('close', () => connections--);
		if (connections > maxConnections) tooManyConnections(socket, maxConnections);
	});
	server.headersTimeout = headersTimeoutMs;
	server.requestTimeout = requestTimeoutMs;
	server.keepAliveTimeout = keepAliveTimeoutMs;

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
				server.close(() => {
					store?.file.close();
					resolve();
				});
				server.closeAllConnections();
			}),
	};
}
