/** Shared test values. The clock is fixed: tests never read the real time. */
export const NOW = Date.parse('2026-11-22T12:00:00Z');
export const HOUR = 3_600_000;
export const DAY = 86_400_000;
export const JANE_DOE_HASH = '86e0b9e56c17cc4d12387e1949b85053fbe73bc3ce5a1188713a9d300cc6133d';
export const IP_HASH = 'fec52565aa0cf18f57d7cf5b3ac728503b8992d2d6f7d46da1d1201090902b02';

/** A valid LinkedIn-shaped event (contract §1.7), one hour old. */
export function wireEvent(): Record<string, unknown> {
  return {
    conversion: 'urn:lla:llaPartnerConversion:7345120',
    conversionHappenedAt: NOW - HOUR,
    conversionValue: { currencyCode: 'EUR', amount: '249.00' },
    eventId: 'ord-2026-11-20-000417',
    user: {
      userIds: [
        { idType: 'SHA256_EMAIL', idValue: JANE_DOE_HASH },
        { idType: 'LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID', idValue: 'a1b2c3-d4e5f6-g7h8i9-j0k1l2' },
      ],
      userInfo: {
        firstName: 'jane',
        lastName: 'doe',
        companyName: 'Example GmbH',
        title: 'Head of Procurement',
        countryCode: 'DE',
      },
    },
  };
}
