// Per-IP limits of the plugin's public service methods, stricter than core's per-IP limit (which counts HTTP
// requests and Socket.io calls in one budget): these hooks count every external call, whatever the
// transport (internal calls are never limited), and core's limit applies as well.
import { rateLimit } from '@masterstage/core'

/**
 * `payments/checkout` create: each call may write a payment and call the provider, and it is the one place a
 * pay token can be guessed. A buyer opens a pay link a few times; 60 a minute leaves room for many buyers
 * behind one address (an office, a mobile carrier's NAT).
 */
export const CHECKOUT_IP_LIMIT = { points: 60, durationSeconds: 60 } as const

export const checkoutIpLimit = rateLimit({ key: 'ip', ...CHECKOUT_IP_LIMIT, name: 'payments.checkout.ip' })
