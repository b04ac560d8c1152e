// The client address used for per-IP limits and logs, by one rule for HTTP and Socket.io: the socket's
// peer address, or — only when TRUST_PROXY says a proxy sits in front — the first X-Forwarded-For entry
// (Koa's rule with `app.proxy = true`, which the HTTP side uses).
export function clientIp(
  trustProxy: boolean,
  forwardedFor: string | string[] | undefined,
  remoteAddress: string | undefined
): string {
  if (trustProxy && forwardedFor) {
    const header = Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor
    const first = header.split(',', 1)[0].trim()
    if (first) return first
  }
  return remoteAddress ?? ''
}
