/**
 * The listening socket for `start()`/`stop()`. Built on node-server's request listener so a
 * dropped-connection fault can end a request with no answer at all (the socket is destroyed and
 * nothing is written), which `serve()` would turn into a 500.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { DroppedConnection, ERRORS } from './errors.js';

export interface ListenOptions {
  /** Default 0: any free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
}

export interface Listening {
  url: string;
  port: number;
}

type FetchHandler = (request: Request, env: Record<string, unknown>) => Response | Promise<Response>;

export class SandboxServer {
  #server: Server | undefined;

  get listening(): boolean {
    return this.#server !== undefined;
  }

  async start(fetch: FetchHandler, options: ListenOptions = {}): Promise<Listening> {
    if (this.#server) throw new Error('The sandbox is already listening');
    const listener = getRequestListener(fetch, {
      // Do not replace the host process's global Request/Response: the gateway may run us in-process.
      overrideGlobalObjects: false,
      errorHandler: (err) => {
        if (err instanceof DroppedConnection) return undefined;
        console.error('[sandbox] request failed', err);
        return ERRORS.internal();
      },
    });
    const server = createServer(listener);
    const host = options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.#server = server;
    const { port } = server.address() as AddressInfo;
    const shownHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
    return { url: `http://${shownHost}:${port}`, port };
  }

  /** Stops accepting, drops idle keep-alive connections and waits for the server to close. */
  async stop(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
      // Whatever is still open after a grace period (held or slow requests) is cut.
      setTimeout(() => server.closeAllConnections(), 250).unref();
    });
  }
}
