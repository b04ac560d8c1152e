// A REST client with the user's token but no selected tenant, for agency-wide views (team, all tenants).
import { createRestClient, type MasterstageClient } from '@masterstage/core/client'
import { settings } from './settings.ts'

export function agencyClient(locals: App.Locals): MasterstageClient {
  return createRestClient({
    apiUrl: settings.apiUrl,
    accessToken: locals.accessToken,
    requestId: locals.requestId
  })
}
