// A REST client with the user's token but no selected tenant, for agency-wide views (team, all tenants).
// `forwardedFor` (the visitor's address) is for calls the API limits per IP, such as invitation emails.
import type { MasterstageClient } from '@masterstage/core/client'
import { apiClient } from './api-client.ts'

export function agencyClient(locals: App.Locals, forwardedFor?: string): MasterstageClient {
  return apiClient({ accessToken: locals.accessToken, requestId: locals.requestId, forwardedFor })
}
