// `/api/<service path>`: authenticated downloads from the API on the dashboard's own origin (the pipeline
// board's "Export CSV" link and the like). Refused without a staff session; other methods answer 405.
import { json, type RequestHandler } from '@sveltejs/kit'
import { isProxiablePath, proxyToApi } from '$lib/server/api-proxy.ts'
import { logger } from '$lib/server/logger.ts'
import { settings } from '$lib/server/settings.ts'

const forward: RequestHandler = async ({ params, url, locals, request }) => {
  if (!locals.accessToken) {
    return json({ message: 'Sign in to download this', code: 'NOT_AUTHENTICATED' }, { status: 401 })
  }
  const path = params.path ?? ''
  if (!isProxiablePath(path)) return json({ message: 'Not found', code: 'NOT_FOUND' }, { status: 404 })
  try {
    return await proxyToApi({
      apiUrl: settings.apiUrl,
      path,
      search: url.search,
      method: request.method === 'HEAD' ? 'HEAD' : 'GET',
      accessToken: locals.accessToken,
      tenantId: locals.tenant?._id,
      requestId: locals.requestId,
      accept: request.headers.get('accept'),
      signal: request.signal
    })
  } catch (error) {
    logger.error(
      {
        code: 'API_PROXY_FAILED',
        requestId: locals.requestId,
        path,
        err: { message: (error as Error).message }
      },
      'api proxy request failed'
    )
    return json(
      { message: 'The API did not answer. Please try again.', code: 'UNAVAILABLE' },
      { status: 502 }
    )
  }
}

export const GET = forward
export const HEAD = forward
