/**
 * Business validation of schema-valid events (the 400 and 403 classes), applied to a whole request
 * because batches are all-or-nothing. Each 400 names the failing element indices as
 * `indices [i, j] (0-indexed)`; when several classes fail, the first class in the order below is
 * reported (the client removes those elements, resends, and may then meet the next class).
 *
 *   400 time outside the last 90 days or in the future
 *   400 no usable identifier (or an identifier that is an empty string)
 *   400 rule is not a CONVERSIONS_API rule
 *   400 rule disabled ("deleted")
 *   403 "No ad accounts found": rule unknown, or on an account the token cannot use
 *   403 USER_NOT_AUTHORIZED: the member is only a VIEWER on the rule's account
 */
import { canUseAccount, requireWriteRole } from './auth.js';
import { DAY_MS } from './clock.js';
import { BUSINESS_MESSAGES, ERRORS } from './errors.js';
import type { AccessToken, ConversionRule } from './model.js';
import type { SandboxState } from './state.js';
import { URN_PREFIX, type WireConversionEvent, type WireUser } from './wire.js';

export const WINDOW_MS = 90 * DAY_MS;

export interface EventCheckContext {
  state: SandboxState;
  token: AccessToken;
  now: number;
  /** e.g. `conversionEvents.BATCH_CREATE`, for 403 messages. */
  resourceMethod: string;
}

export function ruleIdOf(event: WireConversionEvent): string {
  return event.conversion.slice(URN_PREFIX.rule.length);
}

/** Returns the error response for the request, or undefined when every event may be accepted. */
export function checkEventRules(
  events: readonly WireConversionEvent[],
  ctx: EventCheckContext,
): Response | undefined {
  const oldest = ctx.now - WINDOW_MS;
  const time: number[] = [];
  const noId: number[] = [];
  const nonCapi: number[] = [];
  const disabled: number[] = [];
  let unknownRule = false;
  const rules: ConversionRule[] = [];

  for (let i = 0; i < events.length; i++) {
    const ev = events[i] as WireConversionEvent;
    if (ev.conversionHappenedAt < oldest || ev.conversionHappenedAt > ctx.now) time.push(i);
    if (!hasUsableIdentifier(ev.user)) noId.push(i);
    const rule = ctx.state.rules.get(ruleIdOf(ev));
    if (!rule || !canUseAccount(ctx.token, rule.account)) unknownRule = true;
    else {
      if (rule.conversionMethod !== 'CONVERSIONS_API') nonCapi.push(i);
      else if (!rule.enabled) disabled.push(i);
      rules.push(rule);
    }
  }

  if (time.length > 0) return ERRORS.business(BUSINESS_MESSAGES.time(time));
  if (noId.length > 0) return ERRORS.business(BUSINESS_MESSAGES.noIdentifier(noId));
  if (nonCapi.length > 0) return ERRORS.business(BUSINESS_MESSAGES.nonCapi(nonCapi));
  if (disabled.length > 0) return ERRORS.business(BUSINESS_MESSAGES.disabled(disabled));
  if (unknownRule) return ERRORS.noAdAccounts();
  for (const rule of rules) {
    const denied = requireWriteRole(ctx.token, rule.account, ctx.resourceMethod);
    if (denied) return denied;
  }
  return undefined;
}

/**
 * At least one of: a userIds entry, a first/last name pair (plain or, from 202609, hashed), the
 * first externalIds entry (extra entries are ignored), or a lead URN; and none of them empty.
 */
export function hasUsableIdentifier(user: WireUser): boolean {
  let found = false;
  for (const id of user.userIds) {
    if (id.idValue === '') return false;
    found = true;
  }
  const info = user.userInfo;
  if (info) {
    const first = info.firstName ?? info.hashedFirstName;
    const last = info.lastName ?? info.hashedLastName;
    if (first === '' || last === '') return false;
    if (first !== undefined && last !== undefined) found = true;
  }
  const external = user.externalIds?.[0];
  if (external !== undefined) {
    if (external === '') return false;
    found = true;
  }
  if (user.lead !== undefined) found = true;
  return found;
}

/** The conversion value credited for an event, by the rule's value type. */
export function creditedValue(ev: WireConversionEvent, rule: ConversionRule): number {
  if (rule.valueType === 'NO_VALUE') return 0;
  if (rule.valueType === 'FIXED') return Number(rule.value?.amount ?? 0) || 0;
  return ev.conversionValue ? Number(ev.conversionValue.amount) || 0 : 0;
}
