/** A small proxy on 127.0.0.1 in front of the emulator, for answers an instance may give that the emulator does not: rewritten, held or dropped. */
import { createServer, type IncomingMessage, type Server } from 'node:http';

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
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
	const port = (server.address() as { port: number }).port;
	return {
		url: `http://127.0.0.1:${port}`,
		seen,
		close: () =>
			new Promise((r) => {
				server.closeAllConnections();
				server.close(() => r());
			}),
	};
}

export const isBatch = (url: string) => url.split('?')[0].replace(/\/+/g, '/').endsWith('/batch');
export const b64d = (s: string) => Buffer.from(s, 'base64').toString('utf8');
export const b64e = (s: string) => Buffer.from(s, 'utf8').toString('base64');
