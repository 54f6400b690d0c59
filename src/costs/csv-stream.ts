/**
 * A streaming CSV scanner (RFC 4180: quoted fields with embedded commas,
 * doubled quotes and line breaks; LF or CRLF line ends) that works on bytes.
 * Chunks are pushed as they are read, so a file of any size is scanned in
 * constant memory; each record comes with the physical line it starts on.
 *
 * Speed matters (exports run to millions of lines), so the scanner does not
 * decode text: it reports each record as field boundaries in the chunk, and
 * the caller decodes only the fields it reads (FieldView.text) or reads bytes
 * directly. A FieldView is only valid during the callback.
 */

const QUOTE = 34
const COMMA = 44
const CR = 13
const LF = 10

export class FieldView {
  bytes: Uint8Array = new Uint8Array(0)
  count = 0
  start = new Int32Array(64)
  end = new Int32Array(64)
  /** 1 when the field was quoted and holds doubled quotes to unescape */
  doubled = new Uint8Array(64)
  private readonly decoder = new TextDecoder('utf-8')

  /** The field's text, unescaped. */
  text(index: number): string {
    const raw = this.decoder.decode(this.bytes.subarray(this.start[index], this.end[index]))
    return this.doubled[index] ? raw.replaceAll('""', '"') : raw
  }

  /** Every field's text (for headers and small files). */
  texts(): string[] {
    return Array.from({ length: this.count }, (_, index) => this.text(index))
  }

  push(start: number, end: number, doubled: boolean): void {
    if (this.count === this.start.length) this.grow()
    this.start[this.count] = start
    this.end[this.count] = end
    this.doubled[this.count] = doubled ? 1 : 0
    this.count++
  }

  private grow(): void {
    const size = this.start.length * 2
    const start = new Int32Array(size); start.set(this.start); this.start = start
    const end = new Int32Array(size); end.set(this.end); this.end = end
    const doubled = new Uint8Array(size); doubled.set(this.doubled); this.doubled = doubled
  }
}

export interface CsvSink {
  /** one record; the view is reused for the next one */
  record(fields: FieldView, line: number): void
  /** a record that cannot be parsed: text after a closing quote, or a quote never closed */
  malformed(line: number, reason: string): void
}

export class CsvStreamParser {
  private rest: Uint8Array | undefined
  private line = 1
  private readonly view = new FieldView()
  private first = true

  constructor(private readonly sink: CsvSink) {}

  /** Adds a chunk; the unfinished record at its end is copied and kept for the next one. */
  push(chunk: Uint8Array): void {
    let buffer = chunk
    if (this.rest) {
      const joined = new Uint8Array(this.rest.length + chunk.length)
      joined.set(this.rest)
      joined.set(chunk, this.rest.length)
      buffer = joined
    }
    const used = this.consume(buffer, false)
    this.rest = used < buffer.length ? copyBytes(buffer, used, buffer.length) : undefined
  }

  end(): void {
    if (this.rest) this.consume(this.rest, true)
    this.rest = undefined
  }

  /**
   * Scans the complete records at the start of `buffer` and returns how many
   * bytes they took; the caller keeps the rest and passes it again, followed
   * by more data (or with final set, at the end of the input). For readers
   * that manage their own buffer; push() does this for streams.
   */
  consume(buffer: Uint8Array, final: boolean): number {
    let start = 0
    if (this.first) {
      if (buffer.length < 3 && !final) return 0
      this.first = false
      // A UTF-8 byte-order mark is not part of the first column's name.
      if (buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf) start = 3
    }
    while (start < buffer.length) {
      const next = this.record(buffer, start, final)
      if (next < 0) break
      start = next
    }
    return start
  }

  /** Scans one record at `start`; returns where the next begins, or -1 when the buffer ends first. */
  private record(buffer: Uint8Array, start: number, final: boolean): number {
    const view = this.view
    const length = buffer.length
    view.bytes = buffer
    view.count = 0
    let lines = 1
    let pos = start
    for (;;) {
      if (buffer[pos] === QUOTE) {
        const open = pos + 1
        let quote = open
        let doubled = false
        // A byte loop rather than indexOf: fields are short, and a native call per quote costs more.
        for (;;) {
          while (quote < length) {
            const c = buffer[quote]
            if (c === QUOTE) break
            if (c === LF) lines++
            quote++
          }
          if (quote >= length || (quote + 1 >= length && !final)) {
            if (!final) return -1
            this.sink.malformed(this.line, 'a quoted field is never closed')
            this.line += countNewlines(buffer, start, length) + 1
            return length
          }
          if (buffer[quote + 1] === QUOTE) {
            doubled = true
            quote += 2
            continue
          }
          break
        }
        view.push(open, quote, doubled)
        pos = quote + 1
        const after = buffer[pos]
        if (after === COMMA) { pos++; continue }
        if (after === LF) { pos++; break }
        if (after === CR && buffer[pos + 1] === LF) { pos += 2; break }
        if (pos >= length) {
          if (!final) return -1
          break
        }
        if (after === CR && pos + 1 >= length && !final) return -1
        // Text after a closing quote: report the record and skip to its end.
        const end = buffer.indexOf(LF, pos)
        if (end < 0 && !final) return -1
        this.sink.malformed(this.line, `unexpected text after a closing quote in field ${view.count}`)
        this.line += lines
        return end < 0 ? length : end + 1
      }
      const fieldStart = pos
      let c = 0
      while (pos < length) {
        c = buffer[pos]
        // Most bytes of a field (digits, letters, '-', '.', ':') sort above the comma: one test for them.
        if (c > COMMA || (c !== COMMA && c !== LF)) {
          pos++
          continue
        }
        break
      }
      if (pos >= length) {
        if (!final) return -1
        view.push(fieldStart, buffer[length - 1] === CR ? length - 1 : length, false)
        break
      }
      if (c === COMMA) {
        view.push(fieldStart, pos, false)
        pos++
        continue
      }
      view.push(fieldStart, pos > fieldStart && buffer[pos - 1] === CR ? pos - 1 : pos, false)
      pos++
      break
    }
    const line = this.line
    this.line += lines
    // A blank line is no record.
    if (!(view.count === 1 && view.end[0] === view.start[0])) this.sink.record(view, line)
    return pos
  }
}

/** A copy of some bytes (Buffer's slice would share memory, and chunks are reused). */
export function copyBytes(buffer: Uint8Array, start: number, end: number): Uint8Array {
  const copy = new Uint8Array(end - start)
  copy.set(buffer.subarray(start, end))
  return copy
}

function countNewlines(buffer: Uint8Array, from: number, to: number): number {
  let count = 0
  for (let at = buffer.indexOf(LF, from); at >= 0 && at < to; at = buffer.indexOf(LF, at + 1)) count++
  return count
}

/** Feeds a stream of byte chunks through a parser, then ends it. */
export async function feedCsv(parser: CsvStreamParser, chunks: AsyncIterable<Uint8Array>): Promise<void> {
  for await (const chunk of chunks) parser.push(chunk)
  parser.end()
}
