// CSV encoding for the lead export: RFC 4180 quoting, and cells that a spreadsheet would run as a formula
// (= + - @ tab CR) are prefixed with an apostrophe (CSV injection).
const NEEDS_QUOTES = /[",\r\n]/
const FORMULA_START = /^[=+\-@\t\r]/

export function csvCell(value: unknown): string {
  if (value === undefined || value === null) return ''
  let text =
    value instanceof Date ? value.toISOString() : Array.isArray(value) ? value.join(' ') : String(value)
  if (FORMULA_START.test(text)) text = `'${text}`
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

export function csvRow(values: readonly unknown[]): string {
  return `${values.map(csvCell).join(',')}\r\n`
}
