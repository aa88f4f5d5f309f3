/**
 * A way past the schema for the common native event. It accepts only what `NativeEventSchema`
 * accepts unchanged, and sends everything else (a context, an unknown key, a wrong type, a limit
 * crossed, a key present as undefined) through the schema, which alone gives the errors. A
 * property test holds it to that: whatever it accepts, the schema accepts, and returns equal.
 *
 * Why: the schema's parse copies every object it checks. On the batch ingest path that was the
 * largest allocation of the main thread, about 2 kB per event (more than the event's own payload),
 * and the garbage collector's work grows with it.
 */
import { MAX_EVENT_ID } from './ingest.js';
import type { NativeEvent } from './native-event.js';
import { NATIVE_LIMITS } from './native-limits.js';

/** The event's keys, as in NativeEventSchema (a test compares the two). */
export const NATIVE_EVENT_KEYS = [
  'conversion',
  'eventId',
  'happenedAt',
  'value',
  'user',
  'consent',
  'context',
] as const;

/** The user's keys, as in NativeUserSchema (a test compares the two); every one is optional text. */
export const NATIVE_USER_KEYS = [
  'email',
  'sha256Email',
  'liFatId',
  'acxiomId',
  'ip',
  'sha256Ip',
  'googleAid',
  'firstName',
  'lastName',
  'companyName',
  'title',
  'countryCode',
  'externalId',
  'leadId',
] as const;

const USER_KEYS: ReadonlySet<string> = new Set(NATIVE_USER_KEYS);

function isObject(v: unknown): v is Record<string, unknown> {
  return (
    typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype
  );
}

function isText(v: unknown, max: number, min = 0): boolean {
  return typeof v === 'string' && v.length >= min && v.length <= max;
}

function isTextOrNumber(v: unknown, max: number, min = 0): boolean {
  return isText(v, max, min) || (typeof v === 'number' && Number.isFinite(v));
}

// `for … in` rather than Object.keys: no array per object, and on an object whose prototype is
// Object.prototype it sees exactly the own keys (anything inherited and enumerable would be an
// unknown key, and refused).

function isPlainUser(user: unknown): boolean {
  if (!isObject(user)) return false;
  for (const key in user) {
    if (!USER_KEYS.has(key) || !isText(user[key], NATIVE_LIMITS.text)) return false;
  }
  return true;
}

function isPlainValue(value: unknown): boolean {
  if (!isObject(value)) return false;
  let seen = 0;
  for (const key in value) {
    if (key === 'amount' && isTextOrNumber(value.amount, NATIVE_LIMITS.amount)) seen += 1;
    else if (key === 'currency' && isText(value.currency, NATIVE_LIMITS.currency)) seen += 1;
    else return false;
  }
  return seen === 2;
}

function isPlainConsent(consent: unknown): boolean {
  if (!isObject(consent)) return false;
  let seen = 0;
  for (const key in consent) {
    if (key !== 'granted' || typeof consent.granted !== 'boolean') return false;
    seen += 1;
  }
  return seen === 1;
}

export function isPlainNativeEvent(raw: unknown): raw is NativeEvent {
  if (!isObject(raw)) return false;
  let required = 0;
  for (const key in raw) {
    const v = raw[key];
    switch (key) {
      case 'conversion':
        if (!isTextOrNumber(v, NATIVE_LIMITS.conversion, 1)) return false;
        required += 1;
        break;
      case 'eventId':
        if (!isText(v, MAX_EVENT_ID, 1)) return false;
        required += 1;
        break;
      case 'happenedAt':
        if (!isTextOrNumber(v, NATIVE_LIMITS.happenedAt)) return false;
        required += 1;
        break;
      case 'user':
        if (!isPlainUser(v)) return false;
        required += 1;
        break;
      case 'value':
        if (!isPlainValue(v)) return false;
        break;
      case 'consent':
        if (!isPlainConsent(v)) return false;
        break;
      default:
        // 'context' included: its rules (record, value types, key count) are the schema's to apply.
        return false;
    }
  }
  // The four required keys, each counted once (an object's own keys are unique).
  return required === 4;
}
