/**
 * What Plaza's chat is measured against: a minimal server that speaks
 * graphql-transport-ws by hand and frames chat the way Plaza does (a
 * message after a quiet spell at once, alone; the rest gathered for
 * CHAT_FRAME_MS and sent as one frame, serialised once for every socket).
 * POST /send `{"text": "..."}` answers the message. No GraphQL, no
 * database, no pub/sub.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';

const FRAME_MS = Number(process.env.CHAT_FRAME_MS ?? 100);
const AUTHOR = 'VXNlcjpiYXNlbGluZQ==';
const subscribers = new Set<WebSocket>();
let seq = 0;
let pending: string[] = [];
let window: NodeJS.Timeout | undefined;

function emit(messages: string[]) {
  const frame = `{"id":"1","type":"next","payload":{"data":{"channelChat":{"messages":[${messages.join(',')}],"deletedIds":[],"pinnedMessage":null,"pinChanged":false,"cursor":"c${seq}"}}}}`;
  for (const socket of subscribers) socket.send(frame);
}

// As Plaza's framer: the next window opens when a frame goes out, before it is written to the sockets
// (Plaza writes a frame once its execution is done, after the window has opened), so both make the
// same number of frames however long the writing takes.
function open() {
  window = setTimeout(() => {
    window = undefined;
    if (pending.length === 0) return;
    const messages = pending;
    pending = [];
    open();
    emit(messages);
  }, FRAME_MS);
}

function add(message: string) {
  if (window) return void pending.push(message);
  if (FRAME_MS > 0) open();
  emit([message]);
}

const http = createServer((req, res) => {
  if (req.method !== 'POST' || req.url !== '/send') return void res.writeHead(404).end();
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const { text } = JSON.parse(Buffer.concat(chunks).toString()) as { text: string };
    seq++;
    const message = JSON.stringify({ id: Buffer.from(`ChatMessage:${seq}`).toString('base64'), text, author: { id: AUTHOR } });
    add(message);
    res.writeHead(200, { 'content-type': 'application/json' }).end(`{"data":{"sendChatMessage":${message}}}`);
  });
});

const wss = new WebSocketServer({ server: http, path: '/graphql', perMessageDeflate: false });
wss.on('connection', (socket) => {
  socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as { type: string; id?: string };
    if (message.type === 'connection_init') socket.send('{"type":"connection_ack"}');
    else if (message.type === 'subscribe') {
      subscribers.add(socket);
      socket.send('{"id":"1","type":"next","payload":{"data":{"channelChat":{"messages":[],"deletedIds":[],"pinnedMessage":null,"pinChanged":true,"cursor":"c0"}}}}');
    } else if (message.type === 'ping') socket.send('{"type":"pong"}');
    else if (message.type === 'complete') subscribers.delete(socket);
  });
  socket.on('close', () => subscribers.delete(socket));
});

http.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ msg: 'chat baseline listening', port: (http.address() as AddressInfo).port })}\n`);
});
process.on('SIGTERM', () => process.exit(0));
