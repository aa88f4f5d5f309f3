import { z } from 'zod';

/**
 * A whole number, from YAML, the environment's text or a query string. zod's own messages here
 * ("expected number, received NaN", "expected int, received number") would not tell an operator or
 * a caller what to write.
 */

// Only the type's message: a schema-wide message would also replace those of min and max.
const numberError = (issue: { code: string }) =>
  issue.code === 'invalid_type' ? 'Must be a number.' : undefined;
const INT_ERROR = 'Must be a whole number.';

/** A number already read as one: the configuration reads text itself (plain decimal only). */
export const wholeNumber = () => z.number({ error: numberError }).int({ error: INT_ERROR });

/** Text converted as JavaScript converts it, for query strings. */
export const coercedWholeNumber = () => z.coerce.number({ error: numberError }).int({ error: INT_ERROR });
