// Registration validation: every bad field named with a message, markup and operator objects refused,
// email normalized, honeypot detected, oversized payloads refused before any field is looked at.
import { describe, expect, it } from 'vitest'
import { MAX_REGISTRATION_BYTES, validateRegistration } from '../../domain/registration-input.ts'

const valid = {
  name: 'Ana Lima',
  email: '  Ana.Lima@Example.COM ',
  phone: '+55 11 91234-5678',
  company: 'Lima Fit',
  masterclassId: 'mc-2026-spring',
  consent: true,
  utmSource: 'instagram',
  utmMedium: 'social',
  utmCampaign: 'spring launch',
  referrer: 'https://instagram.com/ava'
}

function errorsOf(data: unknown): Record<string, string> {
  const result = validateRegistration(data)
  if (result.ok) throw new Error('expected validation errors')
  return Object.fromEntries(result.errors.map((e) => [e.path, e.message]))
}

describe('validateRegistration', () => {
  it('normalizes a valid registration and keeps the source', () => {
    const result = validateRegistration(valid)
    expect(result).toEqual({
      ok: true,
      value: {
        name: 'Ana Lima',
        email: 'ana.lima@example.com',
        phone: '+55 11 91234-5678',
        company: 'Lima Fit',
        masterclassId: 'mc-2026-spring',
        consent: true,
        source: {
          utmSource: 'instagram',
          utmMedium: 'social',
          utmCampaign: 'spring launch',
          referrer: 'https://instagram.com/ava'
        },
        honeypotFilled: false
      }
    })
  })

  it('accepts form-encoded consent values', () => {
    expect(validateRegistration({ ...valid, consent: 'on' }).ok).toBe(true)
  })

  it('names every missing required field', () => {
    expect(errorsOf({})).toEqual({
      name: 'is required',
      email: 'is required',
      masterclassId: 'is required',
      consent: 'must be given to register'
    })
  })

  it('refuses a malformed email', () => {
    expect(errorsOf({ ...valid, email: 'ana@' })).toEqual({
      email: 'must be an email address like ana@example.com'
    })
    expect(errorsOf({ ...valid, email: 'ana example.com' }).email).toBeDefined()
  })

  it('refuses script tags in any text field', () => {
    const errors = errorsOf({ ...valid, name: '<script>alert(1)</script>', company: 'x<img src=x>' })
    expect(errors).toEqual({ name: 'must not contain < or >', company: 'must not contain < or >' })
  })

  it('refuses $-operator objects and other non-text values', () => {
    const errors = errorsOf({ ...valid, email: { $gt: '' }, name: ['a'], masterclassId: { $ne: null } })
    expect(errors).toEqual({ email: 'must be text', name: 'must be text', masterclassId: 'must be text' })
  })

  it('refuses unknown fields, including operator keys', () => {
    expect(errorsOf({ ...valid, $where: '1', role: 'platform_admin' })).toEqual({
      $where: 'is not a registration field',
      role: 'is not a registration field'
    })
  })

  it('refuses a payload over the cap without inspecting fields', () => {
    const errors = errorsOf({ ...valid, name: 'x'.repeat(MAX_REGISTRATION_BYTES) })
    expect(errors).toEqual({ '': `must be at most ${MAX_REGISTRATION_BYTES} bytes` })
  })

  it('caps field lengths and checks phone, referrer and UTM shapes', () => {
    expect(
      errorsOf({
        ...valid,
        company: 'c'.repeat(121),
        phone: 'call me',
        referrer: 'javascript:alert(1)',
        utmSource: 'a&b'
      })
    ).toEqual({
      company: 'must be at most 120 characters',
      phone: 'must be a phone number (digits, spaces, + ( ) - .)',
      referrer: 'must be an http(s) URL',
      utmSource: 'must be a plain UTM value'
    })
  })

  it('detects the honeypot', () => {
    const result = validateRegistration({ ...valid, website: 'http://spam.example' })
    expect(result.ok && result.value.honeypotFilled).toBe(true)
  })

  it('refuses non-objects', () => {
    expect(errorsOf('name=ana')).toEqual({ '': 'must be an object of form fields' })
    expect(errorsOf([valid])).toEqual({ '': 'must be an object of form fields' })
  })
})
