/**
 * Release history kept where Azure lets strato keep it: tags on each
 * service's scale set, `strato.release.<n>` holding a compact JSON record of
 * that release for that service. Azure allows 50 tags of 256 characters, so
 * the history is bounded: the newest KEPT_RELEASES records stay. Pure.
 */

export const RELEASE_TAG = 'strato.release.'
export const KEPT_RELEASES = 10
/** Azure's longest tag value */
export const MAX_TAG_VALUE = 256

/** One service's part of one release. */
export interface ServiceRelease {
  number: number
  /** ISO time */
  at: string
  by: string
  /** deploy, or "rollback to N" */
  kind: string
  version: string
  /** the image it ran; empty when too long to keep in a tag */
  image: string
  replicas: number
}

interface Stored { at: string; by: string; k: string; v: string; i: string; r: number }

/** The tag value of a record: the image or the author is shortened away only when the record would not fit. */
export function encodeRelease(release: ServiceRelease): string {
  const stored: Stored = { at: release.at, by: release.by, k: release.kind, v: release.version, i: release.image, r: release.replicas }
  let text = JSON.stringify(stored)
  if (text.length > MAX_TAG_VALUE) text = JSON.stringify({ ...stored, by: release.by.slice(0, 32) })
  if (text.length > MAX_TAG_VALUE) text = JSON.stringify({ ...stored, by: release.by.slice(0, 32), i: '' })
  return text
}

export function readReleases(tags: Record<string, string> | undefined): ServiceRelease[] {
  const releases: ServiceRelease[] = []
  for (const [key, value] of Object.entries(tags ?? {})) {
    if (!key.startsWith(RELEASE_TAG)) continue
    const number = Number(key.slice(RELEASE_TAG.length))
    if (!Number.isInteger(number) || number < 1) continue
    try {
      const stored = JSON.parse(value) as Partial<Stored>
      if (typeof stored.v !== 'string') continue
      releases.push({ number, at: String(stored.at ?? ''), by: String(stored.by ?? ''), kind: String(stored.k ?? 'deploy'), version: stored.v, image: String(stored.i ?? ''), replicas: Number(stored.r ?? 0) })
    } catch {
      // a tag edited by hand is skipped rather than failing the whole history
    }
  }
  return releases.sort((a, b) => a.number - b.number)
}

/** The tags with one more release, dropping the oldest beyond KEPT_RELEASES. */
export function withRelease(tags: Record<string, string>, release: ServiceRelease): Record<string, string> {
  const next = { ...tags, [`${RELEASE_TAG}${release.number}`]: encodeRelease(release) }
  const numbers = readReleases(next).map((entry) => entry.number)
  for (const old of numbers.slice(0, Math.max(0, numbers.length - KEPT_RELEASES))) delete next[`${RELEASE_TAG}${old}`]
  return next
}
