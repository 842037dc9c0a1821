/**
 * Requests pipelined behind an answer that ends the connection (401 from the headers, a dropped
 * connection) are neither applied nor answered: nothing happens that the client is not told of.
 */
import { connect } from 'node:net';
import { startEmulator, type RunningEmulator } from '../../emulator/server';
import { CREATE_PATH } from '../helpers/http';

let sn: RunningEmulator;
beforeAll(async () => {
	// Issues start closed, so every create makes one.
	sn = await startEmulator({ port: 0, auth: 'basic', initialState: 'closed' });
});
afterAll(() => sn.close());
beforeEach(() => sn.reset());

const BASIC = `Basic ${Buffer.from('admin:admin').toString('base64')}`;

function create(user: string, { auth = true, code = '100' } = {}): string {
	const body = JSON.stringify({ endpoint: { user_name: user }, issue_code: code, provider: 'sn' });
	return (
		`POST ${CREATE_PATH} HTTP/1.1\r\nHost: x\r\n${auth ? `Authorization: ${BASIC}\r\n` : ''}` +
		`Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
	);
}

/** Sends all requests in one write on one connection; what came back once the server closed it. */
function pipelined(requests: string[]): Promise<{ statuses: number[]; closed: boolean }> {
	return new Promise((resolve) => {
		const socket = connect(sn.port, '127.0.0.1');
		let text = '';
		const done = (closed: boolean) => {
			clearTimeout(timer);
			socket.destroy();
			resolve({ statuses: [...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1])), closed });
		};
		const timer = setTimeout(() => done(false), 5_000);
		socket.on('data', (c) => (text += c.toString()));
		socket.on('close', () => done(true));
		socket.on('error', () => undefined);
		socket.write(requests.join(''));
	});
}

describe('requests pipelined behind an answer that ends the connection', () => {
	it('are not applied after an early 401', async () => {
		const answer = await pipelined([create('abel.tuter'), create('beth.anglin', { auth: false }), create('david.miller')]);
		expect(answer).toEqual({ statuses: [200, 401], closed: true });
		expect(sn.issues().map((i) => i.endpoint.user_name)).toEqual(['abel.tuter']);
		// The 401 is answered from the headers, before the first create's body is read.
		expect(sn.journal().map((e) => e.status).sort()).toEqual([200, 401]);
	});

	it('are not applied after a dropped connection', async () => {
		sn.injectFault({ match: { issue_code: '101' }, drop: 'before' });
		const answer = await pipelined([create('abel.tuter'), create('beth.anglin', { code: '101' }), create('david.miller')]);
		expect(answer).toEqual({ statuses: [200], closed: true });
		expect(sn.issues().map((i) => i.endpoint.user_name)).toEqual(['abel.tuter']);
	});

	it('are all answered, in order, when no answer ends the connection', async () => {
		const answer = await pipelined([create('abel.tuter'), create('beth.anglin'), `${create('david.miller').replace('HTTP/1.1\r\n', 'HTTP/1.1\r\nConnection: close\r\n')}`]);
		expect(answer).toEqual({ statuses: [200, 200, 200], closed: true });
		expect(sn.issues().map((i) => i.endpoint.user_name)).toEqual(['abel.tuter', 'beth.anglin', 'david.miller']);
	});
});
