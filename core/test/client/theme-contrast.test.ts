// WCAG contrast math and the storefront's theme checks, against known reference values.
import { describe, expect, it } from 'vitest'
import {
  checkThemeContrast,
  contrastFailures,
  contrastRatio,
  readableOn,
  relativeLuminance
} from '../../src/client/theme-contrast.ts'

describe('theme contrast', () => {
  it('computes WCAG luminance and ratios', () => {
    expect(relativeLuminance('#ffffff')).toBeCloseTo(1, 5)
    expect(relativeLuminance('#000')).toBe(0)
    expect(contrastRatio('#000000', '#ffffff')).toBe(21)
    expect(contrastRatio('#777777', '#ffffff')).toBe(4.48)
    expect(contrastRatio('#ffffff', '#777777')).toBe(4.48)
  })

  it('picks the more readable label color for a brand color', () => {
    expect(readableOn('#ffeb3b')).toBe('#000000')
    expect(readableOn('#1d4ed8')).toBe('#ffffff')
  })

  it('passes a readable theme and names the failing pairs of an unreadable one', () => {
    expect(contrastFailures({ primary: '#1d4ed8', background: '#ffffff', text: '#111827' })).toEqual([])
    const failures = contrastFailures({ primary: '#eeeeee', background: '#ffffff', text: '#777777' })
    expect(failures.map((failure) => failure.pair)).toEqual([
      'text on background',
      'primary against background'
    ])
    expect(failures[0]).toMatchObject({
      ratio: 4.48,
      required: 4.5,
      passed: false,
      fields: ['colors.text', 'colors.background']
    })
    expect(
      checkThemeContrast({ primary: '#000000', background: '#ffffff', text: '#000000' }).every(
        (c) => c.passed
      )
    ).toBe(true)
  })

  it('refuses something that is not a hex color', () => {
    expect(() => relativeLuminance('red')).toThrow(/hex color/)
  })
})
