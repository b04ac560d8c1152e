// Emailed PDF links expire (documents/document-links.ts): the expiry is signed with the link, a link keeps
// working until then (also after the invoice's document changed), an expired one answers 410 with a message
// saying so, and a changed one (signature, expiry pushed out or dropped) 404. Links sent before expiries
// existed keep working until LEGACY_LINKS_VALID_UNTIL.
import { createHmac } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DOCUMENT_LINK_TTL_MS, LEGACY_LINKS_VALID_UNTIL } from '../../documents/document-links.ts'
import { runWithTenant, type StripeScenario, startStripeScenario } from '../support/stripe-scenario.ts'

let scenario: StripeScenario
let invoice: { _id: string; number: string }

beforeAll(async () => {
  scenario = await startStripeScenario('document-links')
  const created = await scenario.harness.http.post(
    '/payments/invoices',
    {
      customer: { name: 'Jamie Doe', email: 'jamie@example.com' },
      lineItems: [{ description: 'Masterclass', quantity: 1, unitAmountMinor: 4_200 }]
    },
    { token: scenario.tokens.ava, tenant: scenario.harness.tenants.ava._id }
  )
  invoice = created.body
})
afterAll(() => scenario?.close())

const DAY = 86_400_000
const tenantId = () => scenario.harness.tenants.ava._id
const linkMadeAt = (at: number) =>
  scenario.harness.runtime.links.documentUrl(tenantId(), invoice._id, 'invoice', at)
const status = async (url: string) => {
  const response = await fetch(url)
  return {
    status: response.status,
    body: (response.headers.get('content-type')?.includes('json') ? await response.json() : null) as any
  }
}

/** A link as made before links expired: the signature covers tenant, invoice and kind only. */
function legacyLink(): string {
  // The plugin's link key (on a platform upgraded from before the stored root it is HMAC of the platform key;
  // this test platform is new, so its root is random).
  const key = scenario.harness.runtime.ctx.secrets.derivedKey('document-link')
  const signature = createHmac('sha256', key)
    .update(`${tenantId()}:${invoice._id}:invoice`)
    .digest('base64url')
  return `${scenario.harness.url}/payments-files/${tenantId()}/${invoice._id}/invoice.pdf?sig=${signature}`
}

describe('document links', () => {
  it('carry a signed expiry 90 days out and work until then, also after the document changed', async () => {
    const link = new URL(linkMadeAt(Date.now()))
    const expires = Number(link.searchParams.get('exp')) * 1000
    expect(Math.abs(expires - (Date.now() + DOCUMENT_LINK_TTL_MS))).toBeLessThan(5_000)
    expect((await status(link.href)).status).toBe(200)
    // Made 89 days ago: still valid.
    const old = linkMadeAt(Date.now() - 89 * DAY)
    expect((await status(old)).status).toBe(200)
    // A refund or dispute renders a new document version: links already sent serve it.
    await runWithTenant(scenario, () =>
      scenario.harness.runtime.models.invoices
        .updateOne({ _id: invoice._id }, { $inc: { documentVersion: 1 } })
        .exec()
    )
    expect((await status(old)).status).toBe(200)
  })

  it('answer 410 with a clear message once expired', async () => {
    const expired = await status(linkMadeAt(Date.now() - 91 * DAY))
    expect(expired.status).toBe(410)
    expect(expired.body.message).toMatch(/expired/)
    expect(expired.body.data.reason).toBe('DOCUMENT_LINK_EXPIRED')
  })

  it('answer 404 when changed: signature, expiry pushed out, or expiry dropped', async () => {
    const expired = new URL(linkMadeAt(Date.now() - 91 * DAY))
    const pushed = new URL(expired)
    pushed.searchParams.set('exp', String(Math.floor((Date.now() + DAY) / 1000)))
    const dropped = new URL(linkMadeAt(Date.now()))
    dropped.searchParams.delete('exp')
    const forged = new URL(linkMadeAt(Date.now()))
    forged.searchParams.set('sig', 'forged')
    for (const url of [pushed, dropped, forged]) {
      const answer = await status(url.href)
      expect({ url: url.search, status: answer.status }).toEqual({ url: url.search, status: 404 })
      expect(answer.body.message).toMatch(/link/)
    }
  })

  it('keep links sent before expiries existed working until the legacy cutoff, then expire them', async () => {
    expect((await status(legacyLink())).status).toBe(200)
    const parts = new URL(legacyLink())
    const check = (now: number) =>
      scenario.harness.runtime.links.checkDocumentLink(
        {
          tenantId: tenantId(),
          invoiceId: invoice._id,
          kind: 'invoice',
          signature: parts.searchParams.get('sig')!
        },
        now
      )
    expect(check(LEGACY_LINKS_VALID_UNTIL - 1)).toBe('valid')
    expect(check(LEGACY_LINKS_VALID_UNTIL)).toBe('expired')
  })
})
