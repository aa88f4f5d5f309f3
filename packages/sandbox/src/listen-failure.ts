/**
 * `capi sandbox` failing to listen, told with the option to change. The code stays (the CLI prints
 * it first) and the original stays as the cause; other errors pass unchanged.
 */
export function listenFailure(err: unknown, at: { host: string; port: number }): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  const explain = (message: string) => Object.assign(new Error(message, { cause: err }), { code });
  switch (code) {
    case 'EADDRINUSE':
      return explain(
        `port ${at.port} on ${at.host} is already in use: stop what listens there, or choose another with --port (0 picks a free one)`,
      );
    case 'EACCES':
      return explain(`this process may not listen on port ${at.port}: choose --port 1024 or above`);
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return explain(
        `cannot listen on ${at.host}, which is no address of this machine: choose another --host`,
      );
    default:
      return err;
  }
}
