// The registration form's hidden source inputs, from the visit's source the storefront passes as the
// section's `source` prop (per request, never cached), so each visitor submits their own without JavaScript.
import type { UiAttribution } from '@masterstage/core/client'
import { SOURCE_FIELDS } from '../domain/registration-input.ts'

export type SourceField = (typeof SOURCE_FIELDS)[number]

/**
 * One input per source field that has a value: the one posted with the form when it comes back with errors
 * (what the page carried stays the source of truth), else the visit's source.
 */
export function hiddenSourceInputs(
  source: UiAttribution | undefined,
  posted: Record<string, string> = {}
): { name: SourceField; value: string }[] {
  return SOURCE_FIELDS.flatMap((name) => {
    const value = posted[name] ?? source?.[name]
    return value ? [{ name, value }] : []
  })
}
