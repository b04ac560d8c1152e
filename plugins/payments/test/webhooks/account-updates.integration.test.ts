// `account.updated` snapshots of the connected account: only a newer one replaces the stored status, so
// Stripe delivering them out of order cannot bring back an older state.
import { describe, expect, it } from 'vitest'
import {
  deliver,
  eventFor,
  eventually,
  runWithTenant,
  useStripeScenario
} from '../support/stripe-scenario.ts'

const scenario = useStripeScenario('account-updates')

const snapshot = (created: number, chargesEnabled: boolean, due: string[]) =>
  eventFor(
    scenario.accounts.ava,
    'account.updated',
    {
      id: scenario.accounts.ava,
      object: 'account',
      charges_enabled: chargesEnabled,
      payouts_enabled: chargesEnabled,
      details_submitted: true,
      requirements: { currently_due: due }
    },
    { created }
  )

async function processed(eventId: string): Promise<string> {
  const stored = await eventually(
    async () => {
      const event = await scenario.harness.runtime.models.webhookEvents.findById(eventId).lean()
      return event?.state === 'processed' && event
    },
    15_000,
    `event ${eventId} processed`
  )
  return String(stored.reason)
}

const account = () =>
  runWithTenant(scenario, () => scenario.harness.runtime.models.accounts.findOne({}).lean().exec())

describe('account.updated', () => {
  it('skips an older snapshot delivered after a newer one, and takes a newer one after it', async () => {
    const base = Math.floor(Date.now() / 1000)
    const newer = snapshot(base + 100, true, [])
    const older = snapshot(base + 50, false, ['external_account'])
    expect((await deliver(scenario, newer)).status).toBe(200)
    expect(await processed(newer.id)).toBe('account status updated')
    expect((await deliver(scenario, older)).status).toBe(200)
    expect(await processed(older.id)).toBe('older snapshot or no connected account record')
    expect(await account()).toMatchObject({
      chargesEnabled: true,
      payoutsEnabled: true,
      requirementsDue: [],
      statusUpdatedAt: new Date((base + 100) * 1000)
    })

    const newest = snapshot(base + 200, false, ['individual.verification.document'])
    expect((await deliver(scenario, newest)).status).toBe(200)
    expect(await processed(newest.id)).toBe('account status updated')
    expect(await account()).toMatchObject({
      chargesEnabled: false,
      requirementsDue: ['individual.verification.document'],
      statusUpdatedAt: new Date((base + 200) * 1000)
    })
  })
})
