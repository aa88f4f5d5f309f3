import { expect, it } from 'vitest';
import { fakeClock, newEvent, outboxStoreConformance, T0 } from '../src/store/conformance.js';
import { isStoreError } from '../src/store/errors.js';
import { createPostgresStore } from '../src/store/postgres.js';
import { describeWithPg, dropSchema, freshSchemaName } from './support/pg.js';

await describeWithPg('PostgreSQL store', (url) => {
  outboxStoreConformance(
    'postgres',
    async ({ clock }) => {
      const schema = freshSchemaName();
      const store = await createPostgresStore({ connectionString: url, schema, clock, poolSize: 4 });
      return {
        store,
        openPeer: async () => {
          const peer = await createPostgresStore({ connectionString: url, schema, clock, poolSize: 4 });
          await peer.migrate();
          return peer;
        },
        cleanup: async () => {
          await store.close();
          await dropSchema(url, schema);
        },
      };
    },
    { modelRuns: 20 },
  );

  it('migrates once when several instances start at the same time', async () => {
    const schema = freshSchemaName();
    const stores = await Promise.all(
      Array.from({ length: 4 }, () => createPostgresStore({ connectionString: url, schema, poolSize: 2 })),
    );
    try {
      await Promise.all(stores.map((s) => s.migrate()));
      await stores[0]!.migrate();
      const statuses = await stores[1]!.enqueue([newEvent()]);
      expect(statuses).toEqual(['inserted']);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
      await dropSchema(url, schema);
    }
  });

  it('dedups across instances enqueueing the same keys at once', async () => {
    const schema = freshSchemaName();
    const clock = fakeClock(T0);
    const a = await createPostgresStore({ connectionString: url, schema, clock, poolSize: 4 });
    const b = await createPostgresStore({ connectionString: url, schema, clock, poolSize: 4 });
    try {
      await a.migrate();
      const keys = Array.from({ length: 300 }, () => newEvent().eventId);
      const batch = () => keys.map((eventId) => newEvent({ eventId }));
      const results = await Promise.all([a.enqueue(batch()), b.enqueue(batch()), a.enqueue(batch())]);
      const inserted = results.flat().filter((s) => s === 'inserted');
      expect(inserted).toHaveLength(keys.length);
      expect((await b.stats()).byState.queued).toBe(keys.length);
    } finally {
      await a.close();
      await b.close();
      await dropSchema(url, schema);
    }
  });

  it('rejects a schema name that is not a plain identifier', async () => {
    const error = await createPostgresStore({ connectionString: url, schema: 'x; DROP TABLE y' }).catch(
      (e: unknown) => e,
    );
    expect(isStoreError(error, 'STORE_URL_INVALID')).toBe(true);
  });
});
