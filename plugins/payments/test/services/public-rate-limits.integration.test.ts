// The public payments methods are limited per IP over every transport: Socket.io calls (which core's
// per-IP HTTP limit does not see) answer 429 once the address spent its budget, and that budget is shared
// with REST calls from the same address.
import type { PluginServiceDefinition } from '@masterstage/core'
import { io, type Socket } from 'socket.io-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import plugin from '../../plugin.ts'
import { CHECKOUT_IP_LIMIT } from '../../services/public-rate-limits.ts'
import { type PaymentsTestApp, startPaymentsApp } from '../support/payments-app.ts'

let harness: PaymentsTestApp
let socket: Socket | undefined

beforeAll(async () => {
  harness = await startPaymentsApp('public-limits')
})
afterAll(async () => {
  socket?.close()
  await harness?.close()
})

function connect(tenantId: string): Promise<Socket> {
  const opened = io(harness.url, {
    transports: ['websocket'],
    auth: { tenant: tenantId },
    reconnection: false,
    forceNew: true
  })
  return new Promise((resolve, reject) => {
    opened.once('connect', () => resolve(opened))
    opened.once('connect_error', reject)
  })
}

/** An anonymous checkout call over the socket: its error (name, code) or 'created'. */
function checkoutOverSocket(client: Socket, invoiceId: string): Promise<{ name: string; code: number }> {
  return new Promise((resolve) =>
    client.emit('create', 'payments/checkout', { invoiceId, token: 'guess' }, (error: any) =>
      resolve(error ? { name: error.name, code: error.code } : { name: 'created', code: 201 })
    )
  )
}

describe('public payments methods', () => {
  it('every method with public access carries a limit hook', () => {
    const services: readonly PluginServiceDefinition[] = plugin.services ?? []
    const publicMethods = services.flatMap((service) =>
      Object.entries(service.access)
        .filter(([, access]) => access === 'public')
        .map(([method]) => ({ service, method }))
    )
    expect(publicMethods.map(({ service, method }) => `${service.path}.${method}`)).toEqual([
      'checkout.create'
    ])
    for (const { service, method } of publicMethods)
      expect((service.hooks as any)?.around?.[method]?.length).toBeGreaterThan(0)
  })

  it('answers 429 to checkout calls over a socket beyond the per-IP limit, and REST shares the budget', async () => {
    const tenant = harness.tenants.ava._id
    socket = await connect(tenant)
    const answers = []
    for (let call = 0; call < CHECKOUT_IP_LIMIT.points + 1; call++)
      answers.push(await checkoutOverSocket(socket, `inv_guess_${call}`))
    // Within the limit the calls reach the service (an unknown invoice or wrong token is not found).
    expect(answers.slice(0, CHECKOUT_IP_LIMIT.points).every((answer) => answer.code === 404)).toBe(true)
    expect(answers.at(-1)).toEqual({ name: 'TooManyRequests', code: 429 })
    const rest = await harness.http.post('/payments/checkout', { invoiceId: 'inv_guess_rest' }, { tenant })
    expect(rest.status).toBe(429)
    expect(rest.body.data.code).toBe('RATE_LIMITED')
  })
})
