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

const FONT = /^[\w\s,'"-]{1,80}$/
const COLOR = /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/

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
  const colors = theme?.colors && COLOR.test(theme.colors.text) ? theme.colors : FALLBACK_COLORS
  const checks = checkThemeContrast(colors)
  const accessible = checks.every((check) => check.passed)
  const used = accessible ? { ...FALLBACK_COLORS, ...stripUndefined(colors) } : FALLBACK_COLORS
  const fonts =
    theme?.fonts && FONT.test(theme.fonts.heading) && FONT.test(theme.fonts.body)
      ? theme.fonts
      : FALLBACK_FONTS
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

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => v !== undefined && COLOR.test(String(v)))
  ) as Partial<T>
}
