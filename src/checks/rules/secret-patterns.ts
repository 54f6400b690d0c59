/** How credentials look: names that hold them, token formats, and values that only point at them. */

/** DB_PASSWORD, JWT_SECRET, API_KEY, GITHUB_TOKEN, aws_secret_access_key... but not *_FILE or *_PATH pointers. */
export function looksLikeSecretName(name: string): boolean {
  if (/(_FILE|_PATH|_DIR|_URL_FILE|_LENGTH|_MIN_LENGTH|_POLICY|_ENABLED|_HEADER|_NAME|_ID)$/i.test(name)) return false
  return /(pass(word|wd)?|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credentials?|auth[_-]?key)$/i.test(name)
    || /^(pass(word)?|secret|token)$/i.test(name)
}

/** Values that name a secret rather than being one: ${VAR}, $VAR, {{ var }}, <placeholder>, empty. */
export function looksLikeReference(value: string): boolean {
  const trimmed = value.trim()
  return trimmed === ''
    || /^\$\{?[A-Za-z_][A-Za-z0-9_]*(:?[-?][^}]*)?\}?$/.test(trimmed) && !/:-[^}]+\}$/.test(trimmed)
    || /^\{\{.*\}\}$/.test(trimmed)
    || /^<[^>]+>$/.test(trimmed)
    || /^(\*+|x+|\.\.\.|null|none|undefined)$/i.test(trimmed)
    // switches such as MYSQL_RANDOM_ROOT_PASSWORD=yes name a behaviour, not a password
    || /^(true|false|yes|no|on|off|y|n|0|1)$/i.test(trimmed)
}

/** Shows enough of a value to find it, never the value: "s3cr****" */
export function redact(value: string): string {
  if (value.length <= 4) return '****'
  return `${value.slice(0, Math.min(4, Math.floor(value.length / 3)))}****`
}

/** Token formats with a known shape: a match is a credential whatever the variable is called. */
export const TOKEN_FORMATS: { name: string; pattern: RegExp }[] = [
  { name: 'an AWS access key id', pattern: /\b(AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { name: 'a private key', pattern: /-----BEGIN (RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY( BLOCK)?-----/ },
  { name: 'a GitHub token', pattern: /\b(ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}\b|\bgithub_pat_[A-Za-z0-9_]{40,}\b/ },
  { name: 'a Slack token', pattern: /\bxox[abprs]-[A-Za-z0-9-]{10,}\b/ },
  { name: 'a Google API key', pattern: /\bAIza[0-9A-Za-z_-]{35}\b/ },
  { name: 'a Stripe secret key', pattern: /\b(sk|rk)_live_[0-9A-Za-z]{16,}\b/ },
  { name: 'a password in a connection URL', pattern: /\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@'"]+:[^\s@'"$/{}<>]{3,}@[^\s'"]+/i },
]

/** A cheap test every token format's match passes: most lines fail it, so the formats run on few lines. */
export const TOKEN_HINT = /AKIA|ASIA|PRIVATE KEY|gh[pousr]_|github_pat_|xox[abprs]-|AIza|_live_|:\/\//

/** Names that hold a credential in code: dbPassword, DB_PASSWORD, client_secret, apiKey, authToken (not nextToken or input_token). */
export function looksLikeCredentialName(name: string): boolean {
  const snake = name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase()
  return /(^|[_-])(password|passwd|pwd|passphrase|secret|secret_?key|api_?key|access_?key|private_?key|client_?secret|auth_?token|access_?token|bearer_?token|refresh_?token)$/.test(snake)
}

/**
 * Whether a string literal assigned to a credential name is plausibly the credential itself, rather
 * than the name of an environment variable (DB_PASSWORD), a key in a config tree (db.password),
 * an API field (NextToken), a path, a URL or a template.
 */
export function looksLikeCredentialValue(value: string, name: string): boolean {
  if (value.length < 6 || looksLikeReference(value)) return false
  // the conventional stand-ins tests and emulators use
  if (/^(testing|test|dummy|fake|example|placeholder|sample|redacted|not-?a-?secret|x{3,})$/i.test(value)) return false
  if (/^[A-Z][A-Z0-9_]*$/.test(value)) return false
  if (/^[a-z]+([A-Z][a-z0-9]*)+$|^([A-Z][a-z0-9]+){2,}$/.test(value)) return false
  if (/^[\w-]+(\.[\w-]+)+$/.test(value) && !/\d/.test(value.replace(/\.[\w-]+$/, ''))) return false
  if (/^(\.{0,2}\/|~\/|[a-z][a-z0-9+.-]*:\/\/)/i.test(value) || /[{}$%<>]/.test(value)) return false
  return value.toLowerCase() !== name.toLowerCase()
}
