// The built storefront against values it cannot trust, over raw HTTP: tenant data stored before the API
// validated it (pasted into the page outside Svelte's escaping), session cookies whose token names no user,
// and percent-encoded plugin page paths.
import { describe, expect, it } from 'vitest'
import { type RunningApi, seedAgency, seedTenant } from '../../core/test/client/support/platform-api.ts'
import { rawRequest } from '../../core/test/client/support/raw-http.ts'
import { seedHost, useWebStack } from '../../core/test/support/web-stack.ts'

const SCRIPT = '<script>window.pwned=1</script>'
const GOOD_THEME = {
  colors: { primary: '#0b5394', background: '#ffffff', text: '#111111' },
  fonts: { heading: 'Georgia, serif', body: 'system-ui, sans-serif' },
  logoUrl: 'https://cdn.example.test/logo.svg',
  copy: { headline: 'Welcome', locale: 'de-DE' }
}

/** A theme written straight to the database, as one stored before the API's theme schema refused it. */
async function storeThemeAsIs(api: RunningApi, tenantId: string, theme: Record<string, unknown>) {
  await (api.app as any).get('access').tenancy.Tenant.updateOne({ _id: tenantId }, { $set: { theme } }).exec()
}

const web = useWebStack('untrusted-input-e2e', {
  seed: async (api) => {
    const agency = await seedAgency(api.app, 'untrusted-agency')
    const seeded = async (slug: string, plugins: string[] = []) =>
      seedTenant(api.app, agency._id, { slug, name: slug, primary: '#0b5394', headline: 'x', plugins })
    await storeThemeAsIs(api, (await seeded('lang-attack'))._id, {
      ...GOOD_THEME,
      copy: { headline: 'Welcome', locale: `en"><html lang="x">${SCRIPT}` }
    })
    await storeThemeAsIs(api, (await seeded('good-lang'))._id, GOOD_THEME)
    await storeThemeAsIs(api, (await seeded('style-attack'))._id, {
      colors: { primary: `</style>${SCRIPT}`, background: '#ffffff', text: '#111111' },
      fonts: { heading: `</style>${SCRIPT}`, body: '"unclosed, serif' },
      logoUrl: 'javascript:alert(document.domain)',
      copy: { headline: 'Welcome' }
    })
    const pathCheck = await seeded('path-check', ['masterclasses'])
    return seedHost(api, agency._id, pathCheck._id, {
      email: 'host@path-check.test',
      masterclass: 'Path masterclass'
    })
  },
  storefront: { BASE_DOMAIN: 'localhost', SITE_CACHE_MS: '0' },
  browser: false
})

const get = (slug: string, path: string, cookie?: string) =>
  rawRequest(web.storefront.port, path, {
    headers: {
      host: `${slug}.localhost:${web.storefront.port}`,
      accept: 'text/html',
      ...(cookie && { cookie })
    }
  })

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
/** A well-formed JWT the API will refuse (bad signature): a stale session, as after a key rotation. */
const staleToken = `${base64url({ alg: 'HS256' })}.${base64url({ sub: '0123456789abcdef01234567' })}.sig`
const session = (token: string) => `ms_session_path_check=${token}`

describe('tenant data outside Svelte’s escaping', () => {
  it('writes only a well-formed locale’s language into <html lang>, else en', async () => {
    const attacked = await get('lang-attack', '/')
    expect(attacked.status).toBe(200)
    expect(attacked.text).toContain('<html lang="en">')
    expect(attacked.text).not.toContain(SCRIPT)
    for (const path of ['/signin', '/no-such-page'])
      expect((await get('lang-attack', path)).text).not.toContain(SCRIPT)
    expect((await get('good-lang', '/')).text).toContain('<html lang="de">')
  })

  it('serves the fallback theme, not a failed page, for stored colors and fonts that would leave the style', async () => {
    const page = await get('style-attack', '/')
    expect(page.status).toBe(200)
    expect(page.text).not.toContain(SCRIPT)
    const style = /<style id="brand-theme">([^<]*)<\/style>/.exec(page.text)?.[1]
    expect(style).toContain('--brand-primary: #1d4ed8;')
    expect(style).toContain('--brand-font-heading: system-ui, sans-serif;')
    expect(style).not.toContain('unclosed')
  })
})

describe('the tenant logo address', () => {
  it('redirects only to a web address', async () => {
    const hosted = await get('good-lang', '/brand/logo.svg')
    expect(hosted.status).toBe(302)
    expect(hosted.headers.location).toBe('https://cdn.example.test/logo.svg')
    expect((await get('style-attack', '/brand/logo.svg')).status).toBe(404)
  })
})

describe('session cookies whose token names no user', () => {
  it.each([
    ['not a JWT', 'garbage'],
    ['a payload that is not JSON', 'eyJhbGciOiJIUzI1NiJ9.%%%.sig'],
    ['no subject', `${base64url({ alg: 'HS256' })}.${base64url({ name: 'x' })}.sig`]
  ])('are cleared and sign-in shows, instead of /account ↔ /signin redirects (%s)', async (_name, token) => {
    const account = await get('path-check', '/account', session(token))
    expect(account.status).toBe(303)
    expect(account.headers.location).toBe('/signin')
    expect(String(account.headers['set-cookie'])).toMatch(/ms_session_path_check=;.*Max-Age=0/)
    // A client that kept the cookie anyway still gets the sign-in form, not a redirect back to /account.
    const signin = await get('path-check', '/signin', session(token))
    expect(signin.status).toBe(200)
    expect(signin.text).toContain('id="login-email"')
    expect((await get('path-check', '/', session(token))).text).toContain('href="/signin">Sign in</a>')
  })

  it('a stale session is dropped at /account, also on a plain-http host', async () => {
    const account = await get('path-check', '/account', session(staleToken))
    expect(account.status).toBe(303)
    expect(account.headers.location).toBe('/signin')
    const cleared = String(account.headers['set-cookie'])
    expect(cleared).toMatch(/ms_session_path_check=;.*Max-Age=0/)
    // Written without Secure (SECURE_COOKIES unset), so deleted without it: a browser on http ignores a
    // Secure deletion, keeps the refused token, and /signin sends it back to /account.
    expect(cleared).not.toMatch(/;\s*Secure/i)
  })

  it('the emailed sign-in link keeps its token when a stale session exists', async () => {
    const page = await get('path-check', '/signin/link?token=link-token-1', session(staleToken))
    expect(page.status).toBe(200)
    expect(page.text).toContain('name="token" value="link-token-1"')
  })
})

describe('plugin page paths', () => {
  it('are decoded once: a literal % is a 404, not a 500', async () => {
    for (const path of ['/masterclasses/%25zz', '/masterclasses/%25', '/masterclasses/%2541'])
      expect((await get('path-check', path)).status, path).toBe(404)
  })

  it('still show a real page', async () => {
    const page = await get('path-check', `/masterclasses/${web.seed.masterclassId}`)
    expect(page.status).toBe(200)
    expect(page.text).toContain('Path masterclass')
  })
})
