/**
 * A streaming CSV parser (RFC 4180: quoted fields with embedded commas,
 * doubled quotes and line breaks; LF or CRLF line ends). Text is pushed in
 * chunks, so a file of any size is read in constant memory; each record comes
 * with the physical line it starts on, so problems can name it.
 *
 * Speed matters (exports run to millions of lines): unquoted fields are found
 * with indexOf rather than a character loop, and fields the caller does not
 * keep are never copied out of the buffer.
 */

export interface CsvSink {
  /** one record: its fields (undefined where not kept) and the line it starts on */
  record(fields: (string | undefined)[], line: number): void
  /** a record that cannot be parsed, e.g. text after a closing quote or a quote never closed */
  malformed(line: number, reason: string): void
}

const QUOTE = 34
const COMMA = 44
const CR = 13
const LF = 10

export class CsvStreamParser {
  /** fields to copy out, by index; undefined keeps all (the header always keeps all) */
  keep: boolean[] | undefined
  private rest = ''
  private line = 1
  private nextComma = -1
  private nextNewline = -1

  constructor(private readonly sink: CsvSink) {}

  push(chunk: string): void {
    this.parse(this.rest.length > 0 ? this.rest + chunk : chunk, false)
  }

  end(): void {
    if (this.rest.length > 0) this.parse(this.rest, true)
    this.rest = ''
  }

  private parse(buffer: string, final: boolean): void {
    this.nextComma = -1
    this.nextNewline = -1
    let start = 0
    while (start < buffer.length) {
      const next = this.record(buffer, start, final)
      if (next < 0) break
      start = next
    }
    this.rest = start < buffer.length ? buffer.slice(start) : ''
  }

  /** Parses one record at `start`; returns where the next begins, or -1 when the buffer ends first. */
  private record(buffer: string, start: number, final: boolean): number {
    const keep = this.keep
    const fields: (string | undefined)[] = []
    let lines = 1
    let pos = start
    for (;;) {
      const index = fields.length
      if (buffer.charCodeAt(pos) === QUOTE) {
        let value = ''
        let from = pos + 1
        for (;;) {
          const quote = buffer.indexOf('"', from)
          if (quote < 0 || (quote + 1 >= buffer.length && !final)) {
            if (!final) return -1
            this.sink.malformed(this.line, 'a quoted field is never closed')
            this.line += lines + countNewlines(buffer, start, buffer.length)
            return buffer.length
          }
          if (buffer.charCodeAt(quote + 1) === QUOTE) {
            value += buffer.slice(from, quote + 1)
            from = quote + 2
            continue
          }
          value += buffer.slice(from, quote)
          pos = quote + 1
          break
        }
        lines += countNewlines(value, 0, value.length)
        fields.push(keep === undefined || keep[index] ? value : undefined)
        const after = buffer.charCodeAt(pos)
        if (after === COMMA) { pos++; continue }
        if (after === LF) { pos++; break }
        if (after === CR && buffer.charCodeAt(pos + 1) === LF) { pos += 2; break }
        if (pos >= buffer.length) {
          if (!final) return -1
          break
        }
        if (after === CR && pos + 1 >= buffer.length && !final) return -1
        // Text after a closing quote: report the record, skip to its end.
        const newline = buffer.indexOf('\n', pos)
        if (newline < 0 && !final) return -1
        this.sink.malformed(this.line, `unexpected text after a closing quote in field ${index + 1}`)
        this.line += lines
        return newline < 0 ? buffer.length : newline + 1
      }

      if (this.nextComma < pos && this.nextComma !== -2) {
        this.nextComma = buffer.indexOf(',', pos)
        if (this.nextComma < 0) this.nextComma = -2 // none left in this buffer
      }
      if (this.nextNewline < pos && this.nextNewline !== -2) {
        this.nextNewline = buffer.indexOf('\n', pos)
        if (this.nextNewline < 0) this.nextNewline = -2
      }
      const comma = this.nextComma
      const newline = this.nextNewline
      if (comma >= 0 && (newline < 0 || comma < newline)) {
        fields.push(keep === undefined || keep[index] ? buffer.slice(pos, comma) : undefined)
        pos = comma + 1
        continue
      }
      if (newline < 0) {
        if (!final) return -1
        fields.push(keep === undefined || keep[index] ? trimCr(buffer.slice(pos)) : undefined)
        pos = buffer.length
        break
      }
      const end = newline > pos && buffer.charCodeAt(newline - 1) === CR ? newline - 1 : newline
      fields.push(keep === undefined || keep[index] ? buffer.slice(pos, end) : undefined)
      pos = newline + 1
      break
    }
    const line = this.line
    this.line += lines
    // A blank line is no record.
    if (!(fields.length === 1 && (fields[0] === '' || (fields[0] === undefined && pos - start <= 2)))) this.sink.record(fields, line)
    return pos
  }
}

function trimCr(text: string): string {
  return text.charCodeAt(text.length - 1) === CR ? text.slice(0, -1) : text
}

function countNewlines(text: string, from: number, to: number): number {
  let count = 0
  for (let at = text.indexOf('\n', from); at >= 0 && at < to; at = text.indexOf('\n', at + 1)) count++
  return count
}

/** Feeds a stream of chunks (bytes decoded as UTF-8, or text) through a parser, then ends it. */
export async function feedCsv(parser: CsvStreamParser, chunks: AsyncIterable<string | Buffer>): Promise<void> {
  const decoder = new TextDecoder('utf-8')
  let first = true
  for await (const chunk of chunks) {
    let text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true })
    // A byte-order mark is not part of the first column's name.
    if (first && text.charCodeAt(0) === 0xfeff) text = text.slice(1)
    first = false
    parser.push(text)
  }
  const tail = decoder.decode()
  if (tail) parser.push(tail)
  parser.end()
}
