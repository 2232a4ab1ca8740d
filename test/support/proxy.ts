import net from 'node:net';

export type ProxyMode = 'pass' | 'slow' | 'hang';

/**
 * A TCP proxy in front of a subgraph that a test controls: `pass` forwards,
 * `slow` forwards answers `delayMs` late, `hang` accepts connections and
 * swallows everything (the subgraph never answers). Only ever on 127.0.0.1.
 */
export class FaultProxy {
  mode: ProxyMode = 'pass';
  delayMs = 0;
  /** HTTP requests seen (chunks that open with a POST), so a test can tell a request was sent once. */
  posts = 0;
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();

  constructor(
    readonly listenPort: number,
    private readonly targetPort: number,
  ) {
    this.server = net.createServer((client) => this.accept(client));
  }

  private accept(client: net.Socket): void {
    this.sockets.add(client);
    client.on('close', () => this.sockets.delete(client));
    client.on('error', () => client.destroy());
    let upstream: net.Socket | null = null;
    const connectUpstream = () => {
      upstream = net.connect(this.targetPort, '127.0.0.1');
      this.sockets.add(upstream);
      upstream.on('close', () => {
        this.sockets.delete(upstream!);
        client.destroy();
      });
      upstream.on('error', () => client.destroy());
      upstream.on('data', (chunk) => {
        if (this.mode === 'pass') client.write(chunk);
        else if (this.mode === 'slow') setTimeout(() => client.write(chunk), this.delayMs);
      });
    };
    client.on('data', (chunk: Buffer) => {
      if (chunk.subarray(0, 5).toString('latin1') === 'POST ') this.posts++;
      if (this.mode === 'hang') return; // swallow the request, answer nothing
      if (!upstream) connectUpstream();
      upstream!.write(chunk);
    });
  }

  /** Drops every open connection, e.g. so keep-alive sockets see a new mode from their next request on. */
  reset(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  listen(): Promise<void> {
    return new Promise((resolve) => this.server.listen(this.listenPort, '127.0.0.1', resolve));
  }

  close(): Promise<void> {
    this.reset();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
