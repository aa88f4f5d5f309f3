/**
 * What every admin route shares: the admin-token middleware (one per app), the OpenAPI security and
 * auth answers, and the rule that a store failure is a logged 503, never a 500.
 */
import { GatewayError } from '../../errors.js';
import { requireAdmin } from '../auth.js';
import { json, type RouteContext } from '../context.js';
import { ErrorBodySchema } from '../schemas.js';

export type AdminKit = ReturnType<typeof adminKit>;

export function adminKit(ctx: RouteContext) {
  const { deps } = ctx;
  return {
    admin: requireAdmin(deps.config.adminToken, ctx.guard),
    security: [{ adminToken: [] }],
    authErrors: {
      401: json(
        ErrorBodySchema,
        'AUTH_MISSING, AUTH_SCHEME_UNSUPPORTED, AUTH_INVALID, or ADMIN_DISABLED when CAPI_ADMIN_TOKEN is not set.',
      ),
      429: json(ErrorBodySchema, 'AUTH_THROTTLED: too many wrong tokens from this address this minute.'),
      503: json(ErrorBodySchema, 'STORE_UNAVAILABLE.'),
    },
    /** Store failures become 503 STORE_UNAVAILABLE (logged), never a 500. */
    async fromStore<T>(what: string, call: () => Promise<T>): Promise<T> {
      try {
        return await call();
      } catch (err) {
        deps.logger.error({ err, operation: what }, 'store call failed on an admin route');
        throw new GatewayError('STORE_UNAVAILABLE');
      }
    },
  };
}
