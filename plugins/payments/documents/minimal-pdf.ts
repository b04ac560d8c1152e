// A small PDF 1.4 writer (no dependencies, no native code): A4 pages with the standard Helvetica fonts,
// filled rectangles and text, uncompressed content streams and an exact cross-reference table.

export type Rgb = readonly [number, number, number]

interface TextOp {
  kind: 'text'
  x: number
  y: number
  size: number
  bold: boolean
  color: Rgb
  text: string
}
interface RectOp {
  kind: 'rect'
  x: number
  y: number
  width: number
  height: number
  color: Rgb
}

export const A4 = { width: 595.28, height: 841.89 } as const

/** One page; coordinates are PDF points from the bottom-left corner. */
export class PdfPage {
  readonly ops: (TextOp | RectOp)[] = []

  text(
    x: number,
    y: number,
    text: string,
    options: { size?: number; bold?: boolean; color?: Rgb } = {}
  ): this {
    this.ops.push({
      kind: 'text',
      x,
      y,
      text,
      size: options.size ?? 10,
      bold: options.bold ?? false,
      color: options.color ?? [0, 0, 0]
    })
    return this
  }

  rect(x: number, y: number, width: number, height: number, color: Rgb): this {
    this.ops.push({ kind: 'rect', x, y, width, height, color })
    return this
  }

  /** Approximate width of Helvetica text (average glyph width), for right-aligned columns. */
  static textWidth(text: string, size: number): number {
    return text.length * size * 0.52
  }
}

export interface PdfMetadata {
  title: string
  author: string
}

/** Serializes pages into a complete PDF file. */
export function renderPdf(pages: readonly PdfPage[], metadata: PdfMetadata): Buffer {
  // Object numbers: 1 catalog, 2 pages, 3 regular font, 4 bold font, 5 info, then (page, content) pairs.
  const objects: string[] = []
  const pageRefs = pages.map((_, index) => 6 + index * 2)
  objects[1] = '<< /Type /Catalog /Pages 2 0 R >>'
  objects[2] = `<< /Type /Pages /Kids [${pageRefs.map((ref) => `${ref} 0 R`).join(' ')}] /Count ${pages.length} >>`
  objects[3] = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>'
  objects[4] = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>'
  objects[5] = `<< /Title ${pdfString(metadata.title)} /Author ${pdfString(metadata.author)} /Producer (Masterstage) >>`
  pages.forEach((page, index) => {
    const pageNumber = pageRefs[index]
    const content = contentStream(page)
    objects[pageNumber] =
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${A4.width} ${A4.height}] ` +
      `/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents ${pageNumber + 1} 0 R >>`
    objects[pageNumber + 1] =
      `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`
  })

  const chunks: Buffer[] = [Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1')]
  let offset = chunks[0].length
  const offsets: number[] = []
  for (let number = 1; number < objects.length; number += 1) {
    offsets[number] = offset
    const body = Buffer.from(`${number} 0 obj\n${objects[number]}\nendobj\n`, 'latin1')
    chunks.push(body)
    offset += body.length
  }
  const xref = [`xref\n0 ${objects.length}\n`, '0000000000 65535 f \n']
  for (let number = 1; number < objects.length; number += 1)
    xref.push(`${String(offsets[number]).padStart(10, '0')} 00000 n \n`)
  const trailer = `trailer\n<< /Size ${objects.length} /Root 1 0 R /Info 5 0 R >>\nstartxref\n${offset}\n%%EOF\n`
  chunks.push(Buffer.from(xref.join('') + trailer, 'latin1'))
  return Buffer.concat(chunks)
}

function contentStream(page: PdfPage): string {
  const lines: string[] = []
  for (const op of page.ops) {
    if (op.kind === 'rect') {
      lines.push(`${rgb(op.color)} rg ${num(op.x)} ${num(op.y)} ${num(op.width)} ${num(op.height)} re f`)
    } else {
      lines.push(
        `BT /${op.bold ? 'F2' : 'F1'} ${num(op.size)} Tf ${rgb(op.color)} rg ${num(op.x)} ${num(op.y)} Td ${pdfString(op.text)} Tj ET`
      )
    }
  }
  return lines.join('\n')
}

/** A literal string in WinAnsi (Latin-1 subset); characters outside it become '?'. */
export function pdfString(text: string): string {
  const latin1 = [...text]
    .map((char) => (char.charCodeAt(0) <= 0xff && char.length === 1 ? char : '?'))
    .join('')
  return `(${latin1.replace(/[\\()]/g, (char) => `\\${char}`).replace(/[\r\n]/g, ' ')})`
}

function rgb(color: Rgb): string {
  return color.map((channel) => num(Math.min(1, Math.max(0, channel)))).join(' ')
}

function num(value: number): string {
  return Number(value.toFixed(2)).toString()
}

/** `#RRGGBB` → PDF colour (falls back to a neutral dark grey for anything else). */
export function hexColor(hex: string): Rgb {
  const match = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex)
  if (!match) return [0.2, 0.2, 0.2]
  return [
    Number.parseInt(match[1], 16) / 255,
    Number.parseInt(match[2], 16) / 255,
    Number.parseInt(match[3], 16) / 255
  ]
}
