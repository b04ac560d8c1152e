// The theme CSS is inlined in a <style> element outside Svelte's escaping: tenant colors and fonts reach it
// only when they cannot leave their declaration; anything else (stored before the API validated it, or
// written around it) gives the fallback values instead of a broken or script-running page.
import type { PublicSite } from '@masterstage/core/web-api/site-service.ts'
import { describe, expect, it } from 'vitest'
import { FALLBACK_COLORS, themeStyle } from '../src/lib/theme/theme-style.ts'

const GOOD_COLORS = { primary: '#0b5394', background: '#ffffff', text: '#111111' }
const siteWith = (theme: Record<string, unknown>) =>
  ({
    id: 'x',
    slug: 'x',
    name: 'X',
    domains: [],
    theme,
    enabledPlugins: [],
    revision: 1
  }) as unknown as PublicSite
const cssOf = (theme: Record<string, unknown>) => themeStyle(siteWith(theme)).css
const BREAK_OUT = '</style><script>alert(1)</script>'

describe('theme CSS from tenant values', () => {
  it('uses valid tenant colors and font lists', () => {
    const css = cssOf({
      colors: { ...GOOD_COLORS, accent: '#abc' },
      fonts: { heading: `Georgia, 'Times New Roman', serif`, body: '"Inter", system-ui, sans-serif' }
    })
    expect(css).toContain('--brand-primary: #0b5394;')
    expect(css).toContain('--brand-accent: #abc;')
    expect(css).toContain(`--brand-font-heading: Georgia, 'Times New Roman', serif;`)
    expect(css).toContain('--brand-font-body: "Inter", system-ui, sans-serif;')
  })

  it.each([
    ['closes the style element', BREAK_OUT],
    ['adds a declaration', 'serif; background: url(https://evil.test/x)'],
    ['closes the rule', 'serif } body { display: none'],
    ['leaves a string open', '"Inter, serif'],
    ['spans lines', 'Inter,\nserif'],
    ['is too long', 'a'.repeat(81)]
  ])('falls back for a font list that %s', (_name, font) => {
    const css = cssOf({ colors: GOOD_COLORS, fonts: { heading: font, body: 'serif' } })
    expect(css).toContain('--brand-font-heading: system-ui, sans-serif;')
    expect(css).not.toContain(font)
  })

  it.each([
    ['primary', { ...GOOD_COLORS, primary: BREAK_OUT }],
    ['background', { ...GOOD_COLORS, background: 'red;}</style><script>alert(1)</script>' }],
    ['text', { ...GOOD_COLORS, text: 'not a color' }]
  ])('serves the fallback palette, without failing, for a malformed required color (%s)', (_name, colors) => {
    const style = themeStyle(siteWith({ colors, fonts: { heading: 'serif', body: 'serif' } }))
    expect(style.css).toContain(`--brand-primary: ${FALLBACK_COLORS.primary};`)
    expect(style.css).not.toContain('<')
  })

  it('drops a malformed optional color and keeps the others', () => {
    const css = cssOf({
      colors: { ...GOOD_COLORS, secondary: BREAK_OUT, accent: 'expression(alert(1))' },
      fonts: { heading: 'serif', body: 'serif' }
    })
    expect(css).toContain('--brand-primary: #0b5394;')
    expect(css).toContain(`--brand-secondary: ${FALLBACK_COLORS.secondary};`)
    expect(css).toContain(`--brand-accent: ${FALLBACK_COLORS.accent};`)
    expect(css).not.toMatch(/[<>]|expression/)
  })
})
