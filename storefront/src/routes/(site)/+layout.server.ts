// Every storefront page: the tenant (404 for unknown hosts), its theme as CSS variables with the AA
// contrast result, SEO fields and whether an attendee is signed in.
import { error } from '@sveltejs/kit'
import { logger } from '$lib/server/logger.ts'
import { themeStyle } from '$lib/theme/theme-style.ts'
import type { LayoutServerLoad } from './$types'

export const load: LayoutServerLoad = async ({ locals, url }) => {
  const site = locals.site
  if (!site) error(404, { message: 'There is no storefront at this address.', code: 'TENANT_UNKNOWN' })
  const theme = themeStyle(site)
  if (!theme.accessible) {
    logger.error(
      {
        code: 'THEME_CONTRAST_FAILED',
        tenant: site.slug,
        failed: theme.checks.filter((check) => !check.passed)
      },
      'tenant theme fails WCAG AA contrast: serving the fallback palette'
    )
  }
  const copy = site.theme?.copy ?? {}
  return {
    site: { id: site.id, slug: site.slug, name: site.name, enabledPlugins: site.enabledPlugins },
    copy,
    themeCss: theme.css,
    themeAccessible: theme.accessible,
    hasLogo: Boolean(site.theme?.logoUrl),
    signedIn: Boolean(locals.accessToken),
    seo: {
      title: site.name,
      description: copy.subheadline ?? copy.headline ?? site.name,
      image: site.theme?.logoUrl ? `${url.origin}/brand/logo.svg` : null,
      url: `${url.origin}${url.pathname}`
    }
  }
}
