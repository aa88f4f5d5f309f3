import { outboxStoreConformance } from '../src/store/conformance.js';
import { createMemoryStore } from '../src/store/memory.js';

outboxStoreConformance(
  'memory',
  async ({ clock }) => {
    const store = createMemoryStore({ clock });
    return { store, cleanup: () => store.close() };
  },
  { modelRuns: 300 },
);
