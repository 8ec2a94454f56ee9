import WebSocket from 'ws';

/** What a soak client follows: a section, a channel, its own story activity. */
export interface SoakTargets {
  sectionId: string;
  channelId: string;
}

const OPERATIONS = {
  posts: 'subscription($s: ID!, $after: String) { postCreated(sectionId: $s, after: $after) { id cursor } }',
  links: 'subscription($s: ID!) { linkMetadataUpdated(sectionId: $s) { linkId link { status } } }',
  reactions: 'subscription($s: ID!) { postReactionsChanged(sectionId: $s) { id reactions { emoji count viewerHasReacted } } }',
  stories: 'subscription { storyActivity { __typename } }',
  highlight: 'subscription($c: ID!) { productHighlighted(channelId: $c) { channelId version } }',
  presence: 'subscription($c: ID!) { channelPresence(channelId: $c) { viewerCount } }',
};

/**
 * One app's connection in a soak: a graphql-ws socket with every kind of
 * subscription Plaza has. `drop` loses the connection without a word (a phone
 * going into a tunnel) and comes back at once, resuming its posts after the
 * last cursor it got; `move` follows another channel (one closing, another
 * opening). Highlights are reported to `onHighlight` as they arrive.
 */
export class SoakClient {
  private socket: WebSocket | null = null;
  private lastPostCursor: string | null = null;
  /** Each move subscribes under new ids: an id is not free again until the server has seen its `complete`. */
  private generation = 0;
  private targets: SoakTargets;
  private readonly url: string;
  private readonly token: string;
  private readonly address: string;
  private readonly onHighlight: (channelId: string, version: number) => void;
  closed = false;
  received = 0;

  constructor(url: string, token: string, address: string, targets: SoakTargets, onHighlight: (channelId: string, version: number) => void) {
    this.url = url.replace(/^http/, 'ws');
    this.token = token;
    this.address = address;
    this.targets = targets;
    this.onHighlight = onHighlight;
  }

  /** Connects and subscribes; resolves once the server has acknowledged the connection. */
  connect(): Promise<void> {
    const socket = new WebSocket(this.url, 'graphql-transport-ws', { perMessageDeflate: false, localAddress: this.address });
    this.socket = socket;
    return new Promise((resolve) => {
      socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${this.token}` } })));
      socket.on('message', (data) => {
        const message = JSON.parse(String(data)) as { type: string; id?: string; payload?: { data?: Record<string, any> } };
        if (message.type === 'connection_ack') {
          this.subscribeAll(socket);
          resolve();
        } else if (message.type === 'ping') socket.send('{"type":"pong"}');
        else if (message.type === 'next') this.take(message.id!, message.payload?.data ?? {});
      });
      socket.on('error', () => resolve());
      socket.on('close', () => resolve());
    });
  }

  private subscribeAll(socket: WebSocket) {
    const { sectionId: s, channelId: c } = this.targets;
    const variables: Record<keyof typeof OPERATIONS, Record<string, unknown>> = {
      posts: { s, after: this.lastPostCursor },
      links: { s },
      reactions: { s },
      stories: {},
      highlight: { c },
      presence: { c },
    };
    for (const [name, query] of Object.entries(OPERATIONS)) {
      socket.send(JSON.stringify({ id: this.idOf(name), type: 'subscribe', payload: { query, variables: variables[name as keyof typeof OPERATIONS] } }));
    }
  }

  private idOf(name: string): string {
    return name === 'highlight' || name === 'presence' ? `${name}${this.generation}` : name;
  }

  private take(id: string, data: Record<string, any>) {
    this.received += 1;
    if (id === 'posts' && data.postCreated) this.lastPostCursor = data.postCreated.cursor;
    if (id.startsWith('highlight') && data.productHighlighted) this.onHighlight(data.productHighlighted.channelId, data.productHighlighted.version);
  }

  /** Loses the connection without a close frame, then comes back at once. */
  async drop(): Promise<void> {
    this.socket?.terminate();
    if (!this.closed) await this.connect();
  }

  /** Follows another channel: its highlight and presence subscriptions end, new ones start. */
  move(channelId: string): void {
    const socket = this.socket;
    if (socket?.readyState !== WebSocket.OPEN) return void (this.targets = { ...this.targets, channelId });
    for (const name of ['highlight', 'presence']) socket.send(JSON.stringify({ id: this.idOf(name), type: 'complete' }));
    this.generation += 1;
    this.targets = { ...this.targets, channelId };
    socket.send(JSON.stringify({ id: this.idOf('highlight'), type: 'subscribe', payload: { query: OPERATIONS.highlight, variables: { c: channelId } } }));
    socket.send(JSON.stringify({ id: this.idOf('presence'), type: 'subscribe', payload: { query: OPERATIONS.presence, variables: { c: channelId } } }));
  }

  /** Leaves for good, closing properly. */
  close(): Promise<void> {
    this.closed = true;
    const socket = this.socket;
    if (!socket || socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      socket.once('close', () => resolve());
      socket.close(1000);
    });
  }
}
