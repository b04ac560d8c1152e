// Turns a tenant's brand theme into the CSS custom properties the storefront's styles read, checking AA
// contrast first: a failing theme is replaced by the accessible fallback palette (see README).
import { type ContrastCheck, checkThemeContrast, readableOn } from '@masterstage/core/client'
import type { PublicSite } from '@masterstage/core/web-api/site-service.ts'

export const FALLBACK_COLORS = {
  primary: '#1d4ed8',
  secondary: '#1e293b',
  accent: '#b45309',
  background: '#ffffff',
  text: '#111827'
}
const FALLBACK_FONTS = { heading: 'system-ui, sans-serif', body: 'system-ui, sans-serif' }

export interface ThemeStyle {
  /** `:root { --brand-...: ... }`, safe to inline (every value is validated). */
  css: string
  checks: ContrastCheck[]
  /** False when the tenant's colors failed AA and the fallback palette is used. */
  accessible: boolean
}

// The CSS is inlined in a <style> element outside Svelte's escaping (+layout.svelte), so a tenant value is
// used only when it cannot leave its declaration: hex colors, and font lists of names made of letters,
// digits, spaces and hyphens, each bare or in balanced quotes (no `<`, `;`, `}` or an unclosed string).
const FAMILY = `(?:[\\w -]+|"[\\w -]+"|'[\\w -]+')`
const FONT = new RegExp(`^(?=.{1,80}$)${FAMILY}(?:, *${FAMILY})*$`)
const COLOR = /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/
const isColor = (value: unknown): value is string => typeof value === 'string' && COLOR.test(value)
const isFont = (value: unknown): value is string => typeof value === 'string' && FONT.test(value)

// Computed once per fetched profile (the site cache hands out the same object until it refetches).
const computed = new WeakMap<PublicSite, ThemeStyle>()

export function themeStyle(site: PublicSite): ThemeStyle {
  let style = computed.get(site)
  if (!style) {
    style = computeThemeStyle(site)
    computed.set(site, style)
  }
  return style
}

function computeThemeStyle(site: PublicSite): ThemeStyle {
  const theme = site.theme
  const colors = tenantColors(theme?.colors) ?? FALLBACK_COLORS
  const checks = checkThemeContrast(colors)
  const accessible = checks.every((check) => check.passed)
  const used = accessible ? { ...FALLBACK_COLORS, ...colors } : FALLBACK_COLORS
  const fonts =
    theme?.fonts && isFont(theme.fonts.heading) && isFont(theme.fonts.body) ? theme.fonts : FALLBACK_FONTS
  const variables: Record<string, string> = {
    '--brand-primary': used.primary,
    '--brand-on-primary': readableOn(used.primary),
    '--brand-secondary': used.secondary,
    '--brand-on-secondary': readableOn(used.secondary),
    '--brand-accent': used.accent,
    '--brand-background': used.background,
    '--brand-text': used.text,
    '--brand-font-heading': fonts.heading,
    '--brand-font-body': fonts.body
  }
  const body = Object.entries(variables)
    .map(([name, value]) => `${name}: ${value};`)
    .join(' ')
  return { css: `:root { ${body} }`, checks, accessible }
}

/**
 * The tenant's colors when the required ones are hex colors (else null: the fallback palette); optional
 * ones that are not are left out. The contrast check throws on anything else, which would fail every page.
 */
function tenantColors(colors: unknown): typeof FALLBACK_COLORS | null {
  if (!colors || typeof colors !== 'object') return null
  const given = colors as Record<string, unknown>
  if (!isColor(given.primary) || !isColor(given.background) || !isColor(given.text)) return null
  const valid = Object.entries(given).filter(
    ([name, value]) => name in FALLBACK_COLORS && isColor(value)
  ) as [keyof typeof FALLBACK_COLORS, string][]
  return { ...FALLBACK_COLORS, ...Object.fromEntries(valid) }
}
