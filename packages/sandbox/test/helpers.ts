/** Shared test helpers: a fixed clock, demo headers and event builders. */
import { createSandbox, DEMO_SEED, ruleUrn, type Sandbox, type SandboxOptions } from '../src/index.js';

/** 2026-11-22T12:00:00Z: inside 202609's life, after 202511's sunset. */
export const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);
export const VERSION = '202609';
export const DAY = 86_400_000;

export function sandbox(options: SandboxOptions = {}): Sandbox {
  return createSandbox({ clock: () => NOW, ...options });
}

export function headers(extra: Record<string, string> = {}, token: string = DEMO_SEED.tokens.valid) {
  return {
    Authorization: `Bearer ${token}`,
    'LinkedIn-Version': VERSION,
    'X-Restli-Protocol-Version': '2.0.0',
    'Content-Type': 'application/json',
    ...extra,
  };
}

export const EMAIL_HASH = '86e0b9e56c17cc4d12387e1949b85053fbe73bc3ce5a1188713a9d300cc6133d';

export function event(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    conversion: ruleUrn(DEMO_SEED.rules.lead),
    conversionHappenedAt: NOW - 60_000,
    eventId: 'ord-1',
    user: { userIds: [{ idType: 'SHA256_EMAIL', idValue: EMAIL_HASH }] },
    ...overrides,
  };
}

export async function postEvent(
  sb: Sandbox,
  body: unknown,
  extra: Record<string, string> = {},
  token?: string,
) {
  return sb.app.request('/rest/conversionEvents', {
    method: 'POST',
    headers: headers(extra, token),
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

export async function postBatch(
  sb: Sandbox,
  elements: unknown[],
  extra: Record<string, string> = {},
  token?: string,
) {
  return postEvent(sb, { elements }, { 'X-RestLi-Method': 'BATCH_CREATE', ...extra }, token);
}

export async function get(sb: Sandbox, path: string, extra: Record<string, string> = {}, token?: string) {
  return sb.app.request(path, { headers: headers(extra, token) });
}

export async function json(res: Response): Promise<Record<string, unknown>> {
  return (await res.json()) as Record<string, unknown>;
}

/** Percent-encodes a URN the way Rest.li 2.0 wants it in a path key or query value. */
export const enc = (urn: string) => encodeURIComponent(urn);
