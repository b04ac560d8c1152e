// Brand form values: saving the brand keeps the copy keys the form has no input for (the API replaces the
// whole theme), while the form's own copy fields are taken as submitted (empty removes them).
import { describe, expect, it } from 'vitest'
import { brandInput, mergedCopy } from '../src/lib/forms/form-values.ts'

function brandForm(values: Record<string, string>): FormData {
  const form = new FormData()
  for (const [name, value] of Object.entries(values)) form.set(name, value)
  return form
}

describe('brand copy on save', () => {
  const current = {
    headline: 'Old headline',
    subheadline: 'Old sub',
    footer: 'Old footer',
    registrationIntro: 'Tell us about you',
    'checkout.terms': 'Terms apply'
  }

  it('keeps copy keys from the pack that the form does not show', () => {
    const { theme } = brandInput(brandForm({ 'copy.headline': 'New headline', 'copy.footer': 'Old footer' }))
    expect(mergedCopy(current, theme.copy)).toEqual({
      headline: 'New headline',
      footer: 'Old footer',
      registrationIntro: 'Tell us about you',
      'checkout.terms': 'Terms apply'
    })
  })

  it('removes a form field left empty, and works without any current copy', () => {
    expect(mergedCopy(current, { headline: 'Only this' })).not.toHaveProperty('subheadline')
    expect(mergedCopy(undefined, { headline: 'First' })).toEqual({ headline: 'First' })
  })

  it('ignores non-string values the API might hold', () => {
    expect(mergedCopy({ odd: 42 as unknown as string, kept: 'yes' }, {})).toEqual({ kept: 'yes' })
  })
})
