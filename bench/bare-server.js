'use strict';
// The baseline server: node:http answering fixed JSON, nothing else.
const http = require('node:http');
const body = JSON.stringify({ result: { experience_id: '0123456789abcdef0123456789abcdef' } });
const server = http.createServer((req, res) => {
	req.resume();
	req.on('end', () => {
		res.writeHead(200, { 'content-type': 'application/json;charset=UTF-8', 'content-length': Buffer.byteLength(body) });
		res.end(body);
	});
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.argv[2] || 0), '127.0.0.1', () => {
	process.stdout.write(`listening on http://127.0.0.1:${server.address().port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
