/** Rules over Dockerfiles (DKR-*). Each reads one parsed Dockerfile; RUN rules read it command by command. */
import { argDeclarations, envDeclarations, finalStage, instructionsWithTriggers } from '../dockerfile-parser.js'
import { parseShell, programName, unwrapped } from '../shell-commands.js'
import { defineRule, type Hit, type Reference, type Rule } from '../types.js'
import { callOf, effectiveUser, hasInstruction, imageTag, isCall, runs, stageByName, type Call } from './dockerfile-runs.js'
import { dockerfilePracticeRules } from './dockerfile-practices.js'
import { looksLikeSecretName, looksLikeReference, redact } from './secret-patterns.js'

const cisDocker = (id: string, title: string): Reference => ({ standard: 'CIS Docker Benchmark v1.6.0', id, title })

const isRoot = (user: string) => /^(root|0)(:.*)?$/.test(user)
const isRemote = (word: string) => /^(https?|ftp):\/\//i.test(word) || /^git@/.test(word)
const INTERPRETERS = new Set(['sh', 'bash', 'zsh', 'ash', 'dash', 'ksh', 'python', 'python3', 'perl', 'ruby', 'node'])

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
        const tag = imageTag(base)
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
      return instructionsWithTriggers(dockerfile)
        .filter((item) => item.keyword === 'ADD' && !item.flags.checksum)
        .filter((item) => (item.json ?? item.args.split(/\s+/)).some(isRemote))
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
      return instructionsWithTriggers(dockerfile)
        .filter((item) => item.keyword === 'ADD')
        .filter((item) => !(item.json ?? item.args.split(/\s+/)).some(isRemote))
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
      for (const item of instructionsWithTriggers(dockerfile)) {
        if (item.keyword !== 'ENV' && item.keyword !== 'ARG') continue
        const pairs = item.keyword === 'ENV' ? envDeclarations(item.args, dockerfile.escape) : argDeclarations(item.args, dockerfile.escape)
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
      const pipCacheOff = instructionsWithTriggers(dockerfile).some((item) => item.keyword === 'ENV' && envDeclarations(item.args, dockerfile.escape).some(([name]) => name === 'PIP_NO_CACHE_DIR'))
      for (const { instruction, commands, calls } of runs(dockerfile)) {
        if (instruction.flags.mount?.includes('type=cache')) continue
        const anyWord = (test: (word: string) => boolean) => calls.some((call) => call.words.some(test))
        const found = new Map<string, string>()
        let pipCacheExported = false
        calls.forEach((call, index) => {
          if (call.program === 'export' && call.args.some((word) => word.startsWith('PIP_NO_CACHE_DIR='))) pipCacheExported = true
          if (isCall(call, 'apt-get', 'apt') && call.sub === 'install') {
            if (!found.has('apt') && !anyWord((word) => word.includes('/var/lib/apt/lists'))) found.set('apt', 'apt-get install without removing /var/lib/apt/lists in the same RUN.')
          } else if (isCall(call, 'apk') && call.sub === 'add') {
            if (!found.has('apk') && !call.args.includes('--no-cache') && !anyWord((word) => word.includes('/var/cache/apk'))) found.set('apk', 'apk add without --no-cache.')
          } else if (isCall(call, 'pip', 'pip3') && call.sub === 'install') {
            const off = pipCacheOff || pipCacheExported || call.args.includes('--no-cache-dir') || commands[index].assignments.some((item) => item.name === 'PIP_NO_CACHE_DIR')
            if (!off) found.set('pip', 'pip install without --no-cache-dir.')
          } else if (isCall(call, 'yum', 'dnf', 'microdnf') && call.sub === 'install') {
            if (!found.has('yum') && !calls.some((other) => isCall(other, 'yum', 'dnf', 'microdnf') && other.args.includes('clean') && other.args.includes('all'))) {
              found.set('yum', 'yum/dnf install without `clean all` in the same RUN.')
            }
          }
        })
        for (const message of found.values()) hits.push({ line: instruction.line, message })
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
      for (const { instruction, calls } of runs(dockerfile)) {
        const managed = calls.filter((call) => isCall(call, 'apt-get', 'apt', 'apk', 'yum', 'dnf', 'microdnf', 'zypper'))
        const updates = managed.some((call) => call.args.some((word) => word === 'update' || word === '--update' || word === '-U' || word === 'refresh' || word === 'makecache'))
        const installs = managed.some((call) => call.args.some((word) => /^(install|add|upgrade|dist-upgrade|reinstall|groupinstall|localinstall|in|up)$/.test(word)))
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
        .filter(({ commands, calls }) => pipesDownloadIntoInterpreter(commands.map((command) => command.pipeline), calls)
          || calls.some((call) => INTERPRETERS.has(call.program) && call.args.some((word) => /^(\$\(|`|<\()\s*(curl|wget)\s/.test(word))))
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
      return instructionsWithTriggers(dockerfile)
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
      // Installing the sudo package is not calling it: only commands that run sudo count.
      return runs(dockerfile)
        .filter(({ commands }) => commands.some((command) => command.words.slice(0, command.words.length - unwrapped(command.words).length).some((word) => programName(word) === 'sudo')))
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
      for (const { instruction, commands, calls } of runs(dockerfile)) {
        const reason = calls.map((call, index) => insecureCall(call, commands[index].assignments)).find(Boolean)
        if (reason) hits.push({ line: instruction.line, message: `${reason}.` })
      }
      for (const item of instructionsWithTriggers(dockerfile)) {
        if (item.keyword !== 'ENV' && item.keyword !== 'ARG') continue
        const pairs = item.keyword === 'ENV' ? envDeclarations(item.args, dockerfile.escape) : argDeclarations(item.args, dockerfile.escape)
        const reason = pairs.map(([name, value]) => insecureVariable(name, value)).find(Boolean)
        if (reason) hits.push({ line: item.line, message: `${reason}.` })
      }
      return hits.sort((a, b) => a.line! - b.line!)
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
        .filter(({ calls }) => calls.some((call) => call.program === 'apt' && call.args.length > 0))
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
      return instructionsWithTriggers(dockerfile)
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
        .filter(({ calls }) => calls.some((call) => call.program === 'chpasswd'))
        .map(({ instruction }) => ({ line: instruction.line, message: 'RUN sets a password with chpasswd.' }))
    },
  }),
  ...dockerfilePracticeRules,
]

/** Why a command turns off TLS or signature checks (its words after sudo/env, and its NAME=value prefixes), or undefined. */
function insecureCall(call: Call, assignments: { name: string; value: string }[]): string | undefined {
  for (const { name, value } of assignments) {
    const reason = insecureVariable(name, value)
    if (reason) return reason
  }
  const { args } = call
  if (call.program === 'export') {
    for (const word of args) {
      const eq = word.indexOf('=')
      const reason = eq > 0 ? insecureVariable(word.slice(0, eq), word.slice(eq + 1)) : undefined
      if (reason) return reason
    }
  }
  const has = (...flags: string[]) => args.some((word) => flags.includes(word) || flags.some((flag) => flag.startsWith('--') && word.startsWith(`${flag}=`)))
  if (isCall(call, 'curl') && (has('--insecure') || args.some((word) => /^-[a-zA-Z]*k[a-zA-Z]*$/.test(word)))) return 'curl runs with --insecure'
  if (isCall(call, 'wget') && has('--no-check-certificate')) return 'wget runs with --no-check-certificate'
  if (isCall(call, 'pip', 'pip3') && has('--trusted-host')) return 'pip runs with --trusted-host'
  if (isCall(call, 'npm', 'yarn') && args.some((word, index) => /^strict-ssl$/i.test(word.replace(/^--/, '')) && /^false$/i.test(args[index + 1] ?? '') || /^(--)?strict-ssl=false$/i.test(word))) return 'npm/yarn strict-ssl is set to false'
  if (isCall(call, 'apk') && has('--allow-untrusted')) return 'apk runs with --allow-untrusted'
  if (isCall(call, 'apt-get', 'apt') && has('--allow-unauthenticated', '--force-yes')) return 'apt-get accepts unauthenticated packages'
  if (isCall(call, 'yum', 'dnf', 'tdnf', 'microdnf') && has('--nogpgcheck')) return 'yum/dnf runs with --nogpgcheck'
  if (isCall(call, 'rpm') && has('--nodigest', '--nosignature', '--noverify', '--nofiledigest')) return 'rpm skips signature or digest checks'
  const configManager = isCall(call, 'yum-config-manager', 'dnf-config-manager') || (isCall(call, 'dnf', 'yum') && args.includes('config-manager'))
  if (configManager && args.some((word) => /^--setopt=["']?([^=\s]+\.)?sslverify["']?=["']?(0|false|no)["']?$/i.test(word))) return 'yum/dnf sslverify is turned off'
  if (isCall(call, 'git') && args[0] === 'config' && args.some((word, index) => /^http\.sslverify$/i.test(word) && /^false$/i.test(args[index + 1] ?? ''))) return 'git http.sslVerify is set to false'
  return undefined
}

/** Why setting a variable turns off TLS checks, or undefined. */
function insecureVariable(name: string, value: string | undefined): string | undefined {
  const flag = (value ?? '').trim()
  if (name === 'NODE_TLS_REJECT_UNAUTHORIZED' && flag === '0') return 'NODE_TLS_REJECT_UNAUTHORIZED is set to 0'
  if (name === 'PYTHONHTTPSVERIFY' && flag === '0') return 'PYTHONHTTPSVERIFY is set to 0'
  if ((name === 'NPM_CONFIG_STRICT_SSL' || name === 'npm_config_strict_ssl') && flag === 'false') return 'NPM_CONFIG_STRICT_SSL is set to false'
  if (name === 'GIT_SSL_NO_VERIFY' && flag !== '') return 'GIT_SSL_NO_VERIFY is set'
  if (name === 'PIP_TRUSTED_HOST' && flag !== '') return 'PIP_TRUSTED_HOST is set'
  return undefined
}

/** Why a command (isRun) or an ENV/ARG declaration turns off TLS or signature checks, or undefined. */
export function insecureTransport(text: string, isRun: boolean): string | undefined {
  if (!isRun) return envDeclarations(text).map(([name, value]) => insecureVariable(name, value)).find(Boolean)
  const { commands } = parseShell(text)
  return commands.map((command) => insecureCall(callOf(unwrapped(command.words)), command.assignments)).find(Boolean)
}

/** Whether a curl or wget stage of a pipeline feeds a later stage that is an interpreter; one pass. */
function pipesDownloadIntoInterpreter(pipelines: number[], calls: Call[]): boolean {
  const downloading = new Set<number>()
  for (const [index, call] of calls.entries()) {
    if (downloading.has(pipelines[index]) && INTERPRETERS.has(call.program)) return true
    if (isCall(call, 'curl', 'wget')) downloading.add(pipelines[index])
  }
  return false
}
