/**
 * Image references as registries and the Docker engine read them (the
 * distribution reference grammar): [host[:port]/]path[:tag][@digest], with a
 * lowercase path of alphanumeric components joined by . _ __ or dashes.
 */

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])'
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?`
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*'
const TAG = '[\\w][\\w.-]{0,127}'
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}'
const REFERENCE = new RegExp(`^(?:(${DOMAIN})/)?(${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)(?::(${TAG}))?(?:@(${DIGEST}))?$`)
const MAX_NAME = 255
/** Longer than any valid reference (255 name + 128 tag + a long digest): not worth matching. */
const MAX_REFERENCE = 1024

/** Why a value is not an image reference, as the end of "must be ..."; undefined when it is one. */
export function imageReferenceProblem(value: string): string | undefined {
  if (value.length > MAX_REFERENCE) return `at most ${MAX_REFERENCE} characters`
  const bad = /[^\x21-\x7e]|[`'"\\$;|&<>(){}*?!]/.exec(value)
  if (bad) return `an image reference such as registry.example/users:1.4.2, without ${describeCharacter(bad[0])} (at character ${bad.index + 1})`
  const match = REFERENCE.exec(value)
  if (!match) {
    if (REFERENCE.test(value.toLowerCase())) return 'an image reference with a lowercase repository name, such as registry.example/users:1.4.2'
    return 'an image reference such as registry.example/users:1.4.2 ([registry/]repository[:tag][@sha256:digest])'
  }
  const name = `${match[1] ? `${match[1]}/` : ''}${match[2]}`
  if (name.length > MAX_NAME) return `an image reference whose name is at most ${MAX_NAME} characters`
  return undefined
}

function describeCharacter(char: string): string {
  if (char === ' ') return 'spaces'
  if (char === '\t' || char === '\n' || char === '\r') return 'whitespace'
  if (char === '\uFFFD') return 'bytes that are not valid UTF-8'
  const code = char.codePointAt(0)!
  if (code < 0x20 || code === 0x7f) return `the control character U+${code.toString(16).toUpperCase().padStart(4, '0')}`
  if (code > 0x7e) return `the non-ASCII character "${char}"`
  return `"${char}"`
}
