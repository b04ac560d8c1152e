// Resolves agency and tenant slugs given on the command line to ids, with field-level errors.
import type { Application } from '../../../core/src/app/declarations.ts'
import { validationError } from '../../../core/src/errors/codes.ts'

type Page = { data: { _id: string; agencyId?: string }[] } | { _id: string; agencyId?: string }[]
const rows = (page: Page) => (Array.isArray(page) ? page : page.data)

export async function agencyIdBySlug(app: Application, slug: string, field = 'agency'): Promise<string> {
  const found = rows(await (app.service('agencies' as never) as any).find({ query: { slug } }))[0]
  if (!found)
    throw validationError('Unknown agency', [{ path: field, message: `no agency with slug "${slug}"` }])
  return String(found._id)
}

export async function tenantIdsBySlug(
  app: Application,
  slugs: readonly string[],
  field = 'tenant'
): Promise<string[]> {
  const ids: string[] = []
  const missing: string[] = []
  for (const slug of slugs) {
    const found = rows(await (app.service('tenants' as never) as any).find({ query: { slug } }))[0]
    if (found) ids.push(String(found._id))
    else missing.push(slug)
  }
  if (missing.length > 0) {
    throw validationError(
      'Unknown tenant',
      missing.map((slug) => ({ path: field, message: `no tenant with slug "${slug}"` }))
    )
  }
  return ids
}
