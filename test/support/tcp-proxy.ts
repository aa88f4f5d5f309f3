/**
 * A TCP proxy on loopback that can play a network partition: `freeze()` stops forwarding in both
 * directions without closing anything (packets that go nowhere, as when a link or a firewall drops
 * them), and holds new connections unanswered; `thaw()` heals it. Nothing is ever reset, which is
 * the hard case for a client: no error arrives, only silence.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  readonly port: number;
  freeze(): void;
  thaw(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let frozen = false;
  const relays = new Set<Array<{ pause(): void; resume(): void }>>();
  const held: Socket[] = [];
  const sockets = new Set<Socket>();

  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };

  /** Copies `from` to `to`, except while frozen: then it stops reading and keeps what it had read. */
  const relay = (from: Socket, to: Socket) => {
    const kept: Buffer[] = [];
    from.on('data', (chunk: Buffer) => {
      if (!frozen) {
        to.write(chunk);
        return;
      }
      kept.push(chunk);
      from.pause();
    });
    return {
      pause: () => from.pause(),
      resume: () => {
        for (const chunk of kept.splice(0)) to.write(chunk);
        from.resume();
      },
    };
  };

  const forward = (client: Socket) => {
    const upstream = connect(target.port, target.host);
    track(upstream);
    const pair = [relay(client, upstream), relay(upstream, client)];
    relays.add(pair);
    const end = () => {
      relays.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end);
    upstream.on('close', end);
  };

  const server: Server = createServer((client) => {
    track(client);
    if (frozen) {
      // Accepted by the kernel, answered by nobody: the client's connect timeout must catch it.
      client.pause();
      held.push(client);
      return;
    }
    forward(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no port');

  return {
    port: address.port,
    freeze() {
      frozen = true;
      for (const pair of relays) for (const r of pair) r.pause();
    },
    thaw() {
      frozen = false;
      for (const pair of relays) for (const r of pair) r.resume();
      for (const client of held.splice(0)) {
        if (client.destroyed) continue;
        client.resume();
        forward(client);
      }
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
