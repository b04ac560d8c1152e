// What a registration for an email that already has an account answers and sends: the same receipt as a new
// account (no enumeration through sign-up), and an email to the owner saying they already have an account.
import type { Application, MasterstageParams } from '../app/declarations.ts'

/** The external answer of `users.create`, identical whether the account was new or already existed. */
export interface RegistrationReceipt {
  registered: true
  email: string
}

export function registrationReceipt(email: string): RegistrationReceipt {
  return { registered: true, email }
}

/** Not awaited by the caller: the answer must not take longer for existing accounts than for new ones. */
export function sendExistingAccountNotice(app: Application, email: string, params: MasterstageParams): void {
  const tenant = params.tenant
  const config = app.get('config')
  const base = config.storefrontUrl.replace(/\/$/, '')
  const suffix = tenant ? `?tenant=${encodeURIComponent(tenant.slug)}` : ''
  app
    .get('email')
    .send({
      to: email,
      subject: 'You already have an account',
      text:
        `Someone (hopefully you) tried to sign up with this email address, but it already has an account.\n\n` +
        `Sign in: ${base}/signin${suffix}\nForgot your password? ${base}/reset-password${suffix}\n\n` +
        'If this was not you, you can ignore this email: nothing was changed.',
      ...(tenant && { tenantId: tenant.id }),
      // One notice per address and tenant per hour is plenty, however often someone retries the sign-up.
      idempotencyKey: `account-exists:${tenant?.id ?? 'none'}:${email}:${Math.floor(Date.now() / 3_600_000)}`
    })
    .catch((error: unknown) =>
      app
        .get('logger')
        ?.error(
          { err: { message: (error as Error).message }, tenantId: tenant?.id },
          'account-exists email failed'
        )
    )
}
