// The registration form's hidden source inputs, from the visit's source the storefront passes as the
// section's `source` prop (per request, never cached), so each visitor submits their own without JavaScript.
import type { UiAttribution } from '@masterstage/core/client'
import { SOURCE_FIELDS } from '../domain/registration-input.ts'

type SourceField = (typeof SOURCE_FIELDS)[number]

/**
 * One input per source field that has a value: from the form when it was posted and comes back with errors
 * (what the page carried stays the source of truth), else from the visit's source. Never a mix of the two:
 * the re-render's source is what the attribution cookie holds now, which a visit in another tab may have
 * changed to another campaign since the page was rendered.
 */
export function hiddenSourceInputs(
  source: UiAttribution | undefined,
  posted?: Record<string, string>
): { name: SourceField; value: string }[] {
  // A posted form always carries its visible fields (empty ones as ''), so an empty record is no form.
  const fromForm = posted !== undefined && Object.keys(posted).length > 0
  const values: Partial<Record<SourceField, string>> = (fromForm ? posted : source) ?? {}
  return SOURCE_FIELDS.flatMap((name) => {
    const value = values[name]
    return value ? [{ name, value }] : []
  })
}
