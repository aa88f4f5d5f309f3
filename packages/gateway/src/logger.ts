/**
 * JSON logs (pino) with redaction. The gateway hashes identifiers before anything is logged, but
 * redaction is the second line of defence: any field that could carry a secret or raw identifier
 * is censored wherever it appears, so a careless log call cannot leak it.
 */
import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger };

/** Field names censored at any depth up to three levels. */
const SENSITIVE = [
  'authorization',
  'cookie',
  'token',
  'accessToken',
  'access_token',
  'refresh_token',
  'refreshToken',
  'adminToken',
  'key',
  'password',
  'secret',
  'email',
  'firstName',
  'lastName',
  'first_name',
  'last_name',
  'name',
  'phone',
  'ip',
  'payload',
  'idValue',
  'sha256Email',
  'liFatId',
  'context',
];

export const REDACT_PATHS: string[] = SENSITIVE.flatMap((field) => [
  field,
  `*.${field}`,
  `*.*.${field}`,
  `*.*.*.${field}`,
]);

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'capi-gateway' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
