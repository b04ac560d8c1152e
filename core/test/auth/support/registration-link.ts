// Test support: finishes a self-registration the way its owner does, by redeeming the confirmation link the
// registration mailed (read from the in-memory email provider), over real HTTP.
import { setTimeout as sleep } from 'node:timers/promises'
import { REGISTRATION_LINK_SUBJECT } from '../../../src/auth/magic-link/issue-sign-in-link.ts'
import type { MemoryEmailProvider } from '../../support/memory-email.ts'
import { api } from './http-client.ts'

/** The token of the newest confirmation link mailed to `email` (mailing happens after the API answered). */
export async function registrationLinkToken(email: MemoryEmailProvider, to: string): Promise<string> {
  for (let waited = 0; waited < 10_000; waited += 25) {
    const message = email.sent.findLast(
      (sent) => sent.to === to && sent.subject === REGISTRATION_LINK_SUBJECT
    )
    const token = message && /[?&]token=([\w-]+)/.exec(message.text)?.[1]
    if (token) return token
    await sleep(25)
  }
  throw new Error(`no registration link mailed to ${to}`)
}

/** Redeems the newest confirmation link of `to` on `tenant`; answers the authentication response. */
export async function confirmRegistration(
  baseUrl: string,
  email: MemoryEmailProvider,
  to: string,
  tenant: string
) {
  const token = await registrationLinkToken(email, to)
  return api(baseUrl).post('/authentication', { strategy: 'magic-link', token }, { tenant })
}
