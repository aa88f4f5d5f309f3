/** The delivery worker's public surface: the composition root and tests import from here. */
export { ALL_ACCOUNTS } from './context.js';
export type { DeliveryReport, DeliveryWorker, DeliveryWorkerDeps, WorkerConfig } from './types.js';
export { createDeliveryWorker } from './worker.js';
