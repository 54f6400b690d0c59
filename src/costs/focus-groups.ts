/**
 * Exact sums per group, for a million rows and hundreds of thousands of
 * groups (ResourceId by day) without a Map or an object per group: a group is
 * its key parts (small integers) found in an open-addressing table, and its
 * sums live in flat typed arrays. Amounts are nanos; each metric's sum is a
 * Number kept exact (below 2^53) plus a bigint for what spills over.
 */

/** A fast-path row adds below 1e15 nanos: spill the Number part into the bigint well before 2^53. */
const SPILL = 4e15

export class GroupSums {
  private capacity = 256
  private table = new Int32Array(512)
  private hashes = new Int32Array(512)
  private keys: Int32Array
  private lo: Float64Array
  private nullRows: Float64Array
  private rowCount = new Float64Array(256)
  private first = new Int32Array(256)
  private last = new Int32Array(256)
  /** group × metric -> the spilled part, for the few sums that need it */
  private readonly hi = new Map<number, bigint>()
  count = 0
  private previous = -1

  constructor(readonly width: number, readonly metrics: number) {
    this.keys = new Int32Array(256 * width)
    this.lo = new Float64Array(256 * metrics)
    this.nullRows = new Float64Array(256 * metrics)
  }

  /** The group of these key parts, created when new. */
  group(parts: number[]): number {
    const width = this.width
    // Rows often repeat the previous row's group (sorted exports, the currency and month tables).
    const previous = this.previous
    if (previous >= 0) {
      let same = true
      for (let i = 0; i < width; i++) {
        if (this.keys[previous * width + i] !== parts[i]) { same = false; break }
      }
      if (same) return previous
    }
    let hash = 0x811c9dc5
    for (let i = 0; i < width; i++) hash = Math.imul(hash ^ parts[i], 0x01000193) ^ (hash >>> 15)
    const mask = this.table.length - 1
    let slot = hash & mask
    for (let index = this.table[slot]; index !== 0; slot = (slot + 1) & mask, index = this.table[slot]) {
      if (this.hashes[slot] !== hash) continue
      const group = index - 1
      let same = true
      for (let i = 0; i < width; i++) {
        if (this.keys[group * width + i] !== parts[i]) { same = false; break }
      }
      if (same) return (this.previous = group)
    }
    const group = this.count++
    if (group === this.capacity) this.growArrays()
    for (let i = 0; i < width; i++) this.keys[group * width + i] = parts[i]
    this.first[group] = 0x7fffffff
    this.last[group] = -1
    this.table[slot] = group + 1
    this.hashes[slot] = hash
    if (this.count * 2 > this.table.length) this.growTable()
    return (this.previous = group)
  }

  add(group: number, metric: number, nanos: number): void {
    const at = group * this.metrics + metric
    const lo = this.lo[at] + nanos
    if (lo > SPILL || lo < -SPILL) {
      this.addBig(group, metric, BigInt(lo))
      this.lo[at] = 0
    } else this.lo[at] = lo
  }

  addBig(group: number, metric: number, nanos: bigint): void {
    const at = group * this.metrics + metric
    this.hi.set(at, (this.hi.get(at) ?? 0n) + nanos)
  }

  addNulls(group: number, metric: number, rows: number): void {
    this.nullRows[group * this.metrics + metric] += rows
  }

  addRows(group: number, rows: number, day: number): void {
    this.rowCount[group] += rows
    if (day < this.first[group]) this.first[group] = day
    if (day > this.last[group]) this.last[group] = day
  }

  part(group: number, index: number): number {
    return this.keys[group * this.width + index]
  }

  nanos(group: number, metric: number): bigint {
    const at = group * this.metrics + metric
    return (this.hi.get(at) ?? 0n) + BigInt(this.lo[at])
  }

  nulls(group: number, metric: number): number {
    return this.nullRows[group * this.metrics + metric]
  }

  rows(group: number): number {
    return this.rowCount[group]
  }

  firstDay(group: number): number {
    return this.first[group]
  }

  lastDay(group: number): number {
    return this.last[group]
  }

  private growArrays(): void {
    const grow = <T extends Int32Array | Float64Array>(array: T, size: number): T => {
      const larger = new (array.constructor as new (length: number) => T)(size)
      larger.set(array)
      return larger
    }
    this.capacity *= 2
    this.keys = grow(this.keys, this.capacity * this.width)
    this.lo = grow(this.lo, this.capacity * this.metrics)
    this.nullRows = grow(this.nullRows, this.capacity * this.metrics)
    this.rowCount = grow(this.rowCount, this.capacity)
    this.first = grow(this.first, this.capacity)
    this.last = grow(this.last, this.capacity)
  }

  private growTable(): void {
    ;({ table: this.table, hashes: this.hashes } = doubledTable(this.table, this.hashes))
  }
}

/**
 * An open-addressing table of (slot -> index + 1, hash) twice the size, for a
 * table that is half full: kept at most half full, probes stay short.
 */
export function doubledTable(table: Int32Array, hashes: Int32Array): { table: Int32Array<ArrayBuffer>; hashes: Int32Array<ArrayBuffer> } {
  const larger = new Int32Array(table.length * 2)
  const largerHashes = new Int32Array(table.length * 2)
  const mask = larger.length - 1
  for (let old = 0; old < table.length; old++) {
    if (table[old] === 0) continue
    let slot = hashes[old] & mask
    while (larger[slot] !== 0) slot = (slot + 1) & mask
    larger[slot] = table[old]
    largerHashes[slot] = hashes[old]
  }
  return { table: larger, hashes: largerHashes }
}
