// Agency-wide tenant list: filtered and paginated by the API (only tenants this user may see).
import { error } from '@sveltejs/kit'
import { isAdmin } from '$lib/nav.ts'
import type { PageServerLoad } from './$types'

const PAGE_SIZE = 20

export const load: PageServerLoad = async ({ locals, url }) => {
  if (!isAdmin(locals.user?.role))
    error(403, { message: 'Only agency staff see all tenants', code: 'FORBIDDEN' })
  const page = Math.max(1, Number.parseInt(url.searchParams.get('page') ?? '1', 10) || 1)
  const slug = url.searchParams.get('slug')?.trim().toLowerCase() ?? ''
  const result = (await locals.api.service('tenants').find({
    query: { ...(slug && { slug }), $limit: PAGE_SIZE, $skip: (page - 1) * PAGE_SIZE }
  })) as any
  return {
    rows: result.data.map((tenant: any) => ({
      _id: tenant._id,
      slug: tenant.slug,
      name: tenant.name,
      domains: tenant.domains,
      plugins: tenant.plugins.map((plugin: any) => plugin.name)
    })),
    total: result.total as number,
    page,
    pages: Math.max(1, Math.ceil(result.total / PAGE_SIZE)),
    slug
  }
}
