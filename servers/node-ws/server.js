// Node's http server with the `ws` package, the way the ws README shares one HTTP server:
// `WebSocketServer({ noServer: true })` and `handleUpgrade` from the server's `upgrade` event.
// Websocket echo at /ws, a plain answer everywhere else.
// usage: node server.js PORT
'use strict';

const http = require('http');
const { WebSocketServer } = require('ws');

const port = Number(process.argv[2]);
const wss = new WebSocketServer({ noServer: true });

wss.on('connection', function connection(ws) {
  ws.on('error', console.error);
  ws.on('message', function message(data, isBinary) {
    ws.send(data, { binary: isBinary });
  });
});

const server = http.createServer(function request(req, res) {
  res.writeHead(200, { 'Content-Type': 'text/plain' });
  res.end('hello from node\n');
});

server.on('upgrade', function upgrade(request, socket, head) {
  socket.on('error', console.error);
  const { pathname } = new URL(request.url, 'http://127.0.0.1');
  if (pathname === '/ws') {
    wss.handleUpgrade(request, socket, head, function done(ws) {
      wss.emit('connection', ws, request);
    });
  } else {
    socket.destroy();
  }
});

server.listen(port, '127.0.0.1', function listening() {
  console.log(`listening on 127.0.0.1:${port}`);
});
