/**
 * The LinkedInTransport port on the SDK: one LinkedInClient per ad account, all sharing one
 * keep-alive connection pool (every account talks to the same origin). The SDK's Classification
 * and the port's DeliveryOutcome have the same shape by design; the mapping below is explicit so
 * a field added to either side is a compile error here, not a silent pass-through.
 */
import { type Classification, createDefaultAgent, LinkedInClient } from '@capi-gateway/linkedin';
import type { Dispatcher } from 'undici';
import type { DeliveredOutcome } from './domain/delivery-plan.js';
import type { DeliveryOutcome, LinkedInTransport } from './ports.js';

export interface LinkedInTransportOptions {
  baseUrl: string;
  /** LinkedIn-Version, YYYYMM. */
  version: string;
  timeoutMs: number;
  /**
   * The account's current access token, asked before every request so a refreshed or replaced
   * token is used at once; null when the account has none.
   */
  tokenFor: (account: string) => string | null;
  /** Injected undici dispatcher (tests: MockAgent); default a keep-alive Agent owned here. */
  dispatcher?: Dispatcher;
}

export type ClosableLinkedInTransport = LinkedInTransport & { close(): Promise<void> };

/** Body of the outcome returned, without a request, for an account that has no token. */
export const NO_TOKEN_BODY = JSON.stringify({
  message: 'No LinkedIn access token is configured for this ad account; nothing was sent.',
});

export function createLinkedInTransport(options: LinkedInTransportOptions): ClosableLinkedInTransport {
  const owned = options.dispatcher === undefined;
  const dispatcher = options.dispatcher ?? createDefaultAgent(options.timeoutMs);
  const clients = new Map<string, LinkedInClient>();

  const clientFor = (account: string): LinkedInClient => {
    let client = clients.get(account);
    if (!client) {
      client = new LinkedInClient({
        accessToken: () => options.tokenFor(account) ?? '',
        baseUrl: options.baseUrl,
        version: options.version,
        timeoutMs: options.timeoutMs,
        dispatcher,
      });
      clients.set(account, client);
    }
    return client;
  };

  return {
    async sendBatch(account, payloads, signal) {
      // Without a token LinkedIn would answer 401; say so without spending a request of the budget.
      if (!options.tokenFor(account)) {
        return { kind: 'reauth', status: 0, requestId: null, revoked: false, body: NO_TOKEN_BODY };
      }
      return toDeliveryOutcome(await clientFor(account).sendBatchRaw(payloads, signal));
    },
    async close() {
      await Promise.all([...clients.values()].map((c) => c.close()));
      clients.clear();
      if (owned) await dispatcher.close();
    },
  };
}

export function toDeliveryOutcome(c: Classification): DeliveryOutcome {
  const { status, requestId } = c;
  switch (c.kind) {
    case 'delivered': {
      const outcome: DeliveredOutcome = { kind: 'delivered', status, requestId };
      // Not in the port's type yet (see delivery-plan.ts): elements a 200 still reported as failed.
      if (c.elementErrors && c.elementErrors.length > 0) outcome.elementErrors = c.elementErrors;
      return outcome;
    }
    case 'retry':
      return { kind: 'retry', status, requestId, afterMs: c.afterMs, reason: c.reason, body: c.body };
    case 'reauth':
      return { kind: 'reauth', status, requestId, revoked: c.revoked, body: c.body };
    case 'forbidden':
      return { kind: 'forbidden', status, requestId, unknownRule: c.unknownRule, body: c.body };
    case 'rejected':
      return { kind: 'rejected', status, requestId, indices: c.indices, reasons: c.reasons, body: c.body };
    case 'config':
      return { kind: 'config', status, requestId, code: c.code, body: c.body };
  }
}
