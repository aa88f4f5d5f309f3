import { z } from 'zod';

/**
 * A whole number, from YAML, the environment's text or a query string. zod's own messages here
 * ("expected number, received NaN", "expected int, received number") would not tell an operator or
 * a caller what to write.
 */
export const wholeNumber = () =>
  z.coerce
    // Only the type's message: a schema-wide message would also replace those of min and max.
    .number({ error: (issue) => (issue.code === 'invalid_type' ? 'Must be a number.' : undefined) })
    .int({ error: 'Must be a whole number.' });
