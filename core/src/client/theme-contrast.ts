// WCAG 2.x contrast for brand themes: relative luminance, contrast ratios, the readable text color on a
// brand color, and the checks a theme must pass (AA) before a storefront renders with it.

export interface ThemeColors {
  primary: string
  secondary?: string
  accent?: string
  background: string
  text: string
}

export interface ContrastCheck {
  /** Which pair of the theme was measured, e.g. 'text on background'. */
  pair: string
  fields: readonly string[]
  ratio: number
  required: number
  passed: boolean
}

const HEX = /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/

function channels(hex: string): [number, number, number] {
  if (!HEX.test(hex)) throw new Error(`Not a hex color: ${hex}`)
  const full =
    hex.length === 4
      ? hex
          .slice(1)
          .split('')
          .map((c) => c + c)
          .join('')
      : hex.slice(1)
  return [0, 2, 4].map((i) => Number.parseInt(full.slice(i, i + 2), 16) / 255) as [number, number, number]
}

/** WCAG relative luminance (sRGB). */
export function relativeLuminance(hex: string): number {
  const [r, g, b] = channels(hex).map((c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4))
  return 0.2126 * r + 0.7152 * g + 0.0722 * b
}

export function contrastRatio(a: string, b: string): number {
  const [light, dark] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x)
  return Math.round(((light + 0.05) / (dark + 0.05)) * 100) / 100
}

/** Black or white, whichever reads better on `background` (used for text on brand colors). */
export function readableOn(background: string): '#000000' | '#ffffff' {
  return contrastRatio(background, '#000000') >= contrastRatio(background, '#ffffff') ? '#000000' : '#ffffff'
}

/**
 * AA checks of how the storefront uses a theme: body text on the page background (4.5:1), button labels on
 * the primary color (4.5:1, label color chosen automatically), and the primary color against the page
 * background for buttons and focus rings (3:1, WCAG 1.4.11 non-text contrast).
 */
export function checkThemeContrast(colors: ThemeColors): ContrastCheck[] {
  const check = (pair: string, fields: string[], a: string, b: string, required: number): ContrastCheck => {
    const ratio = contrastRatio(a, b)
    return { pair, fields, ratio, required, passed: ratio >= required }
  }
  return [
    check('text on background', ['colors.text', 'colors.background'], colors.text, colors.background, 4.5),
    check('button label on primary', ['colors.primary'], readableOn(colors.primary), colors.primary, 4.5),
    check(
      'primary against background',
      ['colors.primary', 'colors.background'],
      colors.primary,
      colors.background,
      3
    )
  ]
}

export function contrastFailures(colors: ThemeColors): ContrastCheck[] {
  return checkThemeContrast(colors).filter((check) => !check.passed)
}
