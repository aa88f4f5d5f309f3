/** Headers LinkedIn puts on every response: a request id and the Rest.li protocol version. */
export function stampHeaders(res: Response, requestId: string): void {
  res.headers.set('X-LI-UUID', requestId);
  res.headers.set('x-restli-protocol-version', '2.0.0');
}
