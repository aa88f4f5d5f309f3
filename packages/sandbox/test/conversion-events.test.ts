import { describe, expect, it } from 'vitest';
import { DEMO_SEED, ruleUrn } from '../src/index.js';
import { DAY, EMAIL_HASH, event, json, NOW, postBatch, postEvent, sandbox } from './helpers.js';

const R = DEMO_SEED.rules;
const user = (u: Record<string, unknown>) => ({ user: u });

describe('single create', () => {
  it('201 with an empty body and an opaque x-restli-id; the event is stored', async () => {
    const sb = sandbox();
    const res = await postEvent(sb, event({ conversionValue: { currencyCode: 'EUR', amount: '249.00' } }));
    expect(res.status).toBe(201);
    expect(await res.text()).toBe('');
    expect(res.headers.get('x-restli-id')).toMatch(/^[0-9a-f-]{36}$/);
    const [stored] = sb.events();
    expect(stored).toMatchObject({
      seq: 1,
      rule: R.lead,
      eventId: 'ord-1',
      happenedAt: NOW - 60_000,
      receivedAt: NOW,
      value: { currencyCode: 'EUR', amount: '249.00' },
      token: DEMO_SEED.tokens.valid,
    });
  });

  it('accepts the composed examples of the contract (name only, lead with externalIds)', async () => {
    const sb = sandbox();
    const nameOnly = event(user({ userIds: [], userInfo: { firstName: 'sam', lastName: 'lee' } }));
    expect((await postEvent(sb, nameOnly)).status).toBe(201);
    const lead = event(
      user({
        userIds: [],
        lead: 'urn:li:leadGenFormResponse:3fa9c1d2-0b7e-4e55-9a61-2c8d0f1e7a44',
        externalIds: ['crm-contact-0099812'],
      }),
    );
    expect((await postEvent(sb, lead)).status).toBe(201);
  });

  it('does not check idValue syntax or the currency code (LinkedIn does not)', async () => {
    const res = await postEvent(
      sandbox(),
      event({
        conversionValue: { currencyCode: 'XYZ', amount: '1' },
        user: {
          userIds: [
            { idType: 'PLAINTEXT_IP_ADDRESS', idValue: '999.999.999.999' },
            { idType: 'LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID', idValue: 'df5gf5-gh6t7-ph4j7h-fgf6n1' },
          ],
        },
      }),
    );
    expect(res.status).toBe(201);
  });
});

describe('batch create', () => {
  it('200 with one {status:201} per element, in order', async () => {
    const sb = sandbox();
    const elements = [
      event({ eventId: 'a' }),
      event({ eventId: 'b', conversion: ruleUrn(R.mql) }),
      event({ eventId: 'c' }),
    ];
    const res = await postBatch(sb, elements);
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ elements: [{ status: 201 }, { status: 201 }, { status: 201 }] });
    expect(sb.events().map((e) => e.eventId)).toEqual(['a', 'b', 'c']);
  });

  it('an empty batch is fine', async () => {
    const res = await postBatch(sandbox(), []);
    expect(await json(res)).toEqual({ elements: [] });
  });

  it('refuses more than 5,000 elements', async () => {
    const res = await postBatch(
      sandbox(),
      Array.from({ length: 5001 }, () => event()),
    );
    expect(res.status).toBe(400);
  });

  it('without BATCH_CREATE a batch body is one event with an unknown field', async () => {
    const res = await postEvent(sandbox(), { elements: [event()] });
    expect(res.status).toBe(422);
    expect((await json(res)).message).toContain(
      'ERROR :: /elements :: unrecognized field found but not allowed\n',
    );
  });
});

describe('schema errors: 422', () => {
  const message = async (res: Response) => {
    expect(res.status).toBe(422);
    const body = await json(res);
    expect(body.status).toBe(422);
    return body.message as string;
  };

  it('amount as a JSON number', async () => {
    const res = await postEvent(sandbox(), event({ conversionValue: { currencyCode: 'EUR', amount: 19.9 } }));
    expect(await message(res)).toBe('ERROR :: /conversionValue/amount :: 19.9 cannot be coerced to String\n');
  });

  it('an unknown idType', async () => {
    const res = await postEvent(
      sandbox(),
      event(user({ userIds: [{ idType: 'SHA256_PHONE_NUMBER', idValue: 'x' }] })),
    );
    expect(await message(res)).toBe(
      'ERROR :: /user/userIds/0/idType :: "SHA256_PHONE_NUMBER" is not an enum symbol\n',
    );
  });

  it('collects every error of one event, as in the contract example', async () => {
    const res = await postEvent(
      sandbox(),
      event({
        conversionValue: { currencyCode: 'EUR', amount: 19.9 },
        user: { userIds: [{ idType: 'SHA256_PHONE_NUMBER', idValue: 'x' }] },
      }),
    );
    expect(await message(res)).toBe(
      'ERROR :: /conversionValue/amount :: 19.9 cannot be coerced to String\nERROR :: /user/userIds/0/idType :: "SHA256_PHONE_NUMBER" is not an enum symbol\n',
    );
  });

  it('unknown fields at any level', async () => {
    const res = await postEvent(
      sandbox(),
      event({
        ipAddress: '1.2.3.4',
        user: { userIds: [], userInfo: { firstName: 'a', lastName: 'b', city: 'Berlin' } },
      }),
    );
    expect(await message(res)).toBe(
      'ERROR :: /user/userInfo/city :: unrecognized field found but not allowed\nERROR :: /ipAddress :: unrecognized field found but not allowed\n',
    );
  });

  it('user.userIds is required even when other identifiers are present', async () => {
    const res = await postEvent(sandbox(), event(user({ userInfo: { firstName: 'a', lastName: 'b' } })));
    expect(await message(res)).toBe(
      'ERROR :: /user/userIds :: field is required but not found and has no default value\n',
    );
  });

  it('each userIds entry needs idType and idValue', async () => {
    const res = await postEvent(
      sandbox(),
      event(user({ userIds: [{ idType: 'SHA256_EMAIL' }, { idValue: 'x' }] })),
    );
    expect(await message(res)).toBe(
      'ERROR :: /user/userIds/0/idValue :: field is required but not found and has no default value\nERROR :: /user/userIds/1/idType :: field is required but not found and has no default value\n',
    );
  });

  it('URN prefixes of conversion and lead', async () => {
    const res = await postEvent(
      sandbox(),
      event({ conversion: 'urn:li:sponsoredConversion:123', user: { userIds: [], lead: 'urn:li:lead:1' } }),
    );
    expect(await message(res)).toBe(
      'ERROR :: /conversion :: Invalid Urn format. Invalid prefix.\nERROR :: /user/lead :: Invalid Urn format. Invalid prefix.\n',
    );
  });

  it('missing required fields and wrong JSON types', async () => {
    const res = await postEvent(sandbox(), {
      conversionHappenedAt: '1795185000000',
      eventId: 7,
      conversionValue: { amount: '1' },
    });
    expect(await message(res)).toBe(
      [
        'ERROR :: /conversion :: field is required but not found and has no default value',
        'ERROR :: /conversionHappenedAt :: 1795185000000 cannot be coerced to Long',
        'ERROR :: /conversionValue/currencyCode :: field is required but not found and has no default value',
        'ERROR :: /eventId :: 7 cannot be coerced to String',
        'ERROR :: /user :: field is required but not found and has no default value',
        '',
      ].join('\n'),
    );
  });

  it('in a batch, the first line of each failing element carries "Index: N, "', async () => {
    const res = await postBatch(sandbox(), [
      event(),
      event({ conversion: 'urn:li:x:1', user: { userIds: [], userInfo: { firstName: 'a' } } }),
      event(),
      event({ conversionValue: { currencyCode: 'EUR', amount: 5 } }),
    ]);
    expect(await message(res)).toBe(
      [
        'Index: 1, ERROR :: /conversion :: Invalid Urn format. Invalid prefix.',
        'ERROR :: /user/userInfo/lastName :: field is required but not found and has no default value',
        'Index: 3, ERROR :: /conversionValue/amount :: 5 cannot be coerced to String',
        '',
      ].join('\n'),
    );
  });

  it('a malformed batch envelope', async () => {
    const sb = sandbox();
    expect(await message(await postEvent(sb, { items: [] }, { 'X-RestLi-Method': 'BATCH_CREATE' }))).toBe(
      'ERROR :: /items :: unrecognized field found but not allowed\nERROR :: /elements :: field is required but not found and has no default value\n',
    );
    expect(await message(await postEvent(sb, { elements: {} }, { 'X-RestLi-Method': 'BATCH_CREATE' }))).toBe(
      'ERROR :: /elements :: {} is not backed by a DataList\n',
    );
  });
});

describe('names by version', () => {
  const withInfo = (userInfo: Record<string, unknown>) => event(user({ userIds: [], userInfo }));
  const v = (version: string) => ({ 'LinkedIn-Version': version });

  it('up to 202608 both plain names are required', async () => {
    const res = await postEvent(sandbox(), withInfo({ firstName: 'jane' }), v('202608'));
    expect(res.status).toBe(422);
    expect((await json(res)).message).toBe(
      'ERROR :: /user/userInfo/lastName :: field is required but not found and has no default value\n',
    );
  });

  it('before 202609 the hashed names do not exist', async () => {
    const res = await postEvent(
      sandbox(),
      withInfo({ hashedFirstName: 'a'.repeat(64), lastName: 'doe' }),
      v('202608'),
    );
    expect(res.status).toBe(422);
    expect((await json(res)).message).toBe(
      'ERROR :: /user/userInfo/hashedFirstName :: unrecognized field found but not allowed\nERROR :: /user/userInfo/firstName :: field is required but not found and has no default value\n',
    );
  });

  it('from 202609 one of each pair, plain or hashed, mixed allowed', async () => {
    const sb = sandbox();
    expect((await postEvent(sb, withInfo({ hashedFirstName: 'a'.repeat(64), lastName: 'doe' }))).status).toBe(
      201,
    );
    expect(
      (await postEvent(sb, withInfo({ hashedFirstName: 'a'.repeat(64), hashedLastName: 'b'.repeat(64) })))
        .status,
    ).toBe(201);
    const missing = await postEvent(sb, withInfo({ firstName: 'jane', companyName: 'Example' }));
    expect(missing.status).toBe(422);
    expect((await json(missing)).message).toBe(
      'ERROR :: /user/userInfo/lastName :: field is required but not found and has no default value\n',
    );
  });

  it('ORACLE_MOAT_ID is accepted up to 202608 and unknown from 202609', async () => {
    const moat = event(user({ userIds: [{ idType: 'ORACLE_MOAT_ID', idValue: 'm-1' }] }));
    expect((await postEvent(sandbox(), moat, v('202608'))).status).toBe(201);
    const res = await postEvent(sandbox(), moat, v('202609'));
    expect(res.status).toBe(422);
    expect((await json(res)).message).toBe(
      'ERROR :: /user/userIds/0/idType :: "ORACLE_MOAT_ID" is not an enum symbol\n',
    );
  });
});

describe('business rules: 400 with indices', () => {
  it('too old and in the future, listing every failing index', async () => {
    const res = await postBatch(sandbox(), [
      event({ conversionHappenedAt: NOW - 91 * DAY }),
      event(),
      event({ conversionHappenedAt: NOW + 60_000 }),
    ]);
    expect(res.status).toBe(400);
    expect(await json(res)).toEqual({
      message:
        'Conversion time should be within 90 days and not exceed current time, indices [0, 2] (0-indexed).',
      status: 400,
    });
  });

  it('exactly 90 days old is still inside the window', async () => {
    expect((await postEvent(sandbox(), event({ conversionHappenedAt: NOW - 90 * DAY }))).status).toBe(201);
  });

  it('no usable identifier (including empty strings)', async () => {
    const res = await postBatch(sandbox(), [
      event(),
      event(user({ userIds: [] })),
      event(user({ userIds: [{ idType: 'SHA256_EMAIL', idValue: '' }] })),
      event(user({ userIds: [], externalIds: [''] })),
    ]);
    expect(res.status).toBe(400);
    const msg = (await json(res)).message as string;
    expect(msg).toMatch(
      /^Validation failed because \[\{field=user, batchIndex=1, type=INVALID_USER_IDENTIFICATION_FIELD_VALUE/,
    );
    expect(msg).toContain('batchIndex=2');
    expect(msg).toContain('batchIndex=3');
    expect(msg).toMatch(/, indices \[1, 2, 3\] \(0-indexed\)$/);
  });

  it('externalIds alone identify; extra entries are ignored', async () => {
    const res = await postEvent(sandbox(), event(user({ userIds: [], externalIds: ['crm-1', '', 'crm-3'] })));
    expect(res.status).toBe(201);
  });

  it('a rule that is not a CAPI rule', async () => {
    const res = await postBatch(sandbox(), [event(), event({ conversion: ruleUrn(R.insightTag) })]);
    expect(res.status).toBe(400);
    expect(await json(res)).toEqual({
      message:
        "Incorrect conversions information provided. Conversion's method should be CONVERSIONS_API, indices [1] (0-indexed)",
      status: 400,
    });
  });

  it('a disabled rule', async () => {
    const res = await postEvent(sandbox(), event({ conversion: ruleUrn(R.disabled) }));
    expect(res.status).toBe(400);
    expect(await json(res)).toEqual({
      message:
        "Invalid Conversion information provided, this event(s) is associated to a conversion that's marked as deleted. Conversion enabled should be true, indices [0] (0-indexed)",
      status: 400,
    });
  });

  it('the time window is reported before other classes', async () => {
    const res = await postBatch(sandbox(), [
      event({ conversion: ruleUrn(R.disabled) }),
      event({ conversionHappenedAt: 0 }),
    ]);
    expect((await json(res)).message).toMatch(/^Conversion time should be within 90 days.*indices \[1\]/);
  });
});

describe('rule resolution and atomicity', () => {
  it('an unknown rule: 403 "No ad accounts found"', async () => {
    const res = await postEvent(sandbox(), event({ conversion: ruleUrn('999999') }));
    expect(res.status).toBe(403);
    expect(await json(res)).toEqual({ message: 'No ad accounts found', status: 403 });
  });

  it('batches are all-or-nothing: one bad element stores nothing', async () => {
    const sb = sandbox();
    for (const bad of [
      event({ conversionValue: { currencyCode: 'EUR', amount: 1 } }),
      event({ conversionHappenedAt: 0 }),
      event({ conversion: ruleUrn('424242') }),
    ]) {
      const res = await postBatch(sb, [event(), bad, event()]);
      expect(res.status).toBeGreaterThanOrEqual(400);
    }
    expect(sb.events()).toHaveLength(0);
    expect(sb.state.events.total).toBe(0);
  });

  it('schema errors win over business errors', async () => {
    const res = await postBatch(sandbox(), [event({ conversionHappenedAt: 0 }), event({ extra: 1 })]);
    expect(res.status).toBe(422);
  });

  it('a fractional timestamp is coerced like Rest.li does', async () => {
    const sb = sandbox();
    expect((await postEvent(sb, event({ conversionHappenedAt: NOW - 999.3 }))).status).toBe(201);
    expect(sb.events()[0]?.happenedAt).toBe(NOW - 1000);
  });

  it('uses the email hash verbatim', async () => {
    const sb = sandbox();
    await postEvent(sb, event());
    expect(sb.events()[0]?.user.userIds[0]?.idValue).toBe(EMAIL_HASH);
  });
});
