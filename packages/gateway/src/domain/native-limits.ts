/**
 * Length limits of the native event's fields, in UTF-16 code units as zod counts them: shared by
 * the schema and by the fast path that must accept nothing the schema refuses.
 */
export const NATIVE_LIMITS = {
  text: 512,
  conversion: 200,
  happenedAt: 64,
  amount: 64,
  currency: 8,
} as const;
