// WCAG AA contrast of a submitted theme as form field errors, checked before the API is called so a
// storefront never goes live with unreadable colors.
import { contrastFailures } from '@masterstage/core/client'
import type { BrandInput, FormErrors } from '$lib/forms/form-values.ts'

const HEX = /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/

export function contrastErrors(colors: BrandInput['theme']['colors']): FormErrors {
  if (![colors.primary, colors.background, colors.text].every((color) => HEX.test(color))) return {}
  const errors: FormErrors = {}
  for (const failure of contrastFailures(colors)) {
    const field = failure.fields[0]
    errors[field] ??=
      `fails WCAG AA contrast: ${failure.pair} is ${failure.ratio}:1, needs ${failure.required}:1`
  }
  return errors
}
