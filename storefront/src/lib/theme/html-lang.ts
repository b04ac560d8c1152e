// The `<html lang>` of a storefront page from the tenant's copy.locale. The value is pasted into app.html
// outside Svelte's escaping (transformPageChunk), so only a well-formed BCP-47 tag counts; anything else,
// which the API may have stored before it validated locales, falls back to English.

/** Language subtag, then optional script/region/variant subtags (BCP-47 shape, not a registry check). */
const BCP47 = /^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$/
const FALLBACK = 'en'
const PLACEHOLDER = '<html lang="%lang%">'

/** The primary language of a tenant's locale (`en-GB` → `en`), or `en` when it is not well formed. */
export function htmlLang(locale: unknown): string {
  if (typeof locale !== 'string' || locale.length > 35 || !BCP47.test(locale)) return FALLBACK
  return escapeAttribute(locale.split('-')[0])
}

/** Fills app.html's lang placeholder; a function replacement, so `$` in a value is never a pattern. */
export function withHtmlLang(html: string, lang: string): string {
  const safe = escapeAttribute(lang)
  return html.replace(PLACEHOLDER, () => `<html lang="${safe}">`)
}

// Redundant after the pattern check, kept so a future looser pattern cannot reopen the attribute.
function escapeAttribute(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)
}
