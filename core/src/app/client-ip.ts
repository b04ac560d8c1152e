// The client address used for per-IP limits and logs, by one rule for HTTP and Socket.io. TRUST_PROXY is
// either the number of proxies in front of the API (`true` = 1, `false` = 0) or the addresses of the peers
// whose X-Forwarded-For is believed (IPs, CIDRs, `loopback`, `private`).
// - Hop count: each proxy appends the address it received the request from, so only the right-most `hops`
//   entries were written by proxies; everything to their left came from the client and can be anything.
//   The client is the entry `hops` places from the right (Koa's rule with `app.proxy` and
//   `app.maxIpsCount = hops`, which the HTTP side uses).
// - Trusted peers: starting from the socket's peer, each address that is a trusted proxy hands over to the
//   entry it appended (right to left); the first untrusted address is the client. A client that reaches
//   the API directly (not from a trusted peer) is taken at its socket address, whatever it sends.
// With no proxy, or no header, the socket's peer address.
import { BlockList, isIPv4, isIPv6 } from 'node:net'

export type TrustProxy = boolean | number | readonly string[]

const KEYWORDS: Record<string, readonly string[]> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  private: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7', '127.0.0.0/8', '::1/128']
}

/** Checks one TRUST_PROXY list entry; undefined when valid, else why not. */
export function trustedPeerProblem(entry: string): string | undefined {
  if (KEYWORDS[entry]) return undefined
  const [address, prefix, extra] = entry.split('/')
  if (extra !== undefined || !(isIPv4(address) || isIPv6(address))) return `'${entry}' is not an IP or CIDR`
  if (prefix === undefined) return undefined
  const max = isIPv4(address) ? 32 : 128
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= max ? undefined : `'${entry}' has a bad prefix length`
}

const matchers = new WeakMap<readonly string[], BlockList>()

function matcherOf(peers: readonly string[]): BlockList {
  let list = matchers.get(peers)
  if (list) return list
  list = new BlockList()
  for (const entry of peers.flatMap((peer) => KEYWORDS[peer] ?? [peer])) {
    const [address, prefix] = entry.split('/')
    const family = isIPv4(address) ? 'ipv4' : 'ipv6'
    if (prefix === undefined) list.addAddress(address, family)
    else list.addSubnet(address, Number(prefix), family)
  }
  matchers.set(peers, list)
  return list
}

/** `::ffff:10.0.0.1` (an IPv4 peer on a dual-stack socket) is 10.0.0.1. */
function plainAddress(address: string): string {
  return address.startsWith('::ffff:') && isIPv4(address.slice(7)) ? address.slice(7) : address
}

function isTrusted(list: BlockList, address: string): boolean {
  const plain = plainAddress(address)
  if (isIPv4(plain)) return list.check(plain, 'ipv4')
  return isIPv6(plain) && list.check(plain, 'ipv6')
}

/** TRUST_PROXY as a hop count (0 for a list of trusted peers: those are resolved by clientIp). */
export function trustedHops(trustProxy: TrustProxy): number {
  if (trustProxy === true) return 1
  return typeof trustProxy === 'number' && trustProxy > 0 ? Math.floor(trustProxy) : 0
}

export function usesTrustedPeers(trustProxy: TrustProxy): trustProxy is readonly string[] {
  return Array.isArray(trustProxy) && trustProxy.length > 0
}

export function clientIp(
  trustProxy: TrustProxy,
  forwardedFor: string | string[] | undefined,
  remoteAddress: string | undefined
): string {
  const peer = remoteAddress ?? ''
  if (!forwardedFor) return peer
  const entries = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor)
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
  if (usesTrustedPeers(trustProxy)) {
    const list = matcherOf(trustProxy)
    let current = peer
    while (entries.length > 0 && isTrusted(list, current)) current = entries.pop()!
    return current
  }
  const hops = trustedHops(trustProxy)
  // Fewer entries than proxies: the left-most is the furthest address any proxy saw.
  return (hops > 0 && entries[Math.max(0, entries.length - hops)]) || peer
}
