/**
 * Interned cell values of one column of a FOCUS export: each distinct value is
 * decoded once and gets a small number (0 stands for an empty or NULL cell),
 * found again from the bytes of a CSV field by a hash and a byte comparison,
 * so rows that repeat a currency, provider or tag set cost no decoding.
 */
import type { FieldView } from './csv-stream.js'
import { copyBytes } from './csv-stream.js'
import { doubledTable } from './focus-groups.js'
import { isNullBytes, isNullText } from './focus-values.js'

interface Entry {
  bytes: Uint8Array
  /** 1 when the bytes hold doubled quotes to unescape */
  doubled?: number
  id: number
}

export class ColumnValues {
  readonly values: (string | null)[] = [null]
  private readonly byText = new Map<string, number>()
  /**
   * An open-addressing table from a field's hash to its entry (slot holds the
   * entry's index + 1): a Map keyed by numbers slows down past some thousand
   * values, and columns such as ResourceId have tens of thousands.
   */
  private slots = new Int32Array(1024)
  private hashes = new Int32Array(1024)
  private readonly entries: Entry[] = []
  /** the previous row's entry: columns such as the currency rarely change from row to row */
  private last: Entry = { bytes: new Uint8Array(0), doubled: 0, id: 0 }

  fromBytes(view: FieldView, column: number): number {
    const bytes = view.bytes
    const start = view.start[column]
    const end = view.end[column]
    const length = end - start
    const doubled = view.doubled[column]
    const last = this.last
    if (last.bytes.length === length && last.doubled === doubled && equalBytes(last.bytes, bytes, start)) return last.id
    if (isNullBytes(bytes, start, end)) return 0
    let hash = 0x811c9dc5 ^ doubled
    for (let at = start; at < end; at++) hash = Math.imul(hash ^ bytes[at], 0x01000193)
    const mask = this.slots.length - 1
    let slot = hash & mask
    for (let index = this.slots[slot]; index !== 0; slot = (slot + 1) & mask, index = this.slots[slot]) {
      if (this.hashes[slot] !== hash) continue
      const candidate = this.entries[index - 1]
      if (candidate.bytes.length === length && candidate.doubled === doubled && equalBytes(candidate.bytes, bytes, start)) {
        this.last = candidate
        return candidate.id
      }
    }
    const entry: Entry = { bytes: copyBytes(bytes, start, end), doubled, id: this.fromText(view.text(column)) }
    this.entries.push(entry)
    this.slots[slot] = this.entries.length
    this.hashes[slot] = hash
    if (this.entries.length * 2 > this.slots.length) this.grow()
    this.last = entry
    return entry.id
  }

  private grow(): void {
    ;({ table: this.slots, hashes: this.hashes } = doubledTable(this.slots, this.hashes))
  }

  fromText(text: string | null): number {
    if (text === null || isNullText(text)) return 0
    let id = this.byText.get(text)
    if (id === undefined) {
      id = this.values.length
      this.values.push(text)
      this.byText.set(text, id)
    }
    return id
  }
}

function equalBytes(known: Uint8Array, bytes: Uint8Array, start: number): boolean {
  for (let at = 0; at < known.length; at++) if (known[at] !== bytes[start + at]) return false
  return true
}

