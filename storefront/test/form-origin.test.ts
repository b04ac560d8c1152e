// Which requests the storefront's cross-site form check refuses: form bodies with another (or no) Origin.
import type { RequestEvent } from '@sveltejs/kit'
import { describe, expect, it } from 'vitest'
import { formOriginHandle, isCrossOriginForm, ownOrigin } from '../src/lib/server/form-origin.ts'

const SELF = 'https://alpha.shop.test'
const post = (headers: Record<string, string>, method = 'POST') =>
  new Request(`${SELF}/signin?/password`, { method, headers, body: 'email=a%40b.test' })
const FORM = { 'content-type': 'application/x-www-form-urlencoded' }

describe('cross-origin form submissions', () => {
  it.each([
    ['a foreign site', 'https://evil.test'],
    ['a sibling tenant of the same base domain', 'https://beta.shop.test'],
    ['the same host over another scheme', 'http://alpha.shop.test'],
    ['the same host on another port', 'https://alpha.shop.test:8443'],
    ['an opaque origin (sandboxed frame, data: URL)', 'null']
  ])('refuses a form posted from %s', (_, origin) => {
    expect(isCrossOriginForm(post({ ...FORM, origin }), SELF)).toBe(true)
  })

  it('refuses a form without an Origin header', () => {
    expect(isCrossOriginForm(post(FORM), SELF)).toBe(true)
  })

  it.each([
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'text/plain;charset=UTF-8',
    'Application/X-WWW-Form-Urlencoded'
  ])('treats %s as a form body', (type) => {
    expect(isCrossOriginForm(post({ 'content-type': type, origin: 'https://evil.test' }), SELF)).toBe(true)
  })

  it.each(['PUT', 'PATCH', 'DELETE'])('checks %s like POST', (method) => {
    expect(isCrossOriginForm(post({ ...FORM, origin: 'https://evil.test' }, method), SELF)).toBe(true)
  })

  it('accepts same-origin forms, reads and non-form bodies', () => {
    expect(isCrossOriginForm(post({ ...FORM, origin: SELF }), SELF)).toBe(false)
    expect(
      isCrossOriginForm(new Request(`${SELF}/`, { headers: { origin: 'https://evil.test' } }), SELF)
    ).toBe(false)
    const head = new Request(`${SELF}/`, {
      method: 'HEAD',
      headers: { ...FORM, origin: 'https://evil.test' }
    })
    expect(isCrossOriginForm(head, SELF)).toBe(false)
    // A JSON body cannot come from a cross-site form; a cross-site fetch of it needs CORS, which we never grant.
    expect(isCrossOriginForm(post({ 'content-type': 'application/json' }), SELF)).toBe(false)
  })
})

describe('the request’s own origin', () => {
  it('is adapter-node’s URL origin, with the scheme the deployment states', () => {
    const url = new URL('https://alpha.localhost:3000/signin')
    expect(ownOrigin(url, undefined)).toBe('https://alpha.localhost:3000')
    expect(ownOrigin(url, 'http')).toBe('http://alpha.localhost:3000')
    expect(ownOrigin(new URL('https://shop.custom-domain.test/'), undefined)).toBe(
      'https://shop.custom-domain.test'
    )
  })
})

describe('the handle', () => {
  const run = async (request: Request, refused: unknown[]) => {
    let resolved = false
    const handle = formOriginHandle({
      siteProtocol: undefined,
      onRefused: (details) => refused.push(details)
    })
    const response = await handle({
      event: { request, url: new URL(request.url) } as RequestEvent,
      resolve: async () => {
        resolved = true
        return new Response('ok')
      }
    })
    return { response, resolved }
  }

  it('answers 403 with a clear message and never reaches the action', async () => {
    const refused: unknown[] = []
    const { response, resolved } = await run(post({ ...FORM, origin: 'https://evil.test' }), refused)
    expect(resolved).toBe(false)
    expect(response.status).toBe(403)
    expect(await response.text()).toContain('sent from another site')
    expect(refused).toEqual([{ method: 'POST', path: '/signin', origin: 'https://evil.test' }])
  })

  it('answers JSON to clients that ask for it', async () => {
    const { response } = await run(
      post({ ...FORM, accept: 'application/json', origin: 'https://evil.test' }),
      []
    )
    expect(response.status).toBe(403)
    expect(await response.json()).toMatchObject({ code: 'CROSS_SITE_FORM' })
  })

  it('passes same-origin forms on', async () => {
    const { response, resolved } = await run(post({ ...FORM, origin: SELF }), [])
    expect(resolved).toBe(true)
    expect(await response.text()).toBe('ok')
  })
})
