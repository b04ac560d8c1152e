// Test helper: hand-crafted JWTs (HS256 or alg none) to attack the JWT strategy without a JWT library.
import { createHmac } from 'node:crypto'

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')

export function craftToken(
  payload: Record<string, unknown>,
  options: { secret?: string; alg?: 'HS256' | 'none'; header?: Record<string, unknown> } = {}
): string {
  const alg = options.alg ?? 'HS256'
  const head = b64({ alg, typ: 'access', ...options.header })
  const body = b64(payload)
  if (alg === 'none') return `${head}.${body}.`
  const signature = createHmac('sha256', options.secret ?? '')
    .update(`${head}.${body}`)
    .digest('base64url')
  return `${head}.${body}.${signature}`
}

/** Claims of a token the app would accept for `userId` at token version `tv`. */
export function validClaims(userId: string, tv: number, overrides: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000)
  return { sub: userId, tv, aud: 'masterstage', iss: 'masterstage', iat: now, exp: now + 600, ...overrides }
}
