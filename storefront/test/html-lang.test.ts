// The page's `<html lang>` from the tenant's copy.locale: pasted outside Svelte's escaping, so only a
// well-formed BCP-47 language reaches it; anything else (stored before the API validated it) is `en`.
import { describe, expect, it } from 'vitest'
import { htmlLang, withHtmlLang } from '../src/lib/theme/html-lang.ts'

const APP_HTML = '<!doctype html>\n<html lang="%lang%">\n  <head></head><body>%lang% in copy</body></html>'

describe('html lang from the tenant locale', () => {
  it.each([
    ['en-US', 'en'],
    ['de', 'de'],
    ['pt-BR', 'pt'],
    ['zh-Hant-TW', 'zh'],
    ['gsw-CH', 'gsw']
  ])('keeps the language of %s', (locale, lang) => {
    expect(htmlLang(locale)).toBe(lang)
  })

  it.each([
    ['an attribute break-out', 'en"><script>alert(1)</script><x y="'],
    ['a tag in the language', '<svg/onload=alert(1)>'],
    ['quotes', "e'n"],
    ['an uppercase language', 'EN-us'],
    ['spaces', 'en US'],
    ['an empty string', ''],
    ['a subtag too long', 'en-abcdefghi'],
    ['a non-string', 42],
    ['nothing', undefined]
  ])('falls back to en for %s', (_name, locale) => {
    expect(htmlLang(locale)).toBe('en')
  })

  it('fills only the html element, escaped, and never reads `$` as a replacement pattern', () => {
    expect(withHtmlLang(APP_HTML, 'de')).toBe(
      '<!doctype html>\n<html lang="de">\n  <head></head><body>%lang% in copy</body></html>'
    )
    expect(withHtmlLang(APP_HTML, `$'"<`)).toContain('<html lang="$&#39;&#34;&#60;">')
    expect(withHtmlLang('<p>later chunk</p>', 'de')).toBe('<p>later chunk</p>')
  })
})
