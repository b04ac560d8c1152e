// Attempt limits of emailed sign-in links. Like logins they fail closed (consumeAttempt): when Redis cannot
// count, requests are refused rather than left unlimited.
import type { RateLimitRule } from '../../rate-limit/redis-rate-limiter.ts'

/** Links one address can ask for in one tenant: enough for a lost email, too few to flood an inbox. */
export const MAGIC_LINK_EMAIL_RULE: RateLimitRule = {
  name: 'magic-link-email',
  points: 3,
  durationSeconds: 15 * 60
}
/** Registrations of one address in one tenant: each mails a confirmation link, so this bounds inbox flooding. */
export const REGISTRATION_EMAIL_RULE: RateLimitRule = {
  name: 'registration-email',
  points: 3,
  durationSeconds: 15 * 60
}
/** Link requests from one client IP, whatever the addresses (probing many addresses). */
export const MAGIC_LINK_IP_RULE: RateLimitRule = {
  name: 'magic-link-ip',
  points: 10,
  durationSeconds: 15 * 60
}
/** Link redemptions from one client IP (tokens are unguessable; this bounds abuse of the endpoint). */
export const MAGIC_LINK_REDEEM_IP_RULE: RateLimitRule = {
  name: 'magic-link-redeem-ip',
  points: 30,
  durationSeconds: 15 * 60
}

/** How long an emailed link stays valid. */
export const MAGIC_LINK_TTL_MS = 15 * 60 * 1000
