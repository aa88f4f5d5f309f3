// Entry of the SQLite store thread. Under tsx (`npm start`, tests) the host is TypeScript, and a
// worker thread does not always inherit the loader, so register it here before importing the host.
import { workerData } from 'node:worker_threads';

if (workerData.entry.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(workerData.entry);
