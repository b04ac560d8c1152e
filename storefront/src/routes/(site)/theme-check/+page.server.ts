// The tenant's theme contrast report (WCAG AA): what staff open when the storefront falls back to the
// accessible palette. Shows ratios only, nothing secret.
import { themeStyle } from '$lib/theme/theme-style.ts'
import type { PageServerLoad } from './$types'

export const load: PageServerLoad = async ({ locals }) => {
  const theme = themeStyle(locals.site!)
  return { checks: theme.checks, accessible: theme.accessible, colors: locals.site!.theme?.colors ?? null }
}
