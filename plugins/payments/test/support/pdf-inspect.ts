// Test helper: checks a PDF's structure the way a reader does (header, xref offsets, stream lengths,
// trailer, startxref) and extracts the text shown by its uncompressed content streams.
export interface InspectedPdf {
  pageCount: number
  text: string[]
}

export function inspectPdf(pdf: Buffer): InspectedPdf {
  const source = pdf.toString('latin1')
  if (!source.startsWith('%PDF-1.')) throw new Error('missing %PDF header')
  if (!source.trimEnd().endsWith('%%EOF')) throw new Error('missing %%EOF')
  const startxref = Number(/startxref\s+(\d+)\s+%%EOF\s*$/.exec(source)?.[1])
  if (!Number.isInteger(startxref) || !source.startsWith('xref', startxref))
    throw new Error('startxref does not point at the xref table')
  const table = /^xref\s+0 (\d+)\s+([\s\S]*?)trailer/m.exec(source.slice(startxref))
  if (!table) throw new Error('malformed xref table')
  const count = Number(table[1])
  const entries = table[2].trim().split(/\s*\n/)
  if (entries.length !== count) throw new Error(`xref has ${entries.length} entries, declares ${count}`)
  for (let number = 1; number < count; number += 1) {
    const offset = Number(entries[number].slice(0, 10))
    if (!source.startsWith(`${number} 0 obj`, offset))
      throw new Error(`xref entry ${number} points to the wrong offset`)
  }
  const trailer = source.slice(source.indexOf('trailer', startxref))
  if (!new RegExp(`/Size ${count}\\b`).test(trailer) || !/\/Root \d+ 0 R/.test(trailer))
    throw new Error('bad trailer')

  const text: string[] = []
  const streams = /<< \/Length (\d+) >>\nstream\n/g
  for (let match = streams.exec(source); match; match = streams.exec(source)) {
    const start = match.index + match[0].length
    const content = source.slice(start, start + Number(match[1]))
    if (!source.startsWith('\nendstream', start + Number(match[1])))
      throw new Error('stream /Length is wrong')
    for (const shown of content.matchAll(/\(((?:\\.|[^\\)])*)\) Tj/g))
      text.push(shown[1].replace(/\\(.)/g, '$1'))
  }
  const pageCount = Number(/\/Type \/Pages [^>]*\/Count (\d+)/.exec(source)?.[1] ?? 0)
  return { pageCount, text }
}
