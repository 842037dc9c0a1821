'use strict';
// The baseline server: node:http answering fixed JSON, nothing else. With "per-turn" as second
// argument it answers as the emulator's server does: the requests that arrived in one turn of the
// event loop together, at the end of that turn (the like-for-like reference).
const http = require('node:http');
const body = JSON.stringify({ result: { experience_id: '0123456789abcdef0123456789abcdef' } });
const perTurn = process.argv[3] === 'per-turn';
let pending = [];
const answer = (res) => {
	res.writeHead(200, {
		'content-type': 'application/json;charset=UTF-8',
		'content-length': Buffer.byteLength(body),
	});
	res.end(body);
};
const answerPending = () => {
	const batch = pending;
	pending = [];
	for (const res of batch) answer(res);
};
const server = http.createServer((req, res) => {
	req.resume();
	req.on('end', () => {
		if (!perTurn) answer(res);
		else if (pending.push(res) === 1) setImmediate(answerPending);
	});
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.argv[2] || 0), '127.0.0.1', () => {
	process.stdout.write(`listening on http://127.0.0.1:${server.address().port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
