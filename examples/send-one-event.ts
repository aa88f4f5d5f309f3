/**
 * The SDK on its own: build one event from raw identifiers (normalised and hashed locally) and send
 * it to LinkedIn, or to the sandbox:
 *
 *   npm run sandbox &                                  # LinkedIn sandbox on http://127.0.0.1:8181
 *   npx tsx examples/send-one-event.ts                 # prints { kind: 'delivered', status: 201, … }
 *
 * For LinkedIn itself: LINKEDIN_BASE_URL=https://api.linkedin.com LINKEDIN_TOKEN=… LINKEDIN_RULE=…
 */
import { buildConversionEvent, DEFAULT_LINKEDIN_VERSION, LinkedInClient } from '@capi-gateway/linkedin';

export async function sendOneEvent(env: Record<string, string | undefined> = process.env) {
  const client = new LinkedInClient({
    accessToken: env.LINKEDIN_TOKEN ?? 'sandbox-demo-token',
    baseUrl: env.LINKEDIN_BASE_URL ?? 'http://127.0.0.1:8181',
    version: env.LINKEDIN_VERSION ?? DEFAULT_LINKEDIN_VERSION,
    timeoutMs: 10_000,
  });
  try {
    const built = buildConversionEvent(
      {
        conversion: env.LINKEDIN_RULE ?? '7345120', // rule id or urn:lla:llaPartnerConversion:{id}
        happenedAt: Date.now() - 60_000, // epoch milliseconds
        eventId: `order-${Date.now()}`, // the id the Insight Tag used too, for deduplication
        value: { amount: 249, currency: 'EUR' }, // sent as { amount: "249", currencyCode: "EUR" }
        user: { email: ' Jane.Doe@Example.com ', liFatId: 'a1b2c3-d4e5f6', ip: '203.0.113.7' },
      },
      { version: client.version, now: Date.now() },
    );
    if (!built.ok) return { kind: 'invalid' as const, errors: built.errors };
    return await client.sendEvent(built.event);
  } finally {
    await client.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await sendOneEvent());
}
