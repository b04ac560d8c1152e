// Browser tests of staff access in the dashboard against the running platform (API on the harness database
// with TRUST_PROXY, built dashboard taking the visitor's address from X-Forwarded-For, Debian Chromium):
// an invitation is an emailed link to a public set-password page, then sign-in; invitation emails count
// against the inviting admin's address and a refused one is shown; sign-in and the tenant switcher only
// redirect within the dashboard; a platform admin assigns reps; saving the brand keeps the pack's other
// copy; the home page renders tenants of the same name.
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { seedAgency, seedStaff, seedTenant } from '@masterstage/core/testing'
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { outboxMessagesTo, waitForMessages } from '../../core/test/auth/magic-link/outbox.ts'
import { onPage } from '../../core/test/client/support/browser.ts'
import { signInToDashboard } from '../../core/test/client/support/dashboard-session.ts'
import { login } from '../../core/test/client/support/platform-api.ts'
import { useWebStack } from '../../core/test/support/web-stack.ts'

const ADMIN = { email: 'nora@staff.test', password: 'agency-admin-pass' }
const PLATFORM = { email: 'pat@platform.test', password: 'platform-admin-pass' }
const REP = { email: 'rep@staff.test', password: 'sales-rep-pass-1' }
const EXTRA_COPY = { registrationIntro: 'Tell us what you want to learn', 'checkout.terms': 'No refunds' }

let outbox = ''
const tenants = { a: '', b: '' }
let repId = ''
/** The client address the API saw for each password-reset request (its per-IP limit's subject). */
const resetRequestIps: (string | undefined)[] = []

const theme = (headline: string) => ({
  colors: { primary: '#0b5394', background: '#ffffff', text: '#111111' },
  fonts: { heading: 'Georgia, serif', body: 'system-ui, sans-serif' },
  copy: { headline, subheadline: 'Live classes', callToAction: 'Join', footer: 'Twin', ...EXTRA_COPY }
})

const web = useWebStack('dashboard-staff-access', {
  api: async () => {
    outbox = await mkdtemp(join(tmpdir(), 'ms-dashboard-staff-outbox-'))
    return { env: { TRUST_PROXY: 'true', EMAIL_OUTBOX_DIR: outbox } }
  },
  seed: async (api) => {
    ;(api.app as any).service('password-reset-requests').hooks({
      before: { create: [async (context: any) => void resetRequestIps.push(context.params.ip)] }
    })
    const agency = await seedAgency(api.app, 'twinwind', 'Twinwind')
    // Two tenants with the same display name: names are not unique, ids are.
    for (const [key, slug] of [
      ['a', 'twin-a'],
      ['b', 'twin-b']
    ] as const) {
      tenants[key] = (
        await seedTenant(api.app, { slug, name: 'Twin Studio', agencyId: agency._id, theme: theme(slug) })
      )._id
    }
    await seedStaff(api.app, { ...ADMIN, role: 'agency_admin', agencyId: agency._id })
    await seedStaff(api.app, { ...PLATFORM, role: 'platform_admin' })
    repId = (
      await seedStaff(api.app, { ...REP, role: 'sales_rep', agencyId: agency._id, tenantIds: [tenants.a] })
    )._id
  },
  dashboard: {
    // adapter-node: the visitor's address is the last X-Forwarded-For entry (the test's "proxy").
    ADDRESS_HEADER: 'x-forwarded-for',
    XFF_DEPTH: '1'
  }
})

/** A page whose requests come from `ip`, as a proxy in front of the dashboard would report it. */
async function onPageFrom(ip: string, name: string, steps: (page: Page) => Promise<void>) {
  await onPage(web.browser, name, steps, { extraHTTPHeaders: { 'x-forwarded-for': ip } })
}

async function invite(page: Page, email: string, tenantId: string) {
  await page.goto(`${web.dashboard.url}/team`, { waitUntil: 'networkidle' })
  const form = page.locator('form.invite')
  await form.getByLabel('Email').fill(email)
  await form.getByLabel('Name').fill('New Person')
  await form.getByLabel('Role').selectOption('host')
  await form.locator(`input[name="tenantIds"][value="${tenantId}"]`).check()
  await page.getByRole('button', { name: 'Send invitation' }).click()
}

describe('staff invitations', () => {
  it('invite → email → set the password on the dashboard → sign in', async () => {
    const invitee = 'new.host@staff.test'
    await onPageFrom('203.0.113.7', 'dashboard-invite', async (page) => {
      await signInToDashboard(page, web.dashboard.url, ADMIN)
      await invite(page, invitee, tenants.a)
      await expect.poll(() => page.getByTestId('invited').textContent()).toContain(invitee)
    })
    // The email counted against the inviting admin's address, not the dashboard server's.
    expect(resetRequestIps).toContain('203.0.113.7')
    const [message] = await waitForMessages(outbox, invitee)
    const link = new URL(
      /https?:\/\/\S+\/reset-password\?\S+/.exec(message.text)?.[0] ?? 'http://missing.test'
    )
    expect(link.pathname).toBe('/reset-password')
    // The API's DASHBOARD_URL is not this test's port: open the same path and query on the test's dashboard.
    const setPasswordUrl = `${web.dashboard.url}${link.pathname}${link.search}`

    await onPageFrom('203.0.113.8', 'dashboard-set-password', async (page) => {
      // A link whose token is wrong: the page says so next to the form, nothing is signed in.
      await page.goto(`${web.dashboard.url}/reset-password?token=${'x'.repeat(43)}`, {
        waitUntil: 'networkidle'
      })
      await page.getByLabel(/New password/).fill('a-good-new-password')
      await page.getByRole('button', { name: 'Set password' }).click()
      await expect
        .poll(() => page.locator('[data-field="token"]').textContent())
        .toContain('invalid or expired')

      const response = await page.goto(setPasswordUrl, { waitUntil: 'networkidle' })
      expect(response?.status()).toBe(200)
      expect(new URL(page.url()).pathname).toBe('/reset-password')
      await page.getByLabel(/New password/).fill('new-host-password-1')
      await page.getByRole('button', { name: 'Set password' }).click()
      await page.waitForURL(`${web.dashboard.url}/signin?password=set`)
      expect(await page.getByTestId('password-set').textContent()).toContain('password is set')
      await page.getByLabel('Email').fill(invitee)
      await page.getByLabel('Password').fill('new-host-password-1')
      await page.getByRole('button', { name: 'Sign in' }).click()
      await page.waitForURL(`${web.dashboard.url}/`)
      expect(await page.getByTestId('tenant-count').textContent()).toContain('1 tenant')
    })
  })

  it('shows the admin an invitation email the API refused, with a way to send it again', async () => {
    // Another visitor at this address used up its hourly reset requests.
    for (let index = 0; index < 20; index++) {
      const response = await fetch(`${web.api.url}/password-reset-requests`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.9' },
        body: JSON.stringify({ email: `someone-${index}@elsewhere.test` })
      })
      expect(response.status).toBe(201)
    }
    const invitee = 'late.host@staff.test'
    await onPageFrom('203.0.113.9', 'dashboard-invite-refused', async (page) => {
      await signInToDashboard(page, web.dashboard.url, ADMIN)
      await invite(page, invitee, tenants.b)
      await expect.poll(() => page.getByTestId('invite-error').textContent()).toContain('was not sent')
      expect(await page.getByTestId('invited').count()).toBe(0)
      const again = page.getByRole('button', { name: `Send the invitation to ${invitee} again` })
      expect(await again.count()).toBe(1)
    })
    expect(await outboxMessagesTo(outbox, invitee)).toEqual([])
  })
})

describe('redirects after sign-in and tenant switch', () => {
  it('stays on the dashboard whatever `next` says', async () => {
    await onPageFrom('203.0.113.20', 'dashboard-signin-next', async (page) => {
      // The sign-in form's answer itself (the page's request context keeps the session cookie it sets).
      const signIn = (next: string) =>
        page.request.post(`${web.dashboard.url}/signin?next=${encodeURIComponent(next)}`, {
          form: { email: ADMIN.email, password: ADMIN.password },
          headers: { origin: web.dashboard.url, accept: 'text/html' },
          maxRedirects: 0
        })
      const refused = await signIn('/\\evil.test/x')
      expect(refused.status()).toBe(303)
      expect(refused.headers().location).toBe('/')
      expect((await signIn('/tenants?page=2')).headers().location).toBe('/tenants?page=2')

      const switched = await page.request.post(`${web.dashboard.url}/switch-tenant`, {
        form: { tenant: tenants.b, next: '/\\evil.test/x' },
        headers: { origin: web.dashboard.url, accept: 'text/html' },
        maxRedirects: 0
      })
      expect(switched.status()).toBe(303)
      expect(switched.headers().location).toBe('/')
      const kept = await page.request.post(`${web.dashboard.url}/switch-tenant`, {
        form: { tenant: tenants.a, next: '/team?role=host' },
        headers: { origin: web.dashboard.url, accept: 'text/html' },
        maxRedirects: 0
      })
      expect(kept.headers().location).toBe('/team?role=host')
    })
  })
})

describe('team and tenants pages', () => {
  it('lets a platform admin assign a sales rep to tenants', async () => {
    await onPageFrom('203.0.113.30', 'dashboard-platform-assign', async (page) => {
      await signInToDashboard(page, web.dashboard.url, PLATFORM)
      await page.goto(`${web.dashboard.url}/team?role=sales_rep`, { waitUntil: 'networkidle' })
      const row = page.getByTestId(`user-${REP.email}`)
      await row.locator(`input[name="tenantIds"][value="${tenants.b}"]`).check()
      await row.getByRole('button', { name: 'Assign' }).click()
      await expect
        .poll(() => page.getByTestId(`user-${REP.email}`).getByRole('status').textContent())
        .toBe('Saved.')
    })
    const token = await login(web.api, PLATFORM.email, PLATFORM.password)
    const rep = await fetch(`${web.api.url}/users/${repId}`, {
      headers: { authorization: `Bearer ${token}` }
    })
    expect(((await rep.json()) as { tenantIds: string[] }).tenantIds.sort()).toEqual(
      [tenants.a, tenants.b].sort()
    )
  })

  it('saving the brand keeps the pack’s copy the form does not show', async () => {
    await onPageFrom('203.0.113.40', 'dashboard-brand-copy', async (page) => {
      await signInToDashboard(page, web.dashboard.url, ADMIN)
      await page.goto(`${web.dashboard.url}/tenants/${tenants.a}`, { waitUntil: 'networkidle' })
      await page.getByLabel('Headline', { exact: true }).fill('A new headline')
      await page.getByRole('button', { name: 'Save brand' }).click()
      await expect.poll(() => page.getByText('Brand saved.').count()).toBe(1)
    })
    const token = await login(web.api, ADMIN.email, ADMIN.password)
    const tenant = (await (
      await fetch(`${web.api.url}/tenants/${tenants.a}`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as { theme: { copy: Record<string, string> } }
    expect(tenant.theme.copy).toEqual({
      headline: 'A new headline',
      subheadline: 'Live classes',
      callToAction: 'Join',
      footer: 'Twin',
      ...EXTRA_COPY
    })
  })

  it('renders the home overview for two tenants of the same name', async () => {
    await onPageFrom('203.0.113.50', 'dashboard-home-twins', async (page) => {
      const errors: string[] = []
      page.on('pageerror', (error) => errors.push(error.message))
      await signInToDashboard(page, web.dashboard.url, ADMIN)
      await page.waitForLoadState('networkidle')
      const rows = page.locator('figure table tbody tr')
      expect(await rows.allTextContents()).toEqual(['Twin Studio0', 'Twin Studio0'])
      expect(errors).toEqual([])
    })
  })
})
