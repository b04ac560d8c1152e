// Reads a PDF with unpdf (Mozilla's pdf.js, bundled without native parts), a parser independent of
// test/support/pdf-inspect.ts, so the PDF tests do not only check the documents with code written alongside
// the renderer.
import { extractText, getDocumentProxy } from 'unpdf'

export interface ParsedPdf {
  pageCount: number
  /** The text of every page as pdf.js extracts it, pages joined by new lines. */
  text: string
}

export async function parsePdf(pdf: Buffer): Promise<ParsedPdf> {
  // pdf.js takes ownership of (and detaches) the array it is given: a copy keeps the caller's buffer.
  const document = await getDocumentProxy(new Uint8Array(pdf))
  const { totalPages, text } = await extractText(document, { mergePages: true })
  return { pageCount: totalPages, text }
}
