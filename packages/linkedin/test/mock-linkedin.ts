/**
 * Canned LinkedIn responses on an undici MockAgent (injected as the client's dispatcher; nothing is
 * monkeypatched). Each call is recorded so tests can assert on what was sent.
 */
import { MockAgent } from 'undici';

export interface RecordedCall {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string | null;
}

export function mockLinkedIn(origin = 'https://api.linkedin.com') {
  const agent = new MockAgent();
  agent.disableNetConnect();
  const pool = agent.get(origin);
  const calls: RecordedCall[] = [];

  function reply(
    method: string,
    path: string | RegExp | ((path: string) => boolean),
    status: number,
    body: unknown = '',
    headers: Record<string, string> = {},
  ): void {
    pool.intercept({ method, path }).reply((opts) => {
      const h: Record<string, string> = {};
      for (const [k, v] of Object.entries((opts.headers ?? {}) as Record<string, string>))
        h[k.toLowerCase()] = v;
      calls.push({
        method: opts.method,
        path: opts.path,
        headers: h,
        body:
          typeof opts.body === 'string'
            ? opts.body
            : opts.body instanceof Uint8Array
              ? Buffer.from(opts.body).toString('utf8')
              : null,
      });
      return {
        statusCode: status,
        data: typeof body === 'string' ? body : JSON.stringify(body),
        responseOptions: { headers },
      };
    });
  }

  return { agent, pool, calls, reply };
}
