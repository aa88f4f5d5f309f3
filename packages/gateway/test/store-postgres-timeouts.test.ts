/**
 * The PostgreSQL pool's timeouts against a real server: a query that outlives the query timeout
 * fails instead of waiting, and the connection it ran on is closed rather than handed to the next
 * caller (who would otherwise queue behind the query still running on it).
 */
import { afterEach, expect, it } from 'vitest';
import { createPool, inTransaction, type Pool } from '../src/store/postgres/pool.js';
import { describeWithPg } from './support/pg.js';

await describeWithPg('PostgreSQL pool timeouts', (url) => {
  let pool: Pool | undefined;
  afterEach(async () => {
    await pool?.end();
    pool = undefined;
  });

  it('fails a query that outlives the query timeout, and the next transaction does not wait for it', async () => {
    pool = await createPool({ connectionString: url, poolSize: 1, queryTimeoutMs: 300 });
    pool.on('error', () => undefined);
    const started = performance.now();
    await expect(inTransaction(pool, (c) => c.query('SELECT pg_sleep(3)'))).rejects.toThrow(/timeout/i);
    expect(performance.now() - started).toBeLessThan(2_000);
    // One connection in the pool: had the timed-out one gone back, this would wait for the sleep.
    const next = performance.now();
    const { rows } = await inTransaction(pool, (c) => c.query<{ one: number }>('SELECT 1 AS one'));
    expect(rows[0]?.one).toBe(1);
    expect(performance.now() - next).toBeLessThan(2_000);
  });

  it('keeps the connection after an error PostgreSQL itself reported', async () => {
    pool = await createPool({ connectionString: url, poolSize: 1, queryTimeoutMs: 5_000 });
    const pid = async () =>
      inTransaction(pool!, (c) => c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).then(
        (r) => r.rows[0]?.pid,
      );
    const before = await pid();
    await expect(inTransaction(pool, (c) => c.query('SELECT 1/0'))).rejects.toMatchObject({ code: '22012' });
    expect(await pid()).toBe(before);
  });

  it('gives up on a server that does not answer the connection within the connect timeout', async () => {
    const { createServer } = await import('node:net');
    // Accepts TCP connections and never says a word: a server behind a partition.
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      pool = await createPool({
        connectionString: `postgres://postgres@127.0.0.1:${port}/test`,
        connectTimeoutMs: 300,
      });
      pool.on('error', () => undefined);
      const started = performance.now();
      await expect(pool.query('SELECT 1')).rejects.toThrow(/timeout/i);
      expect(performance.now() - started).toBeLessThan(2_000);
    } finally {
      silent.close();
    }
  });
});
