/** A small proxy on 127.0.0.1 in front of the emulator, for answers an instance may give that the emulator does not: rewritten, held or dropped. */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';

export interface Upstream {
	status: number;
	headers: Record<string, string>;
	body: string;
}
export type Rewrite = (
	req: { method: string; url: string; body: string },
	forward: () => Promise<Upstream>,
) => Promise<Upstream | 'drop'>;

export async function startProxy(
	target: string,
	rewrite: Rewrite,
): Promise<{ url: string; close(): Promise<void>; seen: Array<{ url: string; body: string }> }> {
	const seen: Array<{ url: string; body: string }> = [];
	const server: Server = createServer(async (req: IncomingMessage, res) => {
		const chunks: Buffer[] = [];
		for await (const c of req) chunks.push(c as Buffer);
		const body = Buffer.concat(chunks).toString('utf8');
		seen.push({ url: req.url ?? '/', body });
		const forward = async (): Promise<Upstream> => {
			const headers: Record<string, string> = {};
			for (const [k, v] of Object.entries(req.headers))
				if (typeof v === 'string' && !['host', 'content-length', 'connection'].includes(k))
					headers[k] = v;
			const r = await fetch(target + (req.url ?? '/'), {
				method: req.method,
				headers,
				body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body,
			});
			const h: Record<string, string> = {};
			r.headers.forEach((v, k) => {
				if (!['content-length', 'connection', 'keep-alive', 'transfer-encoding'].includes(k))
					h[k] = v;
			});
			return { status: r.status, headers: h, body: await r.text() };
		};
		try {
			const out = await rewrite(
				{ method: req.method ?? 'GET', url: req.url ?? '/', body },
				forward,
			);
			if (out === 'drop') {
				req.socket.destroy();
				return;
			}
			res.writeHead(out.status, {
				...out.headers,
				'content-length': String(Buffer.byteLength(out.body)),
			});
			res.end(out.body);
		} catch (e) {
			res.writeHead(599);
			res.end(String(e));
		}
	});
	return { ...(await listen(server)), seen };
}

/** Listens on a free port of 127.0.0.1: its URL, and a close that ends every connection. */
export async function listen(server: Server): Promise<{ url: string; close(): Promise<void> }> {
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
	const port = (server.address() as { port: number }).port;
	return {
		url: `http://127.0.0.1:${port}`,
		close: () =>
			new Promise((r) => {
				server.closeAllConnections();
				server.close(() => r());
			}),
	};
}

/**
 * A server on 127.0.0.1 that answers every request with a redirect (`status`) to `location`, with
 * `body` as HTML if given; `seen` holds each request's authorization header.
 */
export async function startRedirect(status: number, location: string, body?: string) {
	const seen: Array<string | undefined> = [];
	const server = createServer((req, res) => {
		seen.push(req.headers.authorization);
		req.resume();
		if (body === undefined) res.writeHead(status, { location }).end();
		else res.writeHead(status, { location, 'content-type': 'text/html' }).end(body);
	});
	return { ...(await listen(server)), seen };
}

export const isBatch = (url: string) => url.split('?')[0].replace(/\/+/g, '/').endsWith('/batch');
export const b64d = (s: string) => Buffer.from(s, 'base64').toString('utf8');
export const b64e = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/**
 * A front on 127.0.0.1 speaking raw TCP: it reads each request, passes it to the emulator (so what
 * it asks is done) and answers with the bytes `answer` gives — an HTTP answer written by hand
 * (without a Date header unless `date` is set) or anything else. A connection the emulator drops
 * is dropped here too.
 */
export async function startRawFront(
	target: string,
	answer: (
		req: { method: string; url: string; body: string },
		upstream: Upstream,
	) => string | undefined,
	date = true,
): Promise<{ url: string; close(): Promise<void> }> {
	const sockets = new Set<Socket>();
	const server = createTcpServer((socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
		let buffer = Buffer.alloc(0);
		socket.on('data', async (chunk: Buffer) => {
			buffer = Buffer.concat([buffer, chunk]);
			const end = buffer.indexOf('\r\n\r\n');
			if (end < 0) return;
			const head = buffer.subarray(0, end).toString('latin1').split('\r\n');
			const headers = Object.fromEntries(
				head
					.slice(1)
					.map((line) => [
						line.slice(0, line.indexOf(':')).toLowerCase(),
						line.slice(line.indexOf(':') + 1).trim(),
					]),
			);
			const length = Number(headers['content-length'] ?? 0);
			if (buffer.length < end + 4 + length) return;
			const body = buffer.subarray(end + 4, end + 4 + length).toString('utf8');
			buffer = Buffer.alloc(0);
			const [method, url] = head[0].split(' ');
			const forwarded: Record<string, string> = {};
			for (const [k, v] of Object.entries(headers))
				if (!['host', 'content-length', 'connection'].includes(k)) forwarded[k] = v;
			let r: Response;
			try {
				r = await fetch(target + url, {
					method,
					headers: forwarded,
					body: method === 'GET' ? undefined : body,
				});
			} catch {
				// The instance dropped the connection: so does the front.
				socket.destroy();
				return;
			}
			const upstream: Upstream = { status: r.status, headers: {}, body: await r.text() };
			r.headers.forEach((v, k) => {
				if (
					![
						'content-length',
						'connection',
						'keep-alive',
						'transfer-encoding',
						...(date ? [] : ['date']),
					].includes(k)
				)
					upstream.headers[k] = v;
			});
			const raw =
				answer({ method, url, body }, upstream) ??
				[
					`HTTP/1.1 ${upstream.status} X`,
					...Object.entries(upstream.headers).map(([k, v]) => `${k}: ${v}`),
					`content-length: ${Buffer.byteLength(upstream.body)}`,
					'connection: close',
					'',
					upstream.body,
				].join('\r\n');
			socket.end(raw);
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
		close: () =>
			new Promise<void>((resolve) => {
				for (const s of sockets) s.destroy();
				server.close(() => resolve());
			}),
	};
}
