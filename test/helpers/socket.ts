/** Raw bytes over one TCP connection: what a server answers when nothing is normalised on the way. */
import { connect } from 'node:net';

/**
 * Writes `bytes` on a new connection to `url`'s host and port and collects what comes back until
 * the server closes it (`closed`), or `waitMs` passed (then it is closed here).
 */
export function exchange(
	url: string,
	bytes: string,
	waitMs = 5_000,
): Promise<{ text: string; closed: boolean }> {
	const { hostname, port } = new URL(url);
	return new Promise((resolve) => {
		const socket = connect(Number(port), hostname);
		let text = '';
		const done = (closed: boolean) => {
			clearTimeout(timer);
			socket.destroy();
			resolve({ text, closed });
		};
		const timer = setTimeout(() => done(false), waitMs);
		socket.on('data', (c) => (text += c.toString()));
		socket.on('close', () => done(true));
		socket.on('error', () => undefined);
		socket.write(bytes);
	});
}
