// CSV cells: quoting per RFC 4180 and neutralized spreadsheet formulas.
import { describe, expect, it } from 'vitest'
import { csvCell, csvRow } from '../../domain/csv.ts'

describe('csv', () => {
  it('quotes separators, quotes and line breaks', () => {
    expect(csvCell('Lima, Ana')).toBe('"Lima, Ana"')
    expect(csvCell('say "hi"')).toBe('"say ""hi"""')
    expect(csvCell('a\nb')).toBe('"a\nb"')
  })

  it('prefixes formula-looking cells so spreadsheets show them as text', () => {
    expect(csvCell('=HYPERLINK("http://x")')).toBe('"\'=HYPERLINK(""http://x"")"')
    expect(csvCell('+1 555')).toBe("'+1 555")
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)")
  })

  it('writes dates, arrays and empty values', () => {
    expect(csvRow([new Date('2026-01-02T03:04:05.000Z'), ['vip', 'hot'], undefined, null, 3])).toBe(
      '2026-01-02T03:04:05.000Z,vip hot,,,3\r\n'
    )
  })
})
