// Validates and normalizes a public registration: every problem reported at once with its field, nothing
// but plain strings and booleans accepted (no operator objects), markup refused, email normalized.
import type { FieldError } from '@masterstage/core'
import { isHttpUrl, MAX_REFERRER_LENGTH, MAX_UTM_LENGTH, UTM_VALUE } from '@masterstage/core/client'
import type { LeadSource } from '../contract.ts'

export interface RegistrationInput {
  name: string
  email: string
  phone?: string
  company?: string
  masterclassId: string
  consent: true
  source: LeadSource
  /** Honeypot: a field humans never see; any value marks the submission as a bot's. */
  honeypotFilled: boolean
}

/** Hidden form field humans leave empty. Named like a real field so bots fill it in. */
export const HONEYPOT_FIELD = 'website'
/** A real registration is well under 2 KB; anything past this is refused before any work is done. */
export const MAX_REGISTRATION_BYTES = 8 * 1024

const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]{2,}$/
const PHONE = /^\+?[0-9][0-9 ()./-]{4,22}$/
const MASTERCLASS_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/
const MARKUP = /[<>]/
const CONSENT_YES = new Set([true, 'true', 'on', 'yes', '1'])

const TEXT_FIELDS = ['name', 'email', 'phone', 'company', 'masterclassId'] as const
export const SOURCE_FIELDS = ['utmSource', 'utmMedium', 'utmCampaign', 'referrer'] as const
const ALLOWED = new Set<string>([...TEXT_FIELDS, ...SOURCE_FIELDS, 'consent', HONEYPOT_FIELD])

export type ValidationResult = { ok: true; value: RegistrationInput } | { ok: false; errors: FieldError[] }

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase()
}

/** Approximate serialized size without re-serializing huge inputs twice. */
export function payloadBytes(data: unknown): number {
  try {
    return Buffer.byteLength(JSON.stringify(data) ?? '', 'utf8')
  } catch {
    return Number.POSITIVE_INFINITY
  }
}

export function validateRegistration(data: unknown): ValidationResult {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return { ok: false, errors: [{ path: '', message: 'must be an object of form fields' }] }
  }
  if (payloadBytes(data) > MAX_REGISTRATION_BYTES) {
    return { ok: false, errors: [{ path: '', message: `must be at most ${MAX_REGISTRATION_BYTES} bytes` }] }
  }
  const input = data as Record<string, unknown>
  const errors: FieldError[] = []
  const fail = (path: string, message: string) => errors.push({ path, message })

  for (const key of Object.keys(input)) if (!ALLOWED.has(key)) fail(key, 'is not a registration field')

  const text = (
    field: string,
    options: { required: boolean; max: number; pattern?: RegExp; hint?: string }
  ) => {
    const raw = input[field]
    if (raw === undefined || raw === null || raw === '') {
      if (options.required) fail(field, 'is required')
      return undefined
    }
    if (typeof raw !== 'string') {
      fail(field, 'must be text')
      return undefined
    }
    const value = raw.trim()
    if (value === '') {
      if (options.required) fail(field, 'is required')
      return undefined
    }
    if (value.length > options.max) fail(field, `must be at most ${options.max} characters`)
    else if (MARKUP.test(value)) fail(field, 'must not contain < or >')
    else if (options.pattern && !options.pattern.test(value)) fail(field, options.hint ?? 'is not valid')
    return value
  }

  const name = text('name', { required: true, max: 120 })
  const email = text('email', {
    required: true,
    max: 254,
    pattern: EMAIL,
    hint: 'must be an email address like ana@example.com'
  })
  const phone = text('phone', {
    required: false,
    max: 24,
    pattern: PHONE,
    hint: 'must be a phone number (digits, spaces, + ( ) - .)'
  })
  const company = text('company', { required: false, max: 120 })
  const masterclassId = text('masterclassId', {
    required: true,
    max: 64,
    pattern: MASTERCLASS_ID,
    hint: 'must be a masterclass id'
  })
  const source: LeadSource = {}
  for (const field of ['utmSource', 'utmMedium', 'utmCampaign'] as const) {
    const value = text(field, {
      required: false,
      max: MAX_UTM_LENGTH,
      pattern: UTM_VALUE,
      hint: 'must be a plain UTM value'
    })
    if (value !== undefined) source[field] = value
  }
  const referrer = text('referrer', { required: false, max: MAX_REFERRER_LENGTH })
  if (referrer !== undefined) {
    if (isHttpUrl(referrer)) source.referrer = referrer
    else if (!errors.some((e) => e.path === 'referrer')) fail('referrer', 'must be an http(s) URL')
  }
  if (!CONSENT_YES.has(input.consent as never)) fail('consent', 'must be given to register')

  const honeypot = input[HONEYPOT_FIELD]
  const honeypotFilled = honeypot !== undefined && honeypot !== null && honeypot !== ''
  if (errors.length > 0) return { ok: false, errors }
  return {
    ok: true,
    value: {
      name: name!,
      email: normalizeEmail(email!),
      ...(phone !== undefined && { phone }),
      ...(company !== undefined && { company }),
      masterclassId: masterclassId!,
      consent: true,
      source,
      honeypotFilled
    }
  }
}
