// Maps API errors raised by a contribution's load to SvelteKit errors: a 404 from the API is the page's 404.

import { toApiError } from '@masterstage/core/client'
import { error } from '@sveltejs/kit'

export function rethrowAsPageError(cause: unknown): never {
  const apiError = toApiError(cause)
  if (apiError.status === 404) error(404, { message: 'Not found', code: apiError.code })
  if (apiError.status === 400 && apiError.code !== 'VALIDATION_FAILED')
    error(404, { message: 'Not found', code: apiError.code })
  throw cause
}
