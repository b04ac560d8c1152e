// The hook step: a landing with a source writes the first-party cookie; later requests read it back;
// internal navigation, form posts and unknown hosts write nothing.
import type { RequestEvent } from '@sveltejs/kit'
import { describe, expect, it } from 'vitest'
import { ATTRIBUTION_COOKIE, encodeTouch } from '../src/lib/server/attribution/cookie-value.ts'
import { attributionHandle } from '../src/lib/server/attribution/handle.ts'

const HOST = 'http://delta-dance.localhost:3000'
const NOW = new Date('2026-03-01T10:00:00.000Z')

interface Written {
  name: string
  value: string
  options: Record<string, unknown>
}

async function run(
  path: string,
  options: { referer?: string; cookie?: string; method?: string; site?: boolean; secure?: boolean } = {}
) {
  const written: Written[] = []
  const jar = new Map(options.cookie ? [[ATTRIBUTION_COOKIE, options.cookie]] : [])
  const event = {
    request: new Request(`${HOST}${path}`, {
      method: options.method ?? 'GET',
      headers: options.referer ? { referer: options.referer } : {}
    }),
    url: new URL(`${HOST}${path}`),
    locals: { site: options.site === false ? null : { slug: 'delta-dance' } },
    cookies: {
      get: (name: string) => jar.get(name),
      set: (name: string, value: string, cookieOptions: Record<string, unknown>) =>
        written.push({ name, value, options: cookieOptions })
    }
  } as unknown as RequestEvent
  const handle = attributionHandle({ secure: () => options.secure ?? false, now: () => NOW })
  await handle({ event, resolve: async () => new Response('ok') })
  return { attribution: event.locals.attribution, written }
}

describe('attribution handle', () => {
  it('writes an HttpOnly, Lax, site-wide cookie for 30 days on a landing with a source', async () => {
    const { attribution, written } = await run('/?utm_source=instagram&utm_campaign=spring', {
      referer: 'https://www.instagram.com/p/1/?igshid=x',
      secure: true
    })
    expect(attribution).toEqual({
      utmSource: 'instagram',
      utmCampaign: 'spring',
      referrer: 'https://www.instagram.com/p/1/'
    })
    expect(written).toHaveLength(1)
    expect(written[0]).toMatchObject({
      name: ATTRIBUTION_COOKIE,
      options: { path: '/', httpOnly: true, sameSite: 'lax', secure: true, maxAge: 30 * 24 * 60 * 60 }
    })
    // No Domain attribute: the cookie belongs to this tenant host only.
    expect(written[0].options).not.toHaveProperty('domain')
  })

  it('is not Secure over plain http', async () => {
    const { written } = await run('/?utm_source=a', { secure: false })
    expect(written[0].options.secure).toBe(false)
  })

  it('reads the stored touch back on internal navigation without writing', async () => {
    const stored = encodeTouch({ utmSource: 'instagram', at: NOW.toISOString() })
    const { attribution, written } = await run('/signin', { referer: `${HOST}/`, cookie: stored })
    expect(attribution).toEqual({ utmSource: 'instagram' })
    expect(written).toEqual([])
  })

  it('takes its own host with a trailing dot as internal: a tagged on-site link does not overwrite', async () => {
    const stored = encodeTouch({ utmSource: 'instagram', at: NOW.toISOString() })
    const { attribution, written } = await run('/?utm_source=banner', {
      referer: 'http://delta-dance.localhost.:3000/',
      cookie: stored
    })
    expect(attribution).toEqual({ utmSource: 'instagram' })
    expect(written).toEqual([])
  })

  it("records a landing URL's ?ref= referral when nothing is stored", async () => {
    const { attribution, written } = await run('/?ref=https://partner.test/list?id=9')
    expect(attribution).toEqual({ referrer: 'https://partner.test/list' })
    expect(written).toHaveLength(1)
  })

  it('ignores a malformed cookie', async () => {
    const { attribution, written } = await run('/', { cookie: 'garbage' })
    expect(attribution).toBeUndefined()
    expect(written).toEqual([])
  })

  it('reads but never records on a form post', async () => {
    const stored = encodeTouch({ utmSource: 'instagram', at: NOW.toISOString() })
    const posted = await run('/?utm_source=other', {
      method: 'POST',
      cookie: stored,
      referer: 'https://x.test/'
    })
    expect(posted.attribution).toEqual({ utmSource: 'instagram' })
    expect(posted.written).toEqual([])
  })

  it('does nothing for a host that serves no tenant', async () => {
    const { attribution, written } = await run('/?utm_source=a', { site: false })
    expect(attribution).toBeUndefined()
    expect(written).toEqual([])
  })
})
