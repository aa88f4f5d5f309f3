/**
 * Rest.li query tunnelling: a GET whose query string is too long for a URL is sent as
 * `POST` + `X-HTTP-Method-Override: GET` + `Content-Type: application/x-www-form-urlencoded`,
 * with the query in the body. The body is the raw query (not form-decoded): Rest.li structure
 * such as `List(...)` must survive exactly as it would in the URL.
 */
const tunnelled = new WeakSet<Request>();

export function isTunnelled(req: Request): boolean {
  return tunnelled.has(req);
}

/** Returns the equivalent plain request, or undefined when `req` is not tunnelled. */
export async function untunnel(req: Request): Promise<Request | undefined> {
  const override = req.headers.get('x-http-method-override');
  if (req.method !== 'POST' || !override) return undefined;
  const body = (await req.text()).trim();
  const url = new URL(req.url);
  const existing = url.search.length > 1 ? url.search.slice(1) : '';
  const query = [existing, body].filter((s) => s !== '').join('&');
  const headers = new Headers(req.headers);
  headers.delete('x-http-method-override');
  headers.delete('content-type');
  headers.delete('content-length');
  const plain = new Request(`${url.origin}${url.pathname}${query ? `?${query}` : ''}`, {
    method: override.toUpperCase(),
    headers,
    signal: req.signal,
  });
  tunnelled.add(plain);
  return plain;
}
