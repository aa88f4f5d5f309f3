/**
 * LinkedIn's error bodies, one builder per case. Three shapes exist (contract 1.6): flat
 * `{message, status}` for validation and rule errors, `{status, code, message}` for gateway version
 * errors, and `{status, serviceErrorCode, code, message}` for auth. Message texts follow what was
 * observed live where known; clients must not parse them, but the gateway's classifier reads the
 * `indices [...]` suffix of business errors, so that part is exact.
 */

const JSON_HEADERS = { 'content-type': 'application/json' } as const;

export function jsonResponse(status: number, body: unknown, headers?: Record<string, string>): Response {
  return new Response(JSON.stringify(body), { status, headers: { ...JSON_HEADERS, ...headers } });
}

/** No body at all, with an explicit `Content-Length: 0` as LinkedIn sends on a 201. */
export function emptyResponse(status: number, headers?: Record<string, string>): Response {
  return new Response(null, {
    status,
    headers: status === 204 ? headers : { 'content-length': '0', ...headers },
  });
}

const flat = (status: number, message: string) => jsonResponse(status, { message, status });

export const ERRORS = {
  versionMissing: () =>
    jsonResponse(
      400,
      {
        status: 400,
        code: 'VERSION_MISSING',
        message: 'A version must be present. Please specify a version by adding the LinkedIn-Version header.',
      },
      { 'X-Restli-Gateway-Error': 'true' },
    ),
  versionInactive: (version: string) =>
    jsonResponse(
      426,
      { status: 426, code: 'NONEXISTENT_VERSION', message: `Requested version ${version} is not active` },
      { 'X-Restli-Gateway-Error': 'true' },
    ),
  emptyToken: () =>
    jsonResponse(401, { message: 'Empty oauth2_access_token', serviceErrorCode: 401, status: 401 }),
  invalidToken: () =>
    jsonResponse(401, {
      status: 401,
      serviceErrorCode: 65600,
      code: 'INVALID_ACCESS_TOKEN',
      message: 'Invalid access token',
    }),
  /** Not attested; shares 65600 with invalid tokens (as observed) but names the cause. */
  expiredToken: () =>
    jsonResponse(401, {
      status: 401,
      serviceErrorCode: 65600,
      code: 'EXPIRED_ACCESS_TOKEN',
      message: 'The token used in the request has expired',
    }),
  revokedToken: () =>
    jsonResponse(401, {
      status: 401,
      serviceErrorCode: 65601,
      code: 'REVOKED_ACCESS_TOKEN',
      message: 'The token used in the request has been revoked by the user',
    }),
  notAuthorized: (resourceMethod: string) =>
    jsonResponse(403, {
      status: 403,
      serviceErrorCode: 100,
      code: 'USER_NOT_AUTHORIZED',
      message: `Not enough permissions to access: ${resourceMethod}`,
    }),
  viewerRole: (resourceMethod: string, account: string) =>
    jsonResponse(403, {
      status: 403,
      serviceErrorCode: 100,
      code: 'USER_NOT_AUTHORIZED',
      message: `Not enough permissions to access: ${resourceMethod}. The member's role on ${account} is VIEWER`,
    }),
  noAdAccounts: () => flat(403, 'No ad accounts found'),
  /** `lines` are complete `ERROR :: /path :: reason` lines, possibly `Index: N, ` prefixed. */
  schema: (lines: string[]) => flat(422, lines.map((l) => `${l}\n`).join('')),
  business: (message: string) => flat(400, message),
  badRequest: (message: string) => flat(400, message),
  notFound: (message: string) => flat(404, message),
  noRootResource: (path: string) => flat(404, `No root resource defined for path '${path}'`),
  unsupported: (method: string, path: string, restliMethod: string) =>
    flat(400, `${method} operation not supported for URI '${path}' with X-RestLi-Method '${restliMethod}'`),
  throttled: () =>
    jsonResponse(429, {
      message: 'Resource level throttle limit for calls to this resource is reached.',
      serviceErrorCode: 101,
      status: 429,
    }),
  internal: () => flat(500, 'Internal Server Error'),
  unavailable: () => flat(503, 'Service Unavailable'),
} as const;

/** `indices [0, 3] (0-indexed)`, the part of a business error the gateway parses. */
export function indicesSuffix(indices: readonly number[]): string {
  return `indices [${indices.join(', ')}] (0-indexed)`;
}

export const BUSINESS_MESSAGES = {
  time: (indices: readonly number[]) =>
    `Conversion time should be within 90 days and not exceed current time, ${indicesSuffix(indices)}.`,
  nonCapi: (indices: readonly number[]) =>
    `Incorrect conversions information provided. Conversion's method should be CONVERSIONS_API, ${indicesSuffix(indices)}`,
  disabled: (indices: readonly number[]) =>
    `Invalid Conversion information provided, this event(s) is associated to a conversion that's marked as deleted. Conversion enabled should be true, ${indicesSuffix(indices)}`,
  noIdentifier: (indices: readonly number[]) => {
    const items = indices.map(
      (i) =>
        `{field=user, batchIndex=${i}, type=INVALID_USER_IDENTIFICATION_FIELD_VALUE, message=The request must contain one of these fields: SHA256_EMAIL or LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID or ACXIOM_ID or PLAINTEXT_IP_ADDRESS or GOOGLE_AID or (firstName and lastName) or externalIds or lead, and the input shouldn't be empty string}`,
    );
    return `Validation failed because [${items.join(', ')}], ${indicesSuffix(indices)}`;
  },
} as const;

/** Thrown to drop a connection without an answer (timeout faults); the HTTP layer swallows it. */
export class DroppedConnection extends Error {
  override readonly name = 'DroppedConnection';
  constructor() {
    super('The sandbox dropped the connection (injected timeout)');
  }
}

/** Thrown by helpers deep in a handler to answer with `response`; the app's error handler returns it. */
export class Problem extends Error {
  override readonly name = 'Problem';
  constructor(readonly response: Response) {
    super(`HTTP ${response.status}`);
  }
}
