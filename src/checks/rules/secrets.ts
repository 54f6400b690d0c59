/** Rules over plaintext credentials in the project's own files (SEC-*). */
import { defineRule, type Hit, type Rule } from '../types.js'
import { looksLikeCredentialName, looksLikeCredentialValue, looksLikeReference, looksLikeSecretName, redact, TOKEN_FORMATS, TOKEN_HINT } from './secret-patterns.js'

/** name = "value", "name": "value", name: 'value', name := `value` */
const ASSIGNMENT = /["']?([A-Za-z_][A-Za-z0-9_.-]*)["']?\s*(?:=|:|:=|=>)\s*(["'`])([^"'`\s]{4,})\2/g

export const secretRules: Rule[] = [
  defineRule({
    id: 'SEC-001', pack: 'secrets', severity: 'high', reads: ['envFile'],
    title: 'Credentials in a committed .env file',
    rationale: 'A .env file in the repository publishes its values to everyone who can clone it, and they stay in the history after the file is deleted.',
    remediation: 'Add .env to .gitignore, commit a `.env.example` with empty values instead, rotate the exposed credentials, and remove the file from history.',
    references: [],
    check({ lines }) {
      const hits: Hit[] = []
      lines.forEach((line, index) => {
        const assignment = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line)
        if (!assignment) return
        const value = assignment[2].replace(/\s+#.*$/, '').trim().replace(/^(["'])(.*)\1$/, '$2')
        if (!looksLikeSecretName(assignment[1]) || looksLikeReference(value)) return
        hits.push({ line: index + 1, message: `${assignment[1]} has a value (${redact(value)}) in a file that is not ignored by git.` })
      })
      return hits
    },
  }),
  defineRule({
    id: 'SEC-002', pack: 'secrets', severity: 'critical', reads: ['sourceFile', 'envFile'],
    title: 'Access key or token in a file',
    rationale: 'A string with the shape of a cloud key, private key or API token is almost always a live credential; pushed to a repository, it is found by scanners within minutes.',
    remediation: 'Remove it, rotate the credential now (assume it is compromised), and load it at run time from the environment or a secret store.',
    references: [],
    check({ lines }) {
      const hits: Hit[] = []
      lines.forEach((line, index) => {
        if (!TOKEN_HINT.test(line)) return
        for (const format of TOKEN_FORMATS) {
          const match = format.pattern.exec(line)
          if (!match) continue
          if (format.name === 'a password in a connection URL' && /:\/\/[^:]+:(\$|\{|<|\*+@|password@|pass@)/i.test(match[0])) continue
          hits.push({ line: index + 1, column: match.index + 1, message: `Line looks like ${format.name} (${redact(match[0])}).` })
          break
        }
      })
      return hits
    },
  }),
  defineRule({
    id: 'SEC-003', pack: 'secrets', severity: 'high', reads: ['sourceFile'],
    title: 'Password or secret assigned a literal in source',
    rationale: 'A credential written in source code ships with every copy of the code and every image built from it, and cannot be rotated without a release.',
    remediation: 'Read it from the environment (`process.env.DB_PASSWORD`, `os.environ["DB_PASSWORD"]`) and declare the name under `secrets:` in strato.yaml.',
    references: [],
    check({ lines, structured }) {
      if (structured) return []
      const hits: Hit[] = []
      lines.forEach((line, index) => {
        for (const match of line.matchAll(ASSIGNMENT)) {
          const name = match[1].split('.').at(-1)!
          if (!looksLikeCredentialName(name) || !looksLikeCredentialValue(match[3], name)) continue
          hits.push({ line: index + 1, column: (match.index ?? 0) + 1, message: `${name} is assigned a literal (${redact(match[3])}).` })
          break
        }
      })
      return hits
    },
  }),
]
