/**
 * Every rule has a case that triggers it and a case that does not, run
 * through the real engine (parsing, dispatch, locations).
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { runChecks, type ProjectFile } from '../../src/checks/engine.js'
import { ALL_RULES } from '../../src/checks/rules/index.js'
import { insecureTransport } from '../../src/checks/rules/dockerfile.js'
import type { Fact } from '../../src/model.js'

const fixture = (name: string): Fact[] => JSON.parse(readFileSync(new URL(`../fixtures/check/facts/${name}.json`, import.meta.url), 'utf8')) as Fact[]
const dockerfile = (text: string): ProjectFile[] => [{ path: 'Dockerfile', text, role: 'dockerfile' }]
const compose = (text: string): ProjectFile[] => [{ path: 'docker-compose.yml', text, role: 'compose' }]
const manifest = (text: string): ProjectFile[] => [{ path: 'strato.yaml', text, role: 'manifest' }]
const source = (path: string, text: string): ProjectFile[] => [{ path, text, role: 'source' }]
const env = (text: string): ProjectFile[] => [{ path: '.env', text, role: 'env' }]

const HARDENED = `FROM local/node:24 AS build
WORKDIR /src
COPY package.json ./
RUN npm ci --omit=dev
FROM local/node:24
WORKDIR /app
COPY --from=build /src /app
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
USER 10001
HEALTHCHECK CMD curl -fsS http://localhost:8080/healthz || exit 1
EXPOSE 8080
CMD ["node", "server.js"]
`
const GOOD_SERVICE = `services:
  users:
    image: shop/users:1.4.2
    user: "10001"
    mem_limit: 256m
    restart: unless-stopped
    ports: ["127.0.0.1:5432:5432", "8080:8080"]
    environment:
      DB_PASSWORD: \${DB_PASSWORD}
      ADMIN_PASSWORD: \${ADMIN_PASSWORD:?set it in .env}
      MYSQL_RANDOM_ROOT_PASSWORD: "yes"
      LOG_LEVEL: info
    volumes: ["data:/var/lib/data"]
    healthcheck: { test: ["CMD", "true"] }
`
const GOOD_MANIFEST = `name: shop
services:
  users:
    build: ./services/users
    port: 8080
    health: /healthz
    restart: unless-stopped
    secrets: [DB_PASSWORD]
    resources: { cpu: 0.5, memory: 256Mi }
`

interface Case { files?: ProjectFile[]; facts?: Fact[]; requiredTags?: string[] }
const cases: Record<string, { bad: Case; good: Case }> = {
  'DKR-001': { bad: { files: dockerfile('FROM local/node:24\nUSER app\nFROM local/node:24\nCMD ["node"]\n') }, good: { files: dockerfile(HARDENED) } },
  'DKR-002': { bad: { files: dockerfile('ARG BASE=node\nFROM ${BASE}\nUSER 1\n') }, good: { files: dockerfile('ARG TAG=24\nFROM node:${TAG}\nFROM node@sha256:abc\nFROM scratch\n') } },
  'DKR-003': { bad: { files: dockerfile('FROM a:1\nADD https://example.com/tool.tgz /opt/\n') }, good: { files: dockerfile('FROM a:1\nADD --checksum=sha256:0123 https://example.com/tool.tgz /opt/\n') } },
  'DKR-004': { bad: { files: dockerfile('FROM a:1\nADD ./app /app\n') }, good: { files: dockerfile('FROM a:1\nCOPY ./app /app\n') } },
  'DKR-005': { bad: { files: dockerfile('FROM a:1\nENV API_KEY=abcdef123456 LOG=info\n') }, good: { files: dockerfile('FROM a:1\nARG DB_PASSWORD\nENV DB_PASSWORD_FILE=/run/secrets/db LOG=info\n') } },
  'DKR-006': { bad: { files: dockerfile('FROM a:1 AS base\nHEALTHCHECK CMD true\nFROM b:1\n') }, good: { files: dockerfile('FROM a:1 AS base\nHEALTHCHECK CMD true\nFROM base\n') } },
  'DKR-007': { bad: { files: dockerfile('FROM a:1\nRUN apt-get update && apt-get install -y curl\n') }, good: { files: dockerfile('FROM a:1\nENV PIP_NO_CACHE_DIR=1\nRUN apk add --no-cache curl && pip install --no-cache-dir flask\nRUN pip install gunicorn\n') } },
  'DKR-008': { bad: { files: dockerfile('FROM a:1\nRUN apt-get update\nRUN apt-get install -y curl\n') }, good: { files: dockerfile('FROM a:1\nRUN apt-get update \\\n && apt-get install -y curl\n') } },
  'DKR-009': { bad: { files: dockerfile('FROM a:1\nRUN curl -fsSL https://get.example.com | sh\n') }, good: { files: dockerfile('FROM a:1\nRUN curl -fsSLo install.sh https://get.example.com && sha256sum -c sums && sh install.sh\n') } },
  'DKR-010': { bad: { files: dockerfile('FROM a:1\nEXPOSE 8080 22/tcp\n') }, good: { files: dockerfile('FROM a:1\nEXPOSE 8080 2222\n') } },
  'DKR-011': { bad: { files: dockerfile('FROM a:1\nRUN sudo apt-get install -y x\n') }, good: { files: dockerfile('FROM a:1\nRUN echo pseudo sudoers\n') } },
  'DKR-012': { bad: { files: dockerfile('FROM a:1\nENV NODE_TLS_REJECT_UNAUTHORIZED=0\n') }, good: { files: dockerfile('FROM a:1\nENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca.pem\nRUN curl -fsS https://x\n') } },
  'DKR-013': { bad: { files: dockerfile('FROM a:1\nRUN apt install -y curl\n') }, good: { files: dockerfile('FROM a:1\nRUN apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n') } },
  'DKR-014': { bad: { files: dockerfile('FROM a:1\nWORKDIR app\n') }, good: { files: dockerfile('FROM a:1\nWORKDIR /app\nWORKDIR $HOME\n') } },
  'DKR-015': { bad: { files: dockerfile('FROM a:1 AS build\nFROM b:1 AS build\n') }, good: { files: dockerfile('FROM a:1 AS build\nFROM b:1 AS test\n') } },
  'DKR-016': { bad: { files: dockerfile('FROM a:1\nMAINTAINER ops@example.com\n') }, good: { files: dockerfile('FROM a:1\nLABEL org.opencontainers.image.authors=ops@example.com\n') } },
  'DKR-017': { bad: { files: dockerfile('FROM a:1\nRUN echo "app:pw" | chpasswd\n') }, good: { files: dockerfile('FROM a:1\nRUN useradd --system app\n') } },
  'DKR-018': { bad: { files: dockerfile('FROM a:1\nRUN apt-get install -y --no-install-recommends curl=7.88 jq\n') }, good: { files: dockerfile('FROM a:1\nRUN apt-get install -y --no-install-recommends curl=7.88 && apk add --virtual .deps gcc=13.2 && pip install -r requirements.txt flask==3.0.3 && npm install && npm i left-pad@1.3.0 @scope/x@2 && gem install rake -v 13 && go install example.com/tool@v1.4.2\n') } },
  'DKR-019': { bad: { files: dockerfile('FROM a:1\nRUN curl -fsSL https://x/a.tgz | tar xz\n') }, good: { files: dockerfile('FROM a:1\nRUN set -euo pipefail && curl -fsSL https://x/a.tgz | tar xz\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\nRUN wget -qO- https://x | tar x\n') } },
  'DKR-020': { bad: { files: dockerfile('FROM a:1\nRUN cd /src && make\n') }, good: { files: dockerfile('FROM a:1\nWORKDIR /src\nRUN make && echo cd\n') } },
  'DKR-021': { bad: { files: dockerfile('FROM a:1\nRUN apt-get update && apt-get install -y curl=7.88\n') }, good: { files: dockerfile('FROM a:1\nRUN apt-get update && apt-get install -y --no-install-recommends curl=7.88\n') } },
  'DKR-022': { bad: { files: dockerfile('FROM a:1\nCMD node server.js\n') }, good: { files: dockerfile('FROM a:1\nENTRYPOINT ["tini", "--"]\nCMD ["node", "server.js"]\n') } },
  'DKR-023': { bad: { files: dockerfile('FROM a:1\nUSER app:app\n') }, good: { files: dockerfile('FROM a:1 AS base\nUSER app\nFROM a:1\nUSER 10001:10001\n') } },
  'DKR-024': { bad: { files: dockerfile('FROM a:1\nCOPY --from=nginx / /rootfs\n') }, good: { files: dockerfile('FROM a:1 AS build\nFROM b:1\nCOPY --from=build /out /app\nCOPY --from=0 /out /app\nCOPY --from=nginx:1.27.3 /etc/nginx /etc/nginx\n') } },
  'CMP-001': { bad: { files: compose('services:\n  a:\n    image: x:1\n    privileged: true\n') }, good: { files: compose(GOOD_SERVICE) } },
  'CMP-002': { bad: { files: manifest('name: shop\nservices:\n  a:\n    image: x:1\n    network: host\n') }, good: { files: manifest(GOOD_MANIFEST) } },
  'CMP-003': { bad: { files: compose('services:\n  a:\n    image: x:1\n    volumes:\n      - type: bind\n        source: /var/run/docker.sock\n        target: /var/run/docker.sock\n') }, good: { files: compose(GOOD_SERVICE) } },
  'CMP-004': { bad: { files: compose('services:\n  db:\n    image: mysql:8\n    ports:\n      - "3306:3306"\n') }, good: { files: compose(GOOD_SERVICE) } },
  'CMP-005': { bad: { files: manifest('name: shop\nservices:\n  a:\n    image: x:1\n    env: { DB_PASSWORD: hunter2hunter2 }\n') }, good: { files: manifest(GOOD_MANIFEST) } },
  'CMP-006': { bad: { files: compose('services:\n  a:\n    image: x:1\n') }, good: { files: compose('services:\n  a:\n    image: x:1\n    deploy: { resources: { limits: { memory: 128M } } }\n') } },
  'CMP-007': { bad: { files: compose('services:\n  a:\n    image: x:1\n    restart: "no"\n') }, good: { files: compose(GOOD_SERVICE) } },
  'CMP-008': { bad: { files: manifest('name: shop\nservices:\n  a:\n    image: x:1\n    port: 8080\n') }, good: { files: manifest(GOOD_MANIFEST) } },
  'CMP-009': { bad: { files: compose('services:\n  a:\n    image: x:1\n    user: root\n') }, good: { files: compose(GOOD_SERVICE) } },
  'SEC-001': { bad: { files: env('# local\nDB_PASSWORD=s3cretvalue\n') }, good: { files: env('DB_PASSWORD=\nLOG_LEVEL=debug\nAPI_TOKEN=${FROM_VAULT}\n') } },
  'SEC-002': { bad: { files: source('config/settings.py', `AWS_KEY = "${'AKIA'}IOSFODNN7EXAMPLE"\n`) }, good: { files: source('config/settings.py', 'AWS_KEY = os.environ["AWS_KEY"]\nDB_URL = "postgres://app:${DB_PASSWORD}@db/shop"\n') } },
  'SEC-003': { bad: { files: source('src/db.ts', 'const db = connect({ user: "app", password: "hunter2hunter2" })\n') }, good: { files: source('src/db.ts', 'const db = connect({ user: "app", password: process.env.DB_PASSWORD })\n') } },
  'DKH-001': { bad: { facts: fixture('docker-insecure') }, good: { facts: fixture('docker-hardened') } },
  'DKH-002': { bad: { facts: fixture('docker-insecure') }, good: { facts: fixture('docker-hardened') } },
  'DKH-003': { bad: { facts: fixture('docker-insecure') }, good: { facts: fixture('docker-hardened').filter((fact) => fact.resource !== '9d7f00b3c412') } },
  'DKH-004': { bad: { facts: fixture('docker-insecure') }, good: { facts: fixture('docker-hardened') } },
  'DKH-005': { bad: { facts: fixture('docker-insecure') }, good: { facts: fixture('docker-hardened') } },
  'DKH-006': { bad: { facts: fixture('docker-insecure') }, good: { facts: fixture('docker-hardened') } },
  'DKH-007': { bad: { facts: fixture('docker-insecure') }, good: { facts: fixture('docker-hardened') } },
  'AWS-001': { bad: { facts: fixture('aws-insecure') }, good: { facts: fixture('aws-hardened') } },
  'AWS-002': { bad: { facts: fixture('aws-insecure') }, good: { facts: fixture('aws-hardened') } },
  'AWS-003': { bad: { facts: fixture('aws-insecure') }, good: { facts: fixture('aws-hardened') } },
  'AWS-004': { bad: { facts: fixture('aws-insecure') }, good: { facts: fixture('aws-hardened') } },
  'AWS-005': { bad: { facts: fixture('aws-insecure'), requiredTags: ['owner'] }, good: { facts: fixture('aws-hardened'), requiredTags: ['owner'] } },
  'AZR-001': { bad: { facts: fixture('azure-insecure') }, good: { facts: fixture('azure-hardened') } },
  'AZR-002': { bad: { facts: fixture('azure-insecure') }, good: { facts: fixture('azure-hardened') } },
  'AZR-003': { bad: { facts: fixture('azure-insecure') }, good: { facts: fixture('azure-hardened') } },
  'AZR-004': { bad: { facts: fixture('azure-insecure') }, good: { facts: fixture('azure-hardened') } },
  'AZR-005': { bad: { facts: fixture('azure-insecure'), requiredTags: ['owner'] }, good: { facts: fixture('azure-hardened'), requiredTags: ['owner'] } },
  'GCP-001': { bad: { facts: fixture('gcp-insecure') }, good: { facts: fixture('gcp-hardened') } },
  'GCP-002': { bad: { facts: fixture('gcp-insecure') }, good: { facts: fixture('gcp-hardened') } },
  'GCP-003': { bad: { facts: fixture('gcp-insecure') }, good: { facts: fixture('gcp-hardened') } },
  'GCP-004': { bad: { facts: fixture('gcp-insecure') }, good: { facts: fixture('gcp-hardened') } },
  'GCP-005': { bad: { facts: fixture('gcp-insecure') }, good: { facts: fixture('gcp-hardened') } },
  'GCP-006': { bad: { facts: fixture('gcp-insecure'), requiredTags: ['owner'] }, good: { facts: fixture('gcp-hardened'), requiredTags: ['owner'] } },
  'KUB-001': { bad: { facts: fixture('kubernetes-insecure') }, good: { facts: fixture('kubernetes-hardened') } },
  'KUB-002': { bad: { facts: fixture('kubernetes-insecure') }, good: { facts: fixture('kubernetes-hardened') } },
  'KUB-003': { bad: { facts: fixture('kubernetes-insecure') }, good: { facts: fixture('kubernetes-hardened') } },
  'KUB-004': { bad: { facts: fixture('kubernetes-insecure') }, good: { facts: fixture('kubernetes-hardened') } },
  'KUB-005': { bad: { facts: fixture('kubernetes-insecure') }, good: { facts: fixture('kubernetes-hardened') } },
  'KUB-006': { bad: { facts: fixture('kubernetes-insecure') }, good: { facts: fixture('kubernetes-hardened') } },
  'KUB-007': { bad: { facts: fixture('kubernetes-insecure') }, good: { facts: fixture('kubernetes-hardened') } },
  'KUB-008': { bad: { facts: fixture('kubernetes-insecure') }, good: { facts: fixture('kubernetes-hardened') } },
  'CHK-001': { bad: { files: dockerfile('FROM a:1\nRUNN echo\n') }, good: { files: dockerfile('FROM a:1\nRUN echo\n') } },
  'CHK-005': { bad: { files: [{ path: 'Dockerfile', text: '', role: 'dockerfile', unread: 'it is 70 MiB, over the 64 MiB strato reads for a Dockerfile.' }] }, good: { files: dockerfile('FROM a:1\nUSER 1\n') } },
  'CHK-003': { bad: { files: dockerfile('FROM a:1\n# strato:ignore DKR-004 until=2020-01-01 vendored archive\nADD x.tgz /\n') }, good: { files: dockerfile('FROM a:1\n# strato:ignore DKR-004 until=2099-01-01 vendored archive\nADD x.tgz /\n') } },
  'CHK-004': { bad: { files: dockerfile('FROM a:1\n# strato:ignore DKR-004\nADD x.tgz /\n') }, good: { files: dockerfile('FROM a:1\n# strato:ignore DKR-004 unpacks the vendored archive\nADD x.tgz /\n') } },
}

function ids(input: Case): string[] {
  const report = runChecks({ files: input.files ?? [], facts: input.facts ?? [], skips: [] }, { today: '2026-11-25', requiredTags: input.requiredTags })
  return report.findings.map((finding) => finding.ruleId)
}

describe('rule packs', () => {
  it('covers every rule with a triggering and a passing case (CHK-002 is covered in the engine tests)', () => {
    const untested = ALL_RULES.map((rule) => rule.id).filter((id) => !(id in cases) && id !== 'CHK-002')
    expect(untested).toEqual([])
  })

  it.each(Object.entries(cases))('%s triggers on its bad case and not on its good case', (id, { bad, good }) => {
    expect(ids(bad)).toContain(id)
    expect(ids(good)).not.toContain(id)
  })

  it('gives every rule an id in the stable format, a rationale, a fix and at least one subject', () => {
    for (const rule of ALL_RULES) {
      expect(rule.id).toMatch(/^[A-Z]{3}-\d{3}$/)
      expect(rule.rationale.length).toBeGreaterThan(20)
      expect(rule.remediation.length).toBeGreaterThan(10)
      if (rule.pack !== 'core') expect(rule.reads.length).toBeGreaterThan(0)
    }
    expect(new Set(ALL_RULES.map((rule) => rule.id)).size).toBe(ALL_RULES.length)
  })
})

describe('DKR-012 TLS and signature checks', () => {
  it.each([
    ['curl -fsSk https://x/y', true], ['curl --insecure https://x', true], ['curl -fsSL https://x', false],
    ['wget --no-check-certificate https://x', true], ['pip3 install --trusted-host pypi.example x', true],
    ['npm config set strict-ssl false', true], ['yarn config set strict-ssl false', true], ['apk add --allow-untrusted x.apk', true],
    ['apt-get install -y --force-yes x', true], ['dnf install --nogpgcheck x', true], ['rpm -i --nodigest x.rpm', true],
    ['yum-config-manager --setopt=sslverify=false', true], ['git config --global http.sslVerify false', true],
    ['export NODE_TLS_REJECT_UNAUTHORIZED=0 && node x', true], ['PIP_TRUSTED_HOST=pypi.example pip install x', true],
    ['NODE_TLS_REJECT_UNAUTHORIZED=1 node x', false],
  ])('RUN %s -> %s', (command, insecure) => {
    expect(insecureTransport(command, true) !== undefined).toBe(insecure)
  })

  it.each([
    ['PYTHONHTTPSVERIFY=0', true], ['PYTHONHTTPSVERIFY 0', true], ['GIT_SSL_NO_VERIFY=true', true], ['NPM_CONFIG_STRICT_SSL=false', true],
    ['PYTHONHTTPSVERIFY=1', false], ['NODE_EXTRA_CA_CERTS=/ca.pem', false],
  ])('ENV %s -> %s', (declaration, insecure) => {
    expect(insecureTransport(declaration, false) !== undefined).toBe(insecure)
  })
})

describe('Dockerfile words and commands as the builder and the shell read them', () => {
  const findings = (text: string) => runChecks({ files: dockerfile(text), facts: [], skips: [] }, { today: '2026-11-25' }).findings
  const lines = (text: string, id: string) => findings(text).filter((finding) => finding.ruleId === id).map((finding) => finding.message)

  it('finds a secret after a value with an escaped quote', () => {
    const text = `FROM a:1\nENV MSG="it\\"s" DB_PASSWORD=${'hunter2'}secret\n`
    expect(lines(text, 'DKR-005')).toEqual(['ENV DB_PASSWORD holds a literal value (hunt****).'])
  })

  it('honours the escape directive in ENV words', () => {
    const text = '# escape=`\nFROM a:1\nENV MSG="it`"s" API_TOKEN=abcdef123456\n'
    expect(lines(text, 'DKR-005')).toEqual(['ENV API_TOKEN holds a literal value (abcd****).'])
  })

  it('checks what ONBUILD registers like any other instruction', () => {
    const text = 'FROM a:1\nONBUILD RUN curl -fsSL https://get.example.com | bash\nONBUILD ADD http://example.com/x.tgz /opt/\nUSER 1\n'
    const ids = findings(text).map((finding) => `${finding.ruleId}:${finding.location.kind === 'file' ? finding.location.line : 0}`)
    expect(ids).toEqual(expect.arrayContaining(['DKR-009:2', 'DKR-003:3']))
  })

  it('reads each command of a RUN: a second apk add, and each package manager, are seen', () => {
    expect(lines('FROM a:1\nRUN apk add --no-cache a=1 && apk add b=2\n', 'DKR-007')).toEqual(['apk add without --no-cache.'])
    // pip's --no-cache-dir does not satisfy the apk check
    expect(lines('FROM a:1\nRUN apk add curl=1 && pip install --no-cache-dir flask==3\n', 'DKR-007')).toEqual(['apk add without --no-cache.'])
    expect(lines('FROM a:1\nRUN apt-get install -y --no-install-recommends x=1 && pip install flask==3\n', 'DKR-007'))
      .toEqual(['apt-get install without removing /var/lib/apt/lists in the same RUN.', 'pip install without --no-cache-dir.'])
  })

  it('flags sudo calls only, not the sudo package', () => {
    expect(lines('FROM a:1\nRUN apt-get install -y sudo && rm -rf /var/lib/apt/lists/*\n', 'DKR-011')).toEqual([])
    expect(lines('FROM a:1\nRUN echo x | xargs sudo rm\n', 'DKR-011')).toEqual(['RUN calls sudo.'])
    expect(lines('FROM a:1\nRUN if true; then sudo make install; fi\n', 'DKR-011')).toEqual(['RUN calls sudo.'])
  })

  it('does not read quoted or heredoc text as commands', () => {
    expect(lines('FROM a:1\nRUN echo "curl x | sh" && cat <<EOF > /etc/motd\nwget y | bash\nEOF\n', 'DKR-009')).toEqual([])
    expect(lines('FROM a:1\nRUN sh -c "$(curl -fsSL https://get.example.com)"\n', 'DKR-009')).toHaveLength(1)
  })
})

describe('SEC-003 tells credentials from names of credentials', () => {
  it.each([
    ['const password = "hunter2hunter2"', true],
    ['DB_PASSWORD = "s3cr3t-Value!"', true],
    ['client_secret: "changeme"', true],
    ['ACCESS_KEY = "AWS_ACCESS_KEY_ID"', false],
    ['"input_token": "NextToken"', false],
    ['const passwordField = "password"', false],
    ['secretKey = "config.db.secret"', false],
    ['api_key = "{{ api_key }}"', false],
    ['password: "/run/secrets/db"', false],
    ['secretAccessKey: "testing"', false],
    ['const nextToken = "abc123def"', false],
  ])('%s -> %s', (line, flagged) => {
    const report = runChecks({ files: [{ path: 'src/app.ts', text: `${line}\n`, role: 'source' }], facts: [], skips: [] }, { today: '2026-11-25' })
    expect(report.findings.some((finding) => finding.ruleId === 'SEC-003')).toBe(flagged)
  })
})
