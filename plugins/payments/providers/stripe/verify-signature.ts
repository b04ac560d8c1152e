// Stripe's webhook signature scheme checked with node:crypto in one pass: `Stripe-Signature: t=<unix>,
// v1=<hex>[,v1=…]`, HMAC-SHA256 over `<t>.<raw body>` per endpoint secret, constant-time compare, a
// timestamp tolerance against replays. Same rules as the SDK's constructEvent (whose tests it passes),
// without its per-secret re-parsing; the body is parsed once, after the signature holds.
import { createHmac, timingSafeEqual } from 'node:crypto'
import { type ProviderEvent, WEBHOOK_TOLERANCE_SECONDS, WebhookSignatureError } from '../payment-provider.ts'

export function verifyStripeSignature(
  rawBody: Buffer,
  header: string | string[] | undefined,
  secrets: readonly string[],
  nowSeconds = Math.floor(Date.now() / 1000)
): ProviderEvent {
  if (typeof header !== 'string' || header === '')
    throw new WebhookSignatureError('Missing Stripe-Signature header')
  let timestamp = -1
  const signatures: Buffer[] = []
  for (const part of header.split(',')) {
    const at = part.indexOf('=')
    const key = part.slice(0, at).trim()
    const value = part.slice(at + 1).trim()
    if (key === 't') timestamp = /^\d+$/.test(value) ? Number(value) : -1
    else if (key === 'v1' && /^[0-9a-f]{64}$/.test(value)) signatures.push(Buffer.from(value, 'hex'))
  }
  if (timestamp < 0 || signatures.length === 0)
    throw new WebhookSignatureError('Unable to extract timestamp and signatures from header')
  const matches = secrets.some((secret) => {
    // `<t>.` then the body, fed in two parts: no copy of the body per request.
    const expected = createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest()
    return signatures.some((given) => timingSafeEqual(given, expected))
  })
  if (!matches)
    throw new WebhookSignatureError('No signatures found matching the expected signature for payload')
  // Like the SDK: only age is bounded (a sender clock slightly ahead must not refuse live events).
  if (nowSeconds - timestamp > WEBHOOK_TOLERANCE_SECONDS)
    throw new WebhookSignatureError('Timestamp outside the tolerance zone')
  try {
    return JSON.parse(rawBody.toString('utf8')) as ProviderEvent
  } catch {
    throw new WebhookSignatureError('Signed body is not JSON')
  }
}
