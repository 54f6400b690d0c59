/**
 * Dockerfile rules about repeatable, well-behaved images (DKR-018 on):
 * pinned packages, pipefail, WORKDIR over cd, lean apt installs, exec-form
 * CMD/ENTRYPOINT, numeric USER, pinned COPY --from images. Each cites the
 * hadolint rule that checks the same thing, so results can be compared.
 */
import { finalStage, instructionsWithTriggers, type Dockerfile } from '../dockerfile-parser.js'
import { programName } from '../shell-commands.js'
import { defineRule, type Hit, type Reference, type Rule } from '../types.js'
import { effectiveUser, imageTag, isCall, runs, stageByName, stageOf, type Call } from './dockerfile-runs.js'

const hadolint = (id: string, title: string): Reference => ({ standard: 'hadolint', id, title })
const cisDocker = (id: string, title: string): Reference => ({ standard: 'CIS Docker Benchmark v1.6.0', id, title })

/** Options that take a value, per package manager, so the value is not read as a package. */
const VALUE_OPTIONS: Record<string, Set<string>> = {
  apt: new Set(['-o', '--option', '-t', '--target-release', '-c', '--config-file']),
  apk: new Set(['-X', '--repository', '-t', '--virtual', '-p', '--root', '--arch', '--cache-dir', '--keys-dir', '--repositories-file']),
  pip: new Set(['-r', '--requirement', '-c', '--constraint', '-e', '--editable', '-i', '--index-url', '--extra-index-url', '-f', '--find-links', '--trusted-host', '-t', '--target', '--prefix', '--root', '--src', '--upgrade-strategy', '--platform', '--python-version', '--implementation', '--abi', '--only-binary', '--no-binary', '--progress-bar', '--cache-dir', '--log', '--proxy', '--retries', '--timeout', '--cert', '--client-cert']),
  npm: new Set(['--prefix', '--registry', '--cache', '--tag', '-w', '--workspace', '--omit', '--include', '--loglevel']),
  gem: new Set(['-i', '--install-dir', '-n', '--bindir', '-s', '--source', '-P', '--trust-policy', '--platform', '-g', '--file']),
  go: new Set(['-o', '-ldflags', '-gcflags', '-tags', '-mod', '-modfile', '-p', '-pkgdir', '-toolexec', '-asmflags', '-overlay']),
}

/** The operands of a command: its arguments after the subcommand, without options and their values. */
function operands(args: string[], valueOptions: Set<string>): string[] {
  const out: string[] = []
  for (let index = 0; index < args.length; index++) {
    const word = args[index]
    if (word.startsWith('-')) {
      if (valueOptions.has(word)) index++
      continue
    }
    out.push(word)
  }
  return out
}

/** Words that are not package names: variables, paths, archives, URLs. */
const notAName = (word: string) => /[$`]/.test(word) || /^(\.{0,2}\/|~|[a-z][a-z0-9+.-]*:\/\/|git[+@])/i.test(word) || /\.(deb|rpm|apk|whl|tar\.gz|tgz|zip|gem)$/.test(word) || word === '.'

/** The packages a command installs without a version, or undefined when it installs none. */
export function unpinnedPackages(call: Call): { tool: string; packages: string[] } | undefined {
  const { args, sub } = call
  if (!sub) return undefined
  const after = args.slice(args.indexOf(sub) + 1)
  const check = (tool: keyof typeof VALUE_OPTIONS, pinned: (name: string) => boolean, name = tool as string) => {
    const packages = operands(after, VALUE_OPTIONS[tool]).filter((word) => !notAName(word) && !pinned(word))
    return packages.length ? { tool: name, packages } : undefined
  }
  if (isCall(call, 'apt-get', 'apt') && sub === 'install') return check('apt', (word) => word.includes('='), call.program)
  if (isCall(call, 'apk') && sub === 'add') return check('apk', (word) => /[=~<>]/.test(word))
  if (isCall(call, 'pip', 'pip3') && sub === 'install') return check('pip', (word) => /[=<>~!@]/.test(word) || /\.txt$/.test(word))
  if (isCall(call, 'npm') && ['install', 'i', 'add', 'isntall'].includes(sub ?? '')) {
    return check('npm', (word) => {
      const at = word.lastIndexOf('@')
      return at > 0 && !/^(latest|next)$/.test(word.slice(at + 1))
    })
  }
  if (isCall(call, 'gem') && sub === 'install') {
    if (after.some((word) => word === '-v' || word === '--version' || word.startsWith('--version='))) return undefined
    return check('gem', (word) => /:[0-9]/.test(word))
  }
  if (isCall(call, 'go') && sub === 'install') {
    return check('go', (word) => {
      const at = word.lastIndexOf('@')
      return at > 0 && word.slice(at + 1) !== 'latest'
    })
  }
  return undefined
}

/** `set -o pipefail`, `set -euo pipefail`, `set -eux -o pipefail`... */
function setsPipefail(call: Call): boolean {
  return call.program === 'set' && call.args.some((word, index) => word === 'pipefail' && /^-[a-zA-Z]*o$/.test(call.args[index - 1] ?? ''))
}

/** Whether the stage's SHELL runs `-o pipefail`, or is not a POSIX shell (pwsh, cmd), where the rule does not apply. */
function shellOfStage(dockerfile: Dockerfile, line: number): { pipefail: boolean; posix: boolean } {
  const stage = dockerfile.stages.findLast((item) => item.from.line <= line)
  const shell = stage?.instructions.filter((item) => item.keyword === 'SHELL' && item.line < line).at(-1)?.json
  if (!shell) return { pipefail: false, posix: true }
  return { pipefail: shell.some((word, index) => word === 'pipefail' && shell[index - 1] === '-o'), posix: /^(sh|bash|ash|dash|zsh|ksh|mksh)$/.test(programName(shell[0])) }
}

export const dockerfilePracticeRules: Rule[] = [
  defineRule({
    id: 'DKR-018', pack: 'dockerfile', severity: 'low', reads: ['dockerfile'],
    title: 'Packages installed without a version',
    rationale: 'apt-get, apk, pip, npm, gem and go install whatever version is newest on the day of the build: two builds of the same Dockerfile differ, and a bad or hijacked release lands without a review.',
    remediation: 'Pin each package: `apt-get install curl=7.88.1-10+deb12u8`, `apk add curl=8.11.1-r0`, `pip install requests==2.32.3` (or `-r requirements.txt` with pins), `npm install left-pad@1.3.0`, `gem install rake -v 13.2.1`, `go install example.com/tool@v1.4.2`.',
    references: [
      hadolint('DL3008', 'Pin versions in apt-get install'), hadolint('DL3018', 'Pin versions in apk add'), hadolint('DL3013', 'Pin versions in pip'),
      hadolint('DL3016', 'Pin versions in npm'), hadolint('DL3028', 'Pin versions in gem install'), hadolint('DL3062', 'Pin versions in go install'),
      cisDocker('4.3', 'Ensure that unnecessary packages are not installed in the container'),
    ],
    check({ dockerfile }) {
      const hits: Hit[] = []
      for (const { instruction, calls } of runs(dockerfile)) {
        for (const call of calls) {
          const unpinned = unpinnedPackages(call)
          if (!unpinned) continue
          const shown = unpinned.packages.slice(0, 3).join(', ') + (unpinned.packages.length > 3 ? ` and ${unpinned.packages.length - 3} more` : '')
          hits.push({ line: instruction.line, message: `${unpinned.tool} installs ${shown} without a version.` })
        }
      }
      return hits
    },
  }),
  defineRule({
    id: 'DKR-019', pack: 'dockerfile', severity: 'low', reads: ['dockerfile'],
    title: 'Pipe in RUN without pipefail',
    rationale: 'A pipeline\'s exit status is its last command\'s: `curl -fsSL URL | tar xz` succeeds when the download fails, and the build goes on with a half-written or empty result.',
    remediation: 'Start the RUN with `set -o pipefail &&`, or set it once for the stage: `SHELL ["/bin/bash", "-o", "pipefail", "-c"]` (busybox images: `/bin/ash`).',
    references: [hadolint('DL4006', 'Set the SHELL option -o pipefail before RUN with a pipe in it')],
    check({ dockerfile }) {
      const hits: Hit[] = []
      for (const { instruction, commands, calls, execForm } of runs(dockerfile)) {
        if (execForm) continue
        const shell = shellOfStage(dockerfile, instruction.line)
        if (shell.pipefail || !shell.posix) continue
        const firstPipe = commands.findIndex((command) => command.pipelineSize > 1)
        if (firstPipe === -1 || calls.slice(0, firstPipe).some(setsPipefail)) continue
        hits.push({ line: instruction.line, message: 'This RUN pipes one command into another without `set -o pipefail`.' })
      }
      return hits
    },
  }),
  defineRule({
    id: 'DKR-020', pack: 'dockerfile', severity: 'low', reads: ['dockerfile'],
    title: 'cd used instead of WORKDIR',
    rationale: 'A `cd` lasts for one RUN only; the next instruction starts elsewhere again, which is easy to misread and makes the file order-sensitive.',
    remediation: 'Switch folders with `WORKDIR /path`; use `cd` only inside a subshell for one command.',
    references: [hadolint('DL3003', 'Use WORKDIR to switch to a directory')],
    check({ dockerfile }) {
      return runs(dockerfile)
        .filter(({ calls }) => calls.some((call) => call.program === 'cd'))
        .map(({ instruction }) => ({ line: instruction.line, message: 'RUN changes folder with cd; use WORKDIR.' }))
    },
  }),
  defineRule({
    id: 'DKR-021', pack: 'dockerfile', severity: 'low', reads: ['dockerfile'],
    title: 'apt-get install pulls recommended packages',
    rationale: 'Without --no-install-recommends apt installs every recommended package too: a larger image with more software to patch, none of which was asked for.',
    remediation: 'Add `--no-install-recommends` to every `apt-get install`.',
    references: [hadolint('DL3015', 'Avoid additional packages by specifying --no-install-recommends'), cisDocker('4.3', 'Ensure that unnecessary packages are not installed in the container')],
    check({ dockerfile }) {
      return runs(dockerfile)
        .filter(({ calls }) => calls.some((call) => isCall(call, 'apt-get', 'apt') && call.sub === 'install'
          && !call.args.includes('--no-install-recommends') && !call.args.some((word) => /^APT::Install-Recommends=("?)(false|0)\1$/i.test(word))))
        .map(({ instruction }) => ({ line: instruction.line, message: 'apt-get install without --no-install-recommends.' }))
    },
  }),
  defineRule({
    id: 'DKR-022', pack: 'dockerfile', severity: 'medium', reads: ['dockerfile'],
    title: 'CMD or ENTRYPOINT in shell form',
    rationale: 'In shell form the process runs under `/bin/sh -c`, which does not pass SIGTERM on: the service never hears it should stop, so it is killed after the timeout and drops the requests it was serving.',
    remediation: 'Use the JSON (exec) form: `CMD ["node", "server.js"]`. Where a shell is needed, end the script with `exec`.',
    references: [hadolint('DL3025', 'Use arguments JSON notation for CMD and ENTRYPOINT arguments')],
    check({ dockerfile }) {
      return instructionsWithTriggers(dockerfile)
        .filter((item) => (item.keyword === 'CMD' || item.keyword === 'ENTRYPOINT') && item.json === undefined)
        .map((item) => ({ line: item.line, message: `${item.keyword} is in shell form, so signals do not reach the process.` }))
    },
  }),
  defineRule({
    id: 'DKR-023', pack: 'dockerfile', severity: 'low', reads: ['dockerfile'],
    title: 'USER given by name, not by numeric id',
    rationale: 'The engine and Kubernetes\' runAsNonRoot can only verify a numeric user: with a name they cannot tell whether it is root, and refuse to start the pod or trust the image blindly.',
    remediation: 'Give the numeric id the user was created with: `USER 10001` (or `USER 10001:10001`).',
    references: [hadolint('DL3066', 'Non-numeric user-id may not be resolvable by host system'), cisDocker('4.1', 'Ensure that a user for the container has been created')],
    check({ dockerfile }) {
      const stage = finalStage(dockerfile)
      if (!stage) return []
      const user = effectiveUser(dockerfile, stage)
      if (!user || /^(root|0)(:.*)?$/.test(user.user) || /[$]/.test(user.user)) return []
      const name = user.user.split(':')[0]
      return /^[0-9]+$/.test(name) ? [] : [{ line: user.instruction.line, message: `The final stage runs as user "${name}", not a numeric id.` }]
    },
  }),
  defineRule({
    id: 'DKR-024', pack: 'dockerfile', severity: 'medium', reads: ['dockerfile'],
    title: 'COPY --from an image without a tag or digest',
    rationale: '`COPY --from=IMAGE` with an image that is not a stage copies files out of whatever that image is today: without a tag or digest (or with latest) every build can take different files.',
    remediation: 'Pin the image: `COPY --from=nginx:1.27.3 ...`, or better `COPY --from=nginx@sha256:...`; or build the files in a stage of your own.',
    references: [hadolint('DL3022', 'COPY --from should reference a previously defined FROM alias'), cisDocker('4.2', 'Ensure that containers use only trusted base images')],
    check({ dockerfile }) {
      const hits: Hit[] = []
      for (const item of instructionsWithTriggers(dockerfile)) {
        const from = item.flags.from
        if ((item.keyword !== 'COPY' && item.keyword !== 'ADD') || !from || from.includes('$')) continue
        const stage = stageOf(dockerfile, item)
        if (stageByName(dockerfile, from, (stage?.index ?? dockerfile.stages.length - 1) + 1)) continue
        if (/^[0-9]+$/.test(from) || from.includes('@sha256:')) continue
        const tag = imageTag(from)
        if (tag === undefined) hits.push({ line: item.line, message: `${item.keyword} --from=${from} copies from an image without a tag, so it means latest.` })
        else if (tag === 'latest') hits.push({ line: item.line, message: `${item.keyword} --from=${from} copies from the latest tag.` })
      }
      return hits
    },
  }),
]
