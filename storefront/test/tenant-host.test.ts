// Which tenant a storefront request addresses: subdomain of the base domain, custom domain, localhost fallback.
import { describe, expect, it } from 'vitest'
import { hostnameOf, tenantReferenceOf } from '../src/lib/server/tenant-host.ts'

const url = (query = '') => new URL(`http://x/${query}`)

describe('tenant from host', () => {
  it('reads <slug>.<base domain>, ignoring the port and case', () => {
    expect(tenantReferenceOf('Ava-Fit.localhost:3000', url(), undefined, 'localhost')).toEqual({
      reference: 'ava-fit',
      fromQuery: false
    })
  })

  it('refuses labels that cannot be slugs and deeper subdomains', () => {
    expect(tenantReferenceOf('a.b.localhost', url(), undefined, 'localhost')).toBeNull()
    expect(tenantReferenceOf('bad_slug.localhost', url(), undefined, 'localhost')).toBeNull()
  })

  it('passes custom domains on for the API to resolve', () => {
    expect(tenantReferenceOf('academy.avafit.example', url(), undefined, 'localhost')).toEqual({
      reference: 'academy.avafit.example',
      fromQuery: false
    })
  })

  it('uses ?tenant= then the remembered cookie on the bare base domain and loopback', () => {
    expect(tenantReferenceOf('localhost:3000', url('?tenant=money-marco'), 'ava-fit', 'localhost')).toEqual({
      reference: 'money-marco',
      fromQuery: true
    })
    expect(tenantReferenceOf('127.0.0.1:3000', url(), 'ava-fit', 'localhost')).toEqual({
      reference: 'ava-fit',
      fromQuery: false
    })
    expect(tenantReferenceOf('localhost', url('?tenant=../x'), undefined, 'localhost')).toBeNull()
    expect(tenantReferenceOf('localhost', url(), undefined, 'localhost')).toBeNull()
  })

  it('normalizes hostnames', () => {
    expect(hostnameOf('[::1]:3000')).toBe('[::1]')
    expect(hostnameOf('Example.COM.')).toBe('example.com')
    expect(hostnameOf(null)).toBe('')
  })
})
