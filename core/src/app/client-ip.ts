// The client address used for per-IP limits and logs, by one rule for HTTP and Socket.io. TRUST_PROXY is
// the number of proxies in front of the API (`true` = 1, `false` = 0). Each proxy appends the address it
// received the request from to X-Forwarded-For, so only the right-most `hops` entries were written by
// proxies; everything to their left came from the client and can be anything. The client is therefore the
// entry `hops` places from the right (Koa's rule with `app.proxy` and `app.maxIpsCount = hops`, which the
// HTTP side uses); with no proxy, or no header, the socket's peer address.

/** TRUST_PROXY as a hop count. */
export function trustedHops(trustProxy: boolean | number): number {
  if (trustProxy === true) return 1
  return typeof trustProxy === 'number' && trustProxy > 0 ? Math.floor(trustProxy) : 0
}

export function clientIp(
  trustProxy: boolean | number,
  forwardedFor: string | string[] | undefined,
  remoteAddress: string | undefined
): string {
  const hops = trustedHops(trustProxy)
  if (hops > 0 && forwardedFor) {
    const header = Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor
    const entries = header
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean)
    // Fewer entries than proxies: the left-most is the furthest address any proxy saw.
    const client = entries[Math.max(0, entries.length - hops)]
    if (client) return client
  }
  return remoteAddress ?? ''
}
