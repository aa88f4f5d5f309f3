import { setFlagsFromString } from 'node:v8';

/**
 * Whether V8 may pretenure by allocation site (`server.allocationSitePretenuring`, default false).
 *
 * V8 watches how many objects from each allocation site (an object or array literal in the code)
 * survive young-generation collections; once most of a site's objects survive, it allocates
 * that site's objects straight into the old generation from then on. The gateway's load is the one
 * this guesses wrong: a 500-event batch keeps its parsed events, drafts and rows alive for the
 * length of its commit, so those sites are pretenured during batch traffic, and the same sites then
 * serve single events that die within milliseconds, in the old generation, where only a full
 * collection frees them. Measured on the 2-core reference machine (docs/benchmarks.md, "Single
 * events after batches"): single events that followed batch ingest spent ~11 % of the main thread
 * in garbage collection against ~3 % on a gateway that had seen no batches, and ran ~25 % slower;
 * with pretenuring off, ~3 % after batches too.
 *
 * Process-wide (every isolate, so the store thread too). V8 consults the flag when a collection
 * decides which sites to pretenure, so setting it at start, before any traffic, covers the whole
 * run. Returns whether it turned pretenuring off.
 */
export function applyAllocationSitePretenuring(enabled: boolean): boolean {
  if (enabled) return false;
  setFlagsFromString('--no-allocation-site-pretenuring');
  return true;
}
