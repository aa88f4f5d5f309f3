/**
 * Turns zod issues into the gateway's per-field problems: a JSON-pointer path, a stable code and a
 * message that never repeats a submitted value (zod's default messages name types, not values, and
 * object keys are only echoed when they cannot be personal data).
 */
import type { core } from 'zod';
import type { Problem } from '../errors.js';
import { looksLikeEmail } from './pii.js';

type Issue = core.$ZodIssue;

/** Picks the code for an issue from its path (e.g. eventId problems get EVENT_ID_*). */
export type CodeFor = (issue: Issue, path: readonly PropertyKey[]) => string;

/** A key shown as it is: a field name (letters, digits, _ . -; array indices too), at most 64. */
const PLAIN_KEY = /^[A-Za-z0-9_.-]{1,64}$/;

function segment(key: PropertyKey): string {
  const s = String(key);
  // A key can be anything the client sent; only a field name's shape is repeated, so no name,
  // address, token or sentence a client put in a key comes back in an error.
  if (!PLAIN_KEY.test(s) || looksLikeEmail(s)) return '(key)';
  return s;
}

/**
 * ['user', 'email'] → '/user/email'; the event itself is '' (RFC 6901's whole document, as
 * request-level problems name the whole body).
 */
export function pointer(path: readonly PropertyKey[], prefix = ''): string {
  if (path.length === 0) return prefix;
  let out = prefix;
  for (const key of path) out += `/${segment(key)}`;
  return out;
}

function message(issue: Issue): string {
  if (issue.code === 'invalid_type' && issue.message.endsWith('received undefined')) return 'Required.';
  if (issue.code === 'unrecognized_keys') return 'Unknown field; it is not part of this format.';
  return issue.message.endsWith('.') ? issue.message : `${issue.message}.`;
}

/** One problem per issue; an unknown-keys issue becomes one problem per key, pointing at the key. */
export function problemsFromIssues(issues: readonly Issue[], codeFor: CodeFor, prefix = ''): Problem[] {
  const out: Problem[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const path = [...issue.path, key];
        out.push({ code: codeFor(issue, path), path: pointer(path, prefix), message: message(issue) });
      }
    } else {
      out.push({
        code: codeFor(issue, issue.path),
        path: pointer(issue.path, prefix),
        message: message(issue),
      });
    }
  }
  return out;
}

/** Whether an issue reports a missing field (zod has no dedicated code for it). */
export function isMissing(issue: Issue): boolean {
  return issue.code === 'invalid_type' && issue.message.endsWith('received undefined');
}
