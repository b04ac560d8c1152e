// The client address behind TRUST_PROXY hops: only the entries the trusted proxies appended count, so a
// client-written X-Forwarded-For prefix cannot choose the address used for per-IP limits.
import { describe, expect, it } from 'vitest'
import { clientIp } from '../../src/app/client-ip.ts'
import { loadConfig } from '../../src/config/load-config.ts'

describe('client ip', () => {
  it('takes the entry `hops` places from the right, ignoring what the client prepended', () => {
    const forged = '6.6.6.6, 203.0.113.5'
    expect(clientIp(true, forged, '10.0.0.1')).toBe('203.0.113.5')
    expect(clientIp(1, forged, '10.0.0.1')).toBe('203.0.113.5')
    expect(clientIp(2, '6.6.6.6, 203.0.113.5, 10.0.0.2', '10.0.0.1')).toBe('203.0.113.5')
    expect(clientIp(2, '203.0.113.5', '10.0.0.1')).toBe('203.0.113.5')
    expect(clientIp(1, ['6.6.6.6', '203.0.113.5'], '10.0.0.1')).toBe('203.0.113.5')
  })

  it('uses the peer address without trusted proxies or without a header', () => {
    expect(clientIp(false, '6.6.6.6', '10.0.0.1')).toBe('10.0.0.1')
    expect(clientIp(0, '6.6.6.6', '10.0.0.1')).toBe('10.0.0.1')
    expect(clientIp(1, undefined, '10.0.0.1')).toBe('10.0.0.1')
    expect(clientIp(1, ' , ', '10.0.0.1')).toBe('10.0.0.1')
  })

  it('reads TRUST_PROXY as true, false or a hop count', () => {
    const base = {
      MONGODB_URI: 'mongodb://127.0.0.1:1/x',
      JWT_SECRET: 'x'.repeat(40),
      PLATFORM_ENCRYPTION_KEY: 'a'.repeat(64)
    }
    expect(loadConfig({ ...base }).trustProxy).toBe(0)
    expect(loadConfig({ ...base, TRUST_PROXY: 'true' }).trustProxy).toBe(1)
    expect(loadConfig({ ...base, TRUST_PROXY: '2' }).trustProxy).toBe(2)
    expect(loadConfig({ ...base, TRUST_PROXY: '10.0.0.0/8, loopback' }).trustProxy).toEqual([
      '10.0.0.0/8',
      'loopback'
    ])
    for (const bad of ['10.0.0.0/33', 'proxy.internal', '11', '10.0.0.1/8/2'])
      expect(() => loadConfig({ ...base, TRUST_PROXY: bad }), bad).toThrow(/TRUST_PROXY/)
  })

  it('with trusted peers, walks back from the socket peer through trusted addresses only', () => {
    const peers = ['10.0.0.0/8', 'loopback']
    // Reached directly by a client: its header is its own invention.
    expect(clientIp(peers, '1.2.3.4', '203.0.113.5')).toBe('203.0.113.5')
    // Through the proxy (10.0.0.2): the entry it appended, not what the client prepended.
    expect(clientIp(peers, '6.6.6.6, 198.51.100.7', '10.0.0.2')).toBe('198.51.100.7')
    // Two trusted hops (web app on loopback, then the proxy), dual-stack peer notation.
    expect(clientIp(peers, '6.6.6.6, 198.51.100.7, 10.0.0.2', '::ffff:127.0.0.1')).toBe('198.51.100.7')
    // Only trusted addresses in the chain: the left-most is the furthest any proxy saw.
    expect(clientIp(peers, '10.0.0.9', '127.0.0.1')).toBe('10.0.0.9')
    expect(clientIp(['private'], '198.51.100.7', '172.20.0.5')).toBe('198.51.100.7')
    expect(clientIp(['private'], '198.51.100.7', '172.32.0.5')).toBe('172.32.0.5')
    expect(clientIp(['fd00::/8'], '198.51.100.7', 'fd12::1')).toBe('198.51.100.7')
  })
})
