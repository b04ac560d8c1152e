// The host hands the payments plugin its platform config at boot: with Stripe keys in the environment the
// app runs Stripe, never the sandbox.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type PaymentsTestApp, startPaymentsApp } from './support/payments-app.ts'

const KEYS = {
  STRIPE_SECRET_KEY: 'sk_test_51Hbootsecretvalue',
  STRIPE_WEBHOOK_SECRETS: 'whsec_boot_endpoint',
  STRIPE_API_HOST: '127.0.0.1',
  STRIPE_API_PORT: '9',
  STRIPE_API_PROTOCOL: 'http'
}
let harness: PaymentsTestApp
const saved: Record<string, string | undefined> = {}

beforeAll(async () => {
  for (const [name, value] of Object.entries(KEYS)) {
    saved[name] = process.env[name]
    process.env[name] = value
  }
  harness = await startPaymentsApp('platform_boot')
})
afterAll(async () => {
  await harness?.close()
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name]
    else process.env[name] = value
  }
})

describe('platform config at boot', () => {
  it('runs Stripe from the environment the host read, with no sandbox', async () => {
    expect(harness.runtime.platform.provider).toBe('stripe')
    expect(harness.runtime.provider.name).toBe('stripe')
    expect(harness.runtime.sandbox).toBeUndefined()
  })
})
