// A TCP proxy that can silence its open connections without closing them: a half-open connection, on demand.

import { connect, createServer } from 'node:net';

/**
 * Forwards 127.0.0.1:<port> to a target port; `silence()` makes every open connection drop its traffic, both ways, for good.
 * Connections accepted afterwards forward normally, as a network path that recovered would.
 */
export class BlackholeProxy {
  #server;
  #sockets = new Set();
  #silencedBefore = 0;
  accepted = 0;
  port = 0;

  constructor(targetPort) {
    this.#server = createServer((client) => {
      this.accepted += 1;
      const number = this.accepted;
      const upstream = connect(targetPort, '127.0.0.1');
      for (const [source, sink] of [[client, upstream], [upstream, client]]) {
        this.#sockets.add(source);
        source.on('data', (data) => number > this.#silencedBefore && sink.write(data));
        source.on('error', () => {});
        source.on('close', () => {
          this.#sockets.delete(source);
          if (number > this.#silencedBefore) sink.destroy();
        });
      }
    });
  }

  async start() {
    await new Promise((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.port = this.#server.address().port;
  }

  /** From now on, every connection accepted so far forwards nothing and stays open. */
  silence() {
    this.#silencedBefore = this.accepted;
  }

  async stop() {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}
