// Wires emailed sign-in links into the app: the token model (with its TTL index), the public
// `magic-link-requests` service and the `magic-link` strategy on the authentication service.
import type { AuthenticationService } from '@feathersjs/authentication'
import type { Application } from '../../app/declarations.ts'
import { registerService } from '../../app/register-service.ts'
import { MAGIC_LINK_REQUESTS_PATH, MagicLinkRequestsService } from './magic-link-requests-service.ts'
import { MAGIC_LINK_STRATEGY, MagicLinkStrategy } from './magic-link-strategy.ts'
import { ensureMagicLinkIndexes, magicLinkTokenModel } from './magic-link-token-model.ts'

export function registerMagicLink(app: Application, authentication: AuthenticationService): void {
  const tokens = magicLinkTokenModel(app.get('mongoose'))
  // Index creation runs beside startup; the unique index is a safety net (tokens are random), not a lock.
  ensureMagicLinkIndexes(tokens).catch((error: unknown) =>
    app
      .get('logger')
      ?.error(
        { code: 'MAGIC_LINK_INDEXES_FAILED', err: { message: (error as Error).message } },
        'index build failed'
      )
  )
  authentication.register(MAGIC_LINK_STRATEGY, new MagicLinkStrategy(tokens))
  registerService(app, {
    path: MAGIC_LINK_REQUESTS_PATH,
    service: new MagicLinkRequestsService(app, tokens),
    methods: ['create'],
    access: { create: 'public' },
    tenantScoped: true
  })
}
