// REST clients of the dashboard server: the API from settings and every plugin service's custom methods
// (from the generated registry), so `service('pipeline/leads').move` exists on them as on the live socket.
import { createRestClient, type MasterstageClient, type RestClientOptions } from '@masterstage/core/client'
import { clientMethods } from '$registry'
import { settings } from './settings.ts'

export function apiClient(
  options: Omit<RestClientOptions, 'apiUrl' | 'customMethods'> = {}
): MasterstageClient {
  return createRestClient({ ...options, apiUrl: settings.apiUrl, customMethods: clientMethods })
}
