/**
 * The limit Plaza is measured against: a minimal server that speaks
 * graphql-transport-ws by hand and, on POST /fire, sends one pre-serialized
 * payload to every subscribed socket. No GraphQL, no database, no pub/sub.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';

const subscribers = new Map<WebSocket, string>();
const payload = (id: string, version: number) =>
  `{"id":"${id}","type":"next","payload":{"data":{"productHighlighted":{"channelId":"Q2hhbm5lbDpiYXNlbGluZQ==","version":${version},"highlightedAt":"2026-01-01T00:00:00.000Z","product":{"id":"UHJvZHVjdDpiYXNlbGluZQ==","name":"Baseline product","priceCents":1999,"currency":"EUR"}}}}}`;

const http = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  if (req.method === 'POST' && url.pathname === '/fire') {
    const version = Number(url.searchParams.get('version') ?? 0);
    // One serialisation for everyone: all subscriptions here use id "1".
    const message = payload('1', version);
    for (const socket of subscribers.keys()) socket.send(message);
    res.writeHead(204).end();
    return;
  }
  res.writeHead(404).end();
});

const wss = new WebSocketServer({ server: http, path: '/graphql', perMessageDeflate: false });
wss.on('connection', (socket) => {
  socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as { type: string; id?: string };
    if (message.type === 'connection_init') socket.send('{"type":"connection_ack"}');
    else if (message.type === 'subscribe' && message.id) {
      subscribers.set(socket, message.id);
      socket.send(payload(message.id, 0));
    } else if (message.type === 'ping') socket.send('{"type":"pong"}');
    else if (message.type === 'complete') subscribers.delete(socket);
  });
  socket.on('close', () => subscribers.delete(socket));
});

http.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ msg: 'baseline listening', port: (http.address() as AddressInfo).port })}\n`);
});
process.on('SIGTERM', () => process.exit(0));
