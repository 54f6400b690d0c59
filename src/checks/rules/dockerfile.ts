/** Rules over Dockerfiles (DKR-*). Each reads one parsed Dockerfile. */
import { commandText, envDeclarations, argDeclarations, finalStage, type Dockerfile, type Instruction, type Stage } from '../dockerfile-parser.js'
import { defineRule, type Hit, type Reference, type Rule } from '../types.js'
import { looksLikeSecretName, looksLikeReference, redact } from './secret-patterns.js'

const cisDocker = (id: string, title: string): Reference => ({ standard: 'CIS Docker Benchmark v1.6.0', id, title })

const runsCache = new WeakMap<Dockerfile, { instruction: Instruction; text: string }[]>()

/** Every RUN instruction in every stage, with the shell text it runs; computed once per file for all rules. */
function runs(dockerfile: Dockerfile): { instruction: Instruction; text: string }[] {
  let found = runsCache.get(dockerfile)
  if (!found) {
    found = dockerfile.instructions.filter((item) => item.keyword === 'RUN').map((instruction) => ({ instruction, text: commandText(instruction) }))
    runsCache.set(dockerfile, found)
  }
  return found
}

/** The shell commands of a RUN, split on && ; || | and newlines. */
function commands(text: string): string[] {
  return text.split(/&&|\|\||;|\n|\|/).map((part) => part.trim()).filter(Boolean)
}

function stageByName(dockerfile: Dockerfile, name: string, before: number): Stage | undefined {
  const lower = name.toLowerCase()
  return dockerfile.stages.slice(0, before).reverse().find((stage) => stage.alias === lower || String(stage.index) === lower)
}

/** The USER a stage ends with, following a base that is an earlier stage; undefined = never set (root). */
function effectiveUser(dockerfile: Dockerfile, stage: Stage): { user: string; instruction: Instruction } | undefined {
  const last = stage.instructions.filter((item) => item.keyword === 'USER').at(-1)
  if (last) return { user: last.args.trim(), instruction: last }
  const parent = stageByName(dockerfile, stage.base, stage.index)
  return parent ? effectiveUser(dockerfile, parent) : undefined
}

function hasInstruction(dockerfile: Dockerfile, stage: Stage, keyword: string): boolean {
  if (stage.instructions.some((item) => item.keyword === keyword)) return true
  const parent = stageByName(dockerfile, stage.base, stage.index)
  return parent ? hasInstruction(dockerfile, parent, keyword) : false
}

const isRoot = (user: string) => /^(root|0)(:.*)?$/.test(user)

export const dockerfileRules: Rule[] = [
  defineRule({
    id: 'DKR-001', pack: 'dockerfile', severity: 'high', reads: ['dockerfile'],
    title: 'Container runs as root',
    rationale: 'The final stage sets no USER, or sets root. A process running as root inside a container is root on the host if it escapes, and can change anything in the image at run time.',
    remediation: 'Create an unprivileged user and switch to it at the end of the final stage: `RUN useradd --system --uid 10001 app` then `USER 10001`.',
    references: [cisDocker('4.1', 'Ensure that a user for the container has been created')],
    check({ dockerfile }) {
      const stage = finalStage(dockerfile)
      if (!stage || stage.base === 'scratch' && stage.instructions.length === 0) return []
      const user = effectiveUser(dockerfile, stage)
      if (!user) return [{ line: stage.from.line, message: `The final stage (FROM ${stage.baseRaw}) never sets USER, so the container runs as root.` }]
      if (isRoot(user.user)) return [{ line: user.instruction.line, message: `The final stage ends with USER ${user.user}.` }]
      return []
    },
  }),
  defineRule({
    id: 'DKR-002', pack: 'dockerfile', severity: 'medium', reads: ['dockerfile'],
    title: 'Base image unpinned or latest',
    rationale: 'A base image without a tag, or tagged latest, changes under you: the same Dockerfile builds a different image tomorrow, and a bad upstream push reaches production unreviewed.',
    remediation: 'Pin every FROM to a version tag (node:24.11-bookworm-slim), or better to a digest (node@sha256:...).',
    references: [cisDocker('4.2', 'Ensure that containers use only trusted base images')],
    check({ dockerfile }) {
      const hits: Hit[] = []
      for (const stage of dockerfile.stages) {
        const base = stage.base
        // An empty base is an ARG without a default; {{ }} is a template placeholder: neither can be judged here.
        if (base === '' || base === 'scratch' || base.includes('{{') || stageByName(dockerfile, base, stage.index)) continue
        if (base.includes('@sha256:')) continue
        const lastSegment = base.split('/').at(-1)!
        const tag = lastSegment.includes(':') ? lastSegment.split(':').at(-1) : undefined
        if (tag === undefined) hits.push({ line: stage.from.line, message: `FROM ${base} has no tag, so it means latest.` })
        else if (tag === 'latest') hits.push({ line: stage.from.line, message: `FROM ${base} uses the latest tag.` })
      }
      return hits
    },
  }),
  defineRule({
    id: 'DKR-003', pack: 'dockerfile', severity: 'high', reads: ['dockerfile'],
    title: 'ADD downloads from a URL',
    rationale: 'ADD fetches a remote file at build time with no checksum check: whoever controls that URL, or the network path to it, controls what goes into the image.',
    remediation: 'Download with curl or wget in a RUN step and verify a pinned checksum (`echo "<sha256>  file" | sha256sum -c`), or use `ADD --checksum=sha256:...`.',
    references: [cisDocker('4.9', 'Ensure that COPY is used instead of ADD in Dockerfiles')],
    check({ dockerfile }) {
      return dockerfile.instructions
        .filter((item) => item.keyword === 'ADD' && !item.flags.checksum)
        .filter((item) => (item.json ?? item.args.split(/\s+/)).some((word) => /^(https?|ftp):\/\//i.test(word) || /^git@/.test(word)))
        .map((item) => ({ line: item.line, message: 'ADD fetches a remote URL without a checksum.' }))
    },
  }),
  defineRule({
    id: 'DKR-004', pack: 'dockerfile', severity: 'low', reads: ['dockerfile'],
    title: 'ADD used where COPY would do',
    rationale: 'ADD silently unpacks archives and can fetch URLs; COPY does only what it says, so a reviewer can tell what ends up in the image.',
    remediation: 'Use COPY for local files; keep ADD only where unpacking a local archive is the point, and say so with an inline `strato:ignore DKR-004 <reason>`.',
    references: [cisDocker('4.9', 'Ensure that COPY is used instead of ADD in Dockerfiles')],
    check({ dockerfile }) {
      return dockerfile.instructions
        .filter((item) => item.keyword === 'ADD')
        .filter((item) => !(item.json ?? item.args.split(/\s+/)).some((word) => /^(https?|ftp):\/\//i.test(word) || /^git@/.test(word)))
        .map((item) => ({ line: item.line, message: 'ADD copies local files; COPY is explicit.' }))
    },
  }),
  defineRule({
    id: 'DKR-005', pack: 'dockerfile', severity: 'critical', reads: ['dockerfile'],
    title: 'Secret in ENV or ARG',
    rationale: 'ENV values are stored in the image config and ARG values in its history: anyone who can pull the image can read them with `docker history` or `docker inspect`.',
    remediation: 'Pass secrets at run time (strato.yaml `secrets:`), or at build time with `RUN --mount=type=secret,id=NAME`; never as ENV or ARG values.',
    references: [cisDocker('4.10', 'Ensure secrets are not stored in Dockerfiles')],
    check({ dockerfile }) {
      const hits: Hit[] = []
      for (const item of dockerfile.instructions) {
        if (item.keyword !== 'ENV' && item.keyword !== 'ARG') continue
        const pairs = item.keyword === 'ENV' ? envDeclarations(item.args) : argDeclarations(item.args)
        for (const [name, value] of pairs) {
          if (!value || !looksLikeSecretName(name) || looksLikeReference(value)) continue
          hits.push({ line: item.line, message: `${item.keyword} ${name} holds a literal value (${redact(value)}).` })
        }
      }
      return hits
    },
  }),
  defineRule({
    id: 'DKR-006', pack: 'dockerfile', severity: 'low', reads: ['dockerfile'],
    title: 'No HEALTHCHECK in the final image',
    rationale: 'Without a health check the engine only knows whether the process runs, not whether it answers; a hung service keeps receiving traffic. strato gates rollouts on a health path, but plain `docker run` users get nothing.',
    remediation: 'Add `HEALTHCHECK CMD curl -fsS http://localhost:PORT/healthz || exit 1` (or a small script) to the final stage, or `HEALTHCHECK NONE` to say it is deliberate.',
    references: [cisDocker('4.6', 'Ensure that HEALTHCHECK instructions have been added to container images')],
    check({ dockerfile }) {
      const stage = finalStage(dockerfile)
      if (!stage || hasInstruction(dockerfile, stage, 'HEALTHCHECK')) return []
      return [{ line: stage.from.line, message: `The final stage (FROM ${stage.baseRaw}) has no HEALTHCHECK.` }]
    },
  }),
  defineRule({
    id: 'DKR-007', pack: 'dockerfile', severity: 'low', reads: ['dockerfile'],
    title: 'Package manager cache left in the image',
    rationale: 'Package indexes and download caches left in a layer make the image larger and carry stale metadata; removing them in a later layer does not shrink the earlier one.',
    remediation: 'Clean up in the same RUN: `apt-get install ... && rm -rf /var/lib/apt/lists/*`, `apk add --no-cache`, `pip install --no-cache-dir`, `yum clean all`.',
    references: [],
    check({ dockerfile }) {
      const hits: Hit[] = []
      // pip honours PIP_NO_CACHE_DIR set once with ENV for every later RUN
      const pipCacheOff = dockerfile.instructions.some((item) => item.keyword === 'ENV' && /\bPIP_NO_CACHE_DIR[=\s]+["']?(1|true|yes|on|off|0|false)\b/i.test(item.args))
      for (const { instruction, text } of runs(dockerfile)) {
        const cached = instruction.flags.mount?.includes('type=cache')
        if (cached) continue
        if (/\bapt(-get)?\s+(-\S+\s+)*install\b/.test(text) && !/\/var\/lib\/apt\/lists/.test(text)) {
          hits.push({ line: instruction.line, message: 'apt-get install without removing /var/lib/apt/lists in the same RUN.' })
        } else if (/\bapk\s+(-\S+\s+)*add\b/.test(text) && !/--no-cache\b/.test(text) && !/\/var\/cache\/apk/.test(text)) {
          hits.push({ line: instruction.line, message: 'apk add without --no-cache.' })
        } else if (/\bpip3?\s+(-\S+\s+)*install\b/.test(text) && !/--no-cache-dir\b/.test(text) && !/PIP_NO_CACHE_DIR/.test(text) && !pipCacheOff) {
          hits.push({ line: instruction.line, message: 'pip install without --no-cache-dir.' })
        } else if (/\b(yum|dnf)\s+(-\S+\s+)*install\b/.test(text) && !/\b(yum|dnf)\s+clean\s+all\b/.test(text)) {
          hits.push({ line: instruction.line, message: 'yum/dnf install without `clean all` in the same RUN.' })
        }
      }
      return hits
    },
  }),
  defineRule({
    id: 'DKR-008', pack: 'dockerfile', severity: 'low', reads: ['dockerfile'],
    title: 'Package index update in a RUN of its own',
    rationale: 'A RUN that only updates the package index is cached as a layer; later installs then use a stale index and can miss security fixes.',
    remediation: 'Update and install in the same RUN: `apt-get update && apt-get install -y --no-install-recommends PKG && rm -rf /var/lib/apt/lists/*`.',
    references: [cisDocker('4.7', 'Ensure update instructions are not used alone in Dockerfiles')],
    check({ dockerfile }) {
      const hits: Hit[] = []
      for (const { instruction, text } of runs(dockerfile)) {
        const updates = /\b(apt-get|apt|apk|yum|dnf|zypper)\s+(-\S+\s+)*(update|--update|refresh)\b/.test(text)
        const installs = /\b(install|add|upgrade|reinstall|source-install|groupinstall|localinstall)\b/.test(text)
        if (updates && !installs) hits.push({ line: instruction.line, message: 'This RUN updates the package index but installs nothing.' })
      }
      return hits
    },
  }),
  defineRule({
    id: 'DKR-009', pack: 'dockerfile', severity: 'high', reads: ['dockerfile'],
    title: 'Download piped into a shell',
    rationale: '`curl ... | sh` runs whatever the server returns, unreviewed and unverified, with the build\'s privileges; a compromised or spoofed server owns the image.',
    remediation: 'Download the script to a file, verify a pinned checksum, then run it; or install the tool from a package with a signature.',
    references: [],
    check({ dockerfile }) {
      return runs(dockerfile)
        .filter(({ text }) => /\b(curl|wget)\b[^|;&\n]*\|\s*(sudo\s+)?(-?\S*\/)?(sh|bash|zsh|ash|dash|ksh|python3?|perl|ruby|node)\b/.test(text))
        .map(({ instruction }) => ({ line: instruction.line, message: 'A download is piped straight into an interpreter.' }))
    },
  }),
  defineRule({
    id: 'DKR-010', pack: 'dockerfile', severity: 'medium', reads: ['dockerfile'],
    title: 'SSH port exposed',
    rationale: 'Exposing port 22 means an SSH daemon runs in the container: another way in, more keys to manage, and it bypasses the engine\'s own access control (`docker exec`).',
    remediation: 'Remove sshd and `EXPOSE 22`; use `docker exec`, or a bastion host, for debugging.',
    references: [cisDocker('5.6', 'Ensure sshd is not run within containers')],
    check({ dockerfile }) {
      return dockerfile.instructions
        .filter((item) => item.keyword === 'EXPOSE' && item.args.split(/\s+/).some((port) => /^22(\/tcp)?$/.test(port)))
        .map((item) => ({ line: item.line, message: 'EXPOSE 22 publishes an SSH port.' }))
    },
  }),
  defineRule({
    id: 'DKR-011', pack: 'dockerfile', severity: 'medium', reads: ['dockerfile'],
    title: 'sudo used in a RUN',
    rationale: 'sudo in an image means a privilege-escalation path is installed and configured; build steps run as root anyway, so it is not needed to build.',
    remediation: 'Run the privileged steps before `USER`, without sudo, and remove the sudo package.',
    references: [],
    check({ dockerfile }) {
      return runs(dockerfile)
        .filter(({ text }) => commands(text).some((command) => /^sudo\b/.test(command)) || /\ssudo\s/.test(text))
        .map(({ instruction }) => ({ line: instruction.line, message: 'RUN calls sudo.' }))
    },
  }),
  defineRule({
    id: 'DKR-012', pack: 'dockerfile', severity: 'high', reads: ['dockerfile'],
    title: 'TLS or signature verification turned off',
    rationale: 'Turning off certificate or package-signature checks lets anyone on the network path substitute what the build downloads or installs.',
    remediation: 'Keep verification on. Behind a TLS-inspecting proxy, add the proxy\'s CA to the image (COPY the bundle and run update-ca-certificates, or set NODE_EXTRA_CA_CERTS / PIP_CERT) instead.',
    references: [cisDocker('4.11', 'Ensure only verified packages are installed')],
    check({ dockerfile }) {
      const hits: Hit[] = []
      for (const item of dockerfile.instructions) {
        const text = item.keyword === 'RUN' ? commandText(item) : item.keyword === 'ENV' || item.keyword === 'ARG' ? item.args : ''
        if (!text) continue
        const reason = insecureTransport(text, item.keyword === 'RUN')
        if (reason) hits.push({ line: item.line, message: `${reason}.` })
      }
      return hits
    },
  }),
  defineRule({
    id: 'DKR-013', pack: 'dockerfile', severity: 'low', reads: ['dockerfile'],
    title: 'apt used instead of apt-get',
    rationale: 'apt is the interactive front end; its command-line interface is not stable and it warns so in scripts. apt-get is the scripting interface.',
    remediation: 'Use `apt-get` in Dockerfiles.',
    references: [],
    check({ dockerfile }) {
      return runs(dockerfile)
        .filter(({ text }) => commands(text).some((command) => /^(sudo\s+)?apt\s/.test(command) || / apt (install|update|upgrade|remove|purge|autoremove)\b/.test(` ${command}`)))
        .map(({ instruction }) => ({ line: instruction.line, message: 'RUN calls apt; use apt-get.' }))
    },
  }),
  defineRule({
    id: 'DKR-014', pack: 'dockerfile', severity: 'low', reads: ['dockerfile'],
    title: 'WORKDIR is a relative path',
    rationale: 'A relative WORKDIR depends on every WORKDIR before it, including the base image\'s; an upstream change moves where the application lands.',
    remediation: 'Use absolute paths: `WORKDIR /app`.',
    references: [],
    check({ dockerfile }) {
      return dockerfile.instructions
        .filter((item) => item.keyword === 'WORKDIR')
        .filter((item) => { const dir = item.args.trim().replace(/^["']/, ''); return !/^(\/|\$|[A-Za-z]:\\)/.test(dir) })
        .map((item) => ({ line: item.line, message: `WORKDIR ${item.args.trim()} is relative.` }))
    },
  }),
  defineRule({
    id: 'DKR-015', pack: 'dockerfile', severity: 'low', reads: ['dockerfile'],
    title: 'Two stages share a name',
    rationale: 'When two stages have the same alias, `COPY --from=name` and `--target name` silently pick one of them.',
    remediation: 'Give every stage a unique `AS name`.',
    references: [],
    check({ dockerfile }) {
      const seen = new Set<string>()
      const hits: Hit[] = []
      for (const stage of dockerfile.stages) {
        if (!stage.alias) continue
        if (seen.has(stage.alias)) hits.push({ line: stage.from.line, message: `Stage name "${stage.alias}" is used twice.` })
        seen.add(stage.alias)
      }
      return hits
    },
  }),
  defineRule({
    id: 'DKR-016', pack: 'dockerfile', severity: 'low', reads: ['dockerfile'],
    title: 'MAINTAINER is deprecated',
    rationale: 'MAINTAINER is deprecated; tools read the maintainer from labels.',
    remediation: 'Use `LABEL org.opencontainers.image.authors="team@example.com"`.',
    references: [],
    check({ dockerfile }) {
      return dockerfile.instructions.filter((item) => item.keyword === 'MAINTAINER').map((item) => ({ line: item.line, message: 'MAINTAINER is deprecated.' }))
    },
  }),
  defineRule({
    id: 'DKR-017', pack: 'dockerfile', severity: 'medium', reads: ['dockerfile'],
    title: 'Password set inside the image',
    rationale: 'chpasswd in a Dockerfile bakes a password (often in plain text in the layer history) into every container started from the image.',
    remediation: 'Do not give image users passwords; authenticate at the service level with secrets passed at run time.',
    references: [cisDocker('4.10', 'Ensure secrets are not stored in Dockerfiles')],
    check({ dockerfile }) {
      return runs(dockerfile)
        .filter(({ text }) => /(^|[\s;&|])chpasswd(\s|$)/.test(text))
        .map(({ instruction }) => ({ line: instruction.line, message: 'RUN sets a password with chpasswd.' }))
    },
  }),
]

/** Commands and variables that turn off TLS or signature checks, built once: this runs on every RUN, ENV and ARG. */
const INSECURE_COMMANDS: [RegExp, string][] = [
  [/\bcurl\b[^|&;\n]*\s(--insecure|-[a-zA-Z]*k[a-zA-Z]*)(\s|$)/, 'curl runs with --insecure'],
  [/\bwget\b[^|&;\n]*\s--no-check-certificate\b/, 'wget runs with --no-check-certificate'],
  [/\bpip3?\b[^|&;\n]*\s--trusted-host\b/, 'pip runs with --trusted-host'],
  [/\b(npm|yarn)\s+(c(onfig)?\s+)?set\s+["']?strict-ssl["']?(\s+|=)["']?false/, 'npm/yarn strict-ssl is set to false'],
  [/\bapk\b[^|&;\n]*\s--allow-untrusted\b/, 'apk runs with --allow-untrusted'],
  [/\bapt-get\b[^|&;\n]*\s(--allow-unauthenticated|--force-yes)\b/, 'apt-get accepts unauthenticated packages'],
  [/\b(t?dnf|yum)\b[^|&;\n]*\s--nogpgcheck\b/, 'yum/dnf runs with --nogpgcheck'],
  [/\brpm\b[^|&;\n]*\s--no(digest|signature|verify|filedigest)\b/, 'rpm skips signature or digest checks'],
  [/\b(yum|dnf)(\s+|-)config-manager\b[^|&;\n]*--setopt=["']?([^=\s]+\.)?sslverify["']?=["']?(0|false|no)\b/i, 'yum/dnf sslverify is turned off'],
  [/\bgit\s+config\b[^|&;\n]*http\.sslVerify\s+["']?false/i, 'git http.sslVerify is set to false'],
]

function insecureVariables(prefix: string, separator: string): [RegExp, string][] {
  return [
    [new RegExp(`${prefix}NODE_TLS_REJECT_UNAUTHORIZED${separator}["']?0["']?(\\s|$)`), 'NODE_TLS_REJECT_UNAUTHORIZED is set to 0'],
    [new RegExp(`${prefix}PYTHONHTTPSVERIFY${separator}["']?0["']?(\\s|$)`), 'PYTHONHTTPSVERIFY is set to 0'],
    [new RegExp(`${prefix}(NPM_CONFIG_STRICT_SSL|npm_config_strict_ssl)${separator}["']?false["']?(\\s|$)`), 'NPM_CONFIG_STRICT_SSL is set to false'],
    [new RegExp(`${prefix}GIT_SSL_NO_VERIFY${separator}\\S+`), 'GIT_SSL_NO_VERIFY is set'],
    [new RegExp(`${prefix}PIP_TRUSTED_HOST${separator}\\S+`), 'PIP_TRUSTED_HOST is set'],
  ]
}

// In a RUN the variable is assigned (`export X=0`, `X=0 cmd`); in ENV and ARG it is declared (`ENV X=0`, `ENV X 0`).
const INSECURE_IN_RUN = [...INSECURE_COMMANDS, ...insecureVariables('(?:^|[\\s;&|])(?:export\\s+)?', '=')]
const INSECURE_IN_DECLARATION = insecureVariables('(?:^|\\s)', '(?:=|\\s+)')

/** Why a command or variable turns off TLS or signature checks, or undefined. */
export function insecureTransport(text: string, isRun: boolean): string | undefined {
  return (isRun ? INSECURE_IN_RUN : INSECURE_IN_DECLARATION).find(([pattern]) => pattern.test(text))?.[1]
}
