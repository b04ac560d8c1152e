// Reads dashboard forms into API bodies: brand pack fields, plugin settings/secrets typed by the plugin's
// JSON Schema, and maps API field errors back onto form field names.

export type FormErrors = Record<string, string>

export function text(form: FormData, name: string): string {
  const value = form.get(name)
  return typeof value === 'string' ? value.trim() : ''
}

function optional(value: string): string | undefined {
  return value === '' ? undefined : value
}

export interface BrandInput {
  name: string
  domains: string[]
  theme: {
    colors: { primary: string; secondary?: string; accent?: string; background: string; text: string }
    fonts: { heading: string; body: string }
    logoUrl?: string
    copy: Record<string, string>
  }
}

const COPY_FIELDS = ['headline', 'subheadline', 'callToAction', 'about', 'footer'] as const

export function brandInput(form: FormData): BrandInput {
  const copy: Record<string, string> = {}
  for (const field of COPY_FIELDS) {
    const value = text(form, `copy.${field}`)
    if (value) copy[field] = value
  }
  return {
    name: text(form, 'name'),
    domains: text(form, 'domains')
      .split(/[\s,]+/)
      .map((domain) => domain.toLowerCase())
      .filter(Boolean),
    theme: {
      colors: {
        primary: text(form, 'colors.primary'),
        secondary: optional(text(form, 'colors.secondary')),
        accent: optional(text(form, 'colors.accent')),
        background: text(form, 'colors.background'),
        text: text(form, 'colors.text')
      },
      fonts: { heading: text(form, 'fonts.heading'), body: text(form, 'fonts.body') },
      logoUrl: optional(text(form, 'logoUrl')),
      copy
    }
  }
}

/**
 * The copy to save: the tenant's current copy with the form's fields laid over it. The API replaces the
 * whole theme, and a brand pack may carry copy keys the form has no input for; those are kept. A form
 * field left empty removes its key.
 */
export function mergedCopy(
  current: Readonly<Record<string, unknown>> | undefined,
  submitted: Readonly<Record<string, string>>
): Record<string, string> {
  const copy: Record<string, string> = {}
  for (const [key, value] of Object.entries(current ?? {})) {
    if (typeof value === 'string' && !(COPY_FIELDS as readonly string[]).includes(key)) copy[key] = value
  }
  return { ...copy, ...submitted }
}

/** The submitted values keyed by input name, to refill the form after an error (secrets excluded). */
export function echo(form: FormData): Record<string, string> {
  const values: Record<string, string> = {}
  for (const [name, value] of form.entries()) {
    if (typeof value === 'string' && !name.includes('.secrets.') && name !== 'password') values[name] = value
  }
  return values
}

export interface JsonSchema {
  type?: string
  properties?: Record<string, JsonSchema>
}

/** Values of `<prefix>.<key>` inputs, converted to the schema's types; unparsable input is passed on as typed. */
export function schemaValues(
  form: FormData,
  prefix: string,
  schema: JsonSchema | null
): Record<string, unknown> {
  const values: Record<string, unknown> = {}
  for (const [key, property] of Object.entries(schema?.properties ?? {})) {
    const name = `${prefix}.${key}`
    if (property.type === 'boolean') {
      values[key] = form.get(name) === 'on'
      continue
    }
    if (property.type === 'object') {
      values[key] = schemaValues(form, name, property)
      continue
    }
    const raw = text(form, name)
    if (raw === '') continue
    if (property.type === 'integer' || property.type === 'number') {
      const parsed = Number(raw)
      values[key] = Number.isNaN(parsed) ? raw : parsed
    } else if (property.type === 'array') {
      values[key] = raw
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean)
    } else values[key] = raw
  }
  return values
}

/** API field paths (`theme.colors.text`, `domains.0`) → the brand form's input names. */
export function brandField(path: string): string {
  return path
    .replace(/^theme\.copy\./, 'copy.')
    .replace(/^theme\./, '')
    .replace(/^domains\.\d+$/, 'domains')
}

export function renameErrors(errors: Record<string, string>, rename: (path: string) => string): FormErrors {
  const mapped: FormErrors = {}
  for (const [path, message] of Object.entries(errors)) mapped[rename(path)] ??= message
  return mapped
}
