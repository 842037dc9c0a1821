/**
 * The standalone emulator: the pure core served over node:http, with optional durable state.
 * Bounded: connections, header and request time, idle keep-alive, body size; credentials are
 * checked from the headers before a body is read.
 *
 * A request's way: its head is admitted by the core (read once: body limit and caller) or answered
 * at once; its body is read up to that limit; it is handled with the requests of the same turn of
 * the event loop, their changes committed together; then each is answered.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Emulator, type Admission, type ApiCall, type HandleResult } from './core';
import {
	SERVER_LIMITS,
	loadSeedFile,
	type RunningEmulator,
	type StartEmulatorOptions,
} from './serverOptions';
import { tooManyConnections, unsaved } from './serverAnswers';
import { keepState } from './store/durable';

export {
	SERVER_LIMITS,
	loadSeedFile,
	type RunningEmulator,
	type StartEmulatorOptions,
} from './serverOptions';

/** Reads the body, then calls `done` once: the text, or '' and the size when it passed `limit`. */
function readBody(
	req: IncomingMessage,
	limit: number,
	done: (body: string, bytes: number) => void,
): void {
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

/** Each request's place on its connection (1, 2…), and how many requests each connection sent. */
const order = new WeakMap<IncomingMessage, number>();
const sent = new WeakMap<Socket, number>();
/**
 * Connections that end after an answer (401 or 413 from the headers, a dropped connection): the
 * place of that request. Requests pipelined behind it are neither applied nor answered.
 */
const endsAfter = new WeakMap<Socket, number>();

function arrived(req: IncomingMessage): void {
	const n = (sent.get(req.socket) ?? 0) + 1;
	sent.set(req.socket, n);
	order.set(req, n);
}

function endAfter(req: IncomingMessage): void {
	const n = order.get(req) ?? 0;
	if (n < (endsAfter.get(req.socket) ?? Infinity)) endsAfter.set(req.socket, n);
}

function behindTheEnd(req: IncomingMessage): boolean {
	return (order.get(req) ?? 0) > (endsAfter.get(req.socket) ?? Infinity);
}

function write(
	req: IncomingMessage,
	res: ServerResponse,
	result: HandleResult,
	close: boolean,
): void {
	if (result.drop) {
		endAfter(req);
		req.socket.destroy();
		return;
	}
	// The answer's headers are this request's own object: complete it in place.
	const headers = result.headers;
	headers['content-length'] = String(Buffer.byteLength(result.body));
	if (close) {
		endAfter(req);
		headers.connection = 'close';
	}
	res.writeHead(result.status, headers);
	res.end(result.body);
}

/** A request whose head was admitted and whose body was read: it waits for its turn's handling. */
interface Received {
	req: IncomingMessage;
	res: ServerResponse;
	admitted: ApiCall;
	body: string;
	bytes: number;
	/** Its body passed the limit: answered 413, and its connection ends after the answer. */
	tooLarge: boolean;
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
	const { emulator, durable } = await keepState(
		statePath,
		(load) =>
			new Emulator({
				...core,
				seed: typeof seed === 'string' ? loadSeedFile(seed) : seed,
				state: load(),
			}),
	);
	/** Commits what the requests just handled changed: false when it could not be saved (then answered 503). */
	const saved = () => durable?.save() ?? true;

	/**
	 * Requests are answered once per turn of the event loop, together: the ones that arrived in the
	 * same turn are handled back to back, in arrival order, their changes committed at once, then
	 * their answers written back to back (README, "Measured speed"). With a single connection open
	 * no other request can arrive in the same turn, so its request is answered at once.
	 */
	let pending: Received[] = [];
	const answerPending = () => {
		const batch = pending;
		pending = [];
		let results = batch.map(
			({ req, admitted, body, bytes, tooLarge }): HandleResult | undefined | null => {
				// Behind an answer that ends its connection: not applied, never answered.
				if (behindTheEnd(req)) return null;
				let result: HandleResult | undefined;
				try {
					result = emulator.handle({
						method: req.method ?? 'GET',
						url: req.url ?? '/',
						headers: req.headers,
						body,
						bodyBytes: bytes,
						admitted,
					});
				} catch {
					// The core answers every request; should it ever throw, this connection ends, not the server.
					result = undefined;
				}
				if (!result || result.drop || tooLarge) endAfter(req);
				return result;
			},
		);
		if (!saved()) results = results.map((r) => (r ? unsaved() : r));
		for (let i = 0; i < batch.length; i++) {
			const { req, res, tooLarge } = batch[i];
			const result = results[i];
			if (result === null) continue;
			if (!result) {
				req.socket.destroy();
				continue;
			}
			const answer = () => write(req, res, result, tooLarge);
			if (result.delayMs) setTimeout(answer, result.delayMs);
			else answer();
		}
	};

	const server: Server = createServer(
		{ connectionsCheckingInterval: 1000 },
		(req: IncomingMessage, res: ServerResponse) => {
			arrived(req);
			if (refused.has(req.socket) || behindTheEnd(req)) return;
			const declared = Number(req.headers['content-length']);
			let admission: Admission;
			try {
				admission = emulator.admit({
					method: req.method ?? 'GET',
					url: req.url ?? '/',
					headers: req.headers,
					contentLength: Number.isFinite(declared) ? declared : undefined,
				});
			} catch {
				endAfter(req);
				req.socket.destroy();
				return;
			}
			// What the head changed (an expired token swept) is committed now, as a batch's changes are.
			if (durable?.pending && !saved()) admission = { answer: unsaved() };
			if ('answer' in admission) {
				// Answered from the headers: the body is never read, and the connection ends after the answer.
				write(req, res, admission.answer, true);
				res.once('finish', () => req.socket.destroySoon());
				return;
			}
			const { admitted } = admission;
			readBody(req, admitted.bodyLimit, (body, bytes) => {
				if (
					pending.push({ req, res, admitted, body, bytes, tooLarge: bytes > admitted.bodyLimit }) >
					1
				)
					return;
				if (connections > 1) setImmediate(answerPending);
				else answerPending();
			});
		},
	);
	let connections = 0;
	server.on('connection', (socket: Socket) => {
		connections++;
		socket.once('close', () => connections--);
		if (connections > maxConnections) {
			refused.add(socket);
			socket.end(tooManyConnections(maxConnections), () => socket.destroy());
		}
	});
	server.headersTimeout = headersTimeoutMs;
	server.requestTimeout = requestTimeoutMs;
	server.keepAliveTimeout = keepAliveTimeoutMs;

	await new Promise<void>((resolve, reject) => {
		server.once('error', (e) => {
			durable?.close();
			reject(e);
		});
		server.listen(port, host, () => {
			server.removeAllListeners('error');
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
					durable?.close();
					resolve();
				});
				server.closeAllConnections();
			}),
	};
}
