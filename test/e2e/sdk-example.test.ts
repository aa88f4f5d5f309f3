/** The README's SDK example runs as written against the sandbox over a real socket. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendOneEvent } from '../../examples/send-one-event.js';
import { type SandboxHandle, startSandbox } from './harness.js';

describe('examples/send-one-event.ts', () => {
  let sb: SandboxHandle;
  beforeAll(async () => {
    sb = await startSandbox({ recordBodies: 'full' });
  });
  afterAll(() => sb.stop());

  it('delivers one hashed event to the sandbox', async () => {
    const outcome = await sendOneEvent({ LINKEDIN_BASE_URL: sb.url });
    expect(outcome).toMatchObject({ kind: 'delivered', status: 201 });
    const [event] = sb.sandbox.events();
    expect(event?.user.userIds.map((u) => u.idType).sort()).toEqual([
      'LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID',
      'PLAINTEXT_IP_ADDRESS',
      'SHA256_EMAIL',
    ]);
    const body = sb.sandbox.requests({ path: '/rest/conversionEvents' })[0]?.body ?? '';
    expect(body).not.toMatch(/jane/i);
    expect(body).toContain('"amount":"249"');
  });
});
