// A deterministic corpus of Dockerfiles and compose files with known, planted
// defects: the same seed always writes the same files and the same answer key.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { seededRandom } from '../seeded-random.mjs'


/** Planted Dockerfile defects and the strato rule that must report each. */
export const DOCKERFILE_DEFECTS = {
  root: 'DKR-001', latest: 'DKR-002', addUrl: 'DKR-003', addLocal: 'DKR-004', secretEnv: 'DKR-005',
  noHealthcheck: 'DKR-006', aptCache: 'DKR-007', updateAlone: 'DKR-008', curlPipe: 'DKR-009', ssh: 'DKR-010',
  sudo: 'DKR-011', insecure: 'DKR-012', apt: 'DKR-013', relativeWorkdir: 'DKR-014', duplicateAlias: 'DKR-015',
  maintainer: 'DKR-016', chpasswd: 'DKR-017', unpinned: 'DKR-018', pipefail: 'DKR-019', cd: 'DKR-020', recommends: 'DKR-021',
  shellCmd: 'DKR-022', userName: 'DKR-023', copyFromImage: 'DKR-024', onbuildCurl: 'DKR-009', escapedSecret: 'DKR-005', broken: 'CHK-001',
}

/** How often each defect is planted: most real Dockerfiles do not pin apt packages, few pipe curl into sh. */
const RATES = { unpinned: 0.8, recommends: 0.15, pipefail: 0.3, cd: 0.18, shellCmd: 0.11, userName: 0.1, copyFromImage: 0.05, onbuildCurl: 0.02, escapedSecret: 0.03 }

export const COMPOSE_DEFECTS = {
  // strato:ignore SEC-003 maps defect names to rule ids; no credentials here
  privileged: 'CMP-001', hostNetwork: 'CMP-002', dockerSocket: 'CMP-003', databasePort: 'CMP-004', plaintextPassword: 'CMP-005',
  noMemoryLimit: 'CMP-006', noRestart: 'CMP-007', noHealthcheck: 'CMP-008', rootUser: 'CMP-009', broken: 'CHK-001',
}

const RUNTIMES = {
  node: { pinned: ['node:24.11-bookworm-slim', 'node:22.21-alpine3.22', 'local/node:24'], floating: ['node', 'node:latest'], cmd: ['node', 'server.js'], port: 3000 },
  python: { pinned: ['python:3.12.7-slim-bookworm', 'python:3.13-alpine3.22', 'local/python:3'], floating: ['python', 'python:latest'], cmd: ['python', '-m', 'app'], port: 8000 },
  debian: { pinned: ['debian:bookworm-20251103-slim', 'ubuntu:24.04', 'local/debian:bookworm'], floating: ['ubuntu', 'debian:latest'], cmd: ['/usr/local/bin/app'], port: 8080 },
  nginx: { pinned: ['nginx:1.27.3-alpine', 'local/nginx:1'], floating: ['nginx', 'nginx:latest'], cmd: ['nginx', '-g', 'daemon off;'], port: 8080 },
}

const INSECURE = [
  'RUN curl -k -o /tmp/tool.tgz https://downloads.example.com/tool.tgz',
  'RUN wget --no-check-certificate -O /tmp/tool.tgz https://downloads.example.com/tool.tgz',
  'RUN pip install --trusted-host pypi.internal.example --no-cache-dir requests',
  'RUN npm config set strict-ssl false',
  'ENV NODE_TLS_REJECT_UNAUTHORIZED=0',
  'ENV PYTHONHTTPSVERIFY=0',
  'RUN apk add --no-cache --allow-untrusted ./local-package.apk',
  'ENV GIT_SSL_NO_VERIFY=1',
  'RUN apt-get install -y --allow-unauthenticated legacy-tool && rm -rf /var/lib/apt/lists/*',
  'RUN yum install -y --nogpgcheck legacy-tool && yum clean all',
  'RUN rpm -i --nosignature /tmp/legacy-tool.rpm',
]

function pick(random, list) {
  return list[Math.floor(random() * list.length)]
}

function plantSome(random, defects, rate) {
  return Object.keys(defects).filter((name) => name === 'broken' ? random() < 0.01 : random() < (RATES[name] ?? rate))
}

function token(random, length) {
  const alphabet = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789'
  return Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join('')
}

/** One Dockerfile; returns its text and the defects planted in it. */
export function dockerfile(random) {
  const planted = new Set(plantSome(random, DOCKERFILE_DEFECTS, 0.11))
  const runtimeName = pick(random, Object.keys(RUNTIMES))
  const runtime = RUNTIMES[runtimeName]
  const lines = []
  const wrap = random() < 0.5
  let base = planted.has('latest') ? pick(random, runtime.floating) : pick(random, runtime.pinned)
  if (!planted.has('latest') && random() < 0.15 && base.includes(':')) {
    // ARG substitution in FROM, as many real Dockerfiles pin versions
    const [image, tag] = base.split(':')
    lines.push(`ARG BASE_TAG=${tag}`)
    base = `${image}:\${BASE_TAG}`
  } else if (!planted.has('latest') && random() < 0.03) {
    lines.push(`ARG BASE_IMAGE=${base}`)
    base = '${BASE_IMAGE}'
  }
  const multiStage = random() < 0.3 || planted.has('duplicateAlias')
  if (multiStage) {
    lines.push(`FROM ${planted.has('latest') ? 'golang' : 'golang:1.23.4-bookworm'} AS build`, 'WORKDIR /src', 'COPY . .', 'RUN go build -o /out/app ./cmd/app')
    if (planted.has('duplicateAlias')) lines.push('', 'FROM golang:1.23.4-bookworm AS build', 'RUN go test ./...')
    lines.push('')
  }
  lines.push(`FROM ${base}`)
  if (planted.has('maintainer')) lines.push('MAINTAINER platform@example.com')
  else lines.push('LABEL org.opencontainers.image.source="https://git.example.com/shop/app"')
  if (random() < 0.4) lines.push('# application files live here')
  lines.push(planted.has('relativeWorkdir') ? 'WORKDIR app' : 'WORKDIR /app')
  const alpine = base.includes('alpine')
  // apk has no recommended packages, and a root user makes the name of another one moot: keep the key true.
  if (alpine) planted.delete('recommends')
  if (planted.has('root')) planted.delete('userName')
  if (planted.has('updateAlone')) lines.push(alpine ? 'RUN apk update' : 'RUN apt-get update')
  // Packages: pinned unless `unpinned` is planted; --no-install-recommends unless `recommends` is planted.
  const packages = planted.has('unpinned')
    ? (alpine ? 'curl ca-certificates' : 'curl ca-certificates')
    : (alpine ? 'curl=8.11.1-r0 ca-certificates=20241121-r1' : 'curl=7.88.1-10+deb12u8 ca-certificates=20230311')
  const recommends = planted.has('recommends') ? '' : ' --no-install-recommends'
  if (alpine) {
    lines.push(planted.has('aptCache') ? `RUN apk add ${packages}` : `RUN apk add --no-cache ${packages}`)
  } else if (planted.has('aptCache')) {
    lines.push(wrap ? `RUN apt-get update \\\n    && apt-get install -y${recommends} ${packages}` : `RUN apt-get update && apt-get install -y${recommends} ${packages}`)
  } else {
    lines.push(wrap
      ? `RUN apt-get update \\\n    # curl for the health check\n    && apt-get install -y${recommends} ${packages} \\\n    && rm -rf /var/lib/apt/lists/*`
      : `RUN apt-get update && apt-get install -y${recommends} ${packages} && rm -rf /var/lib/apt/lists/*`)
  }
  if (planted.has('pipefail')) lines.push(pick(random, ['RUN curl -fsSL https://downloads.example.com/tool-1.4.2.tgz | tar -xz -C /opt', 'RUN wget -qO- https://downloads.example.com/agent.tar.gz | tar xz']))
  else if (random() < 0.2) lines.push('RUN set -o pipefail && curl -fsSL https://downloads.example.com/tool-1.4.2.tgz | tar -xz -C /opt')
  if (planted.has('cd')) lines.push('RUN cd /tmp && echo built > /tmp/stamp')
  if (planted.has('onbuildCurl')) lines.push('ONBUILD RUN curl -fsSL https://get.example.com/hook.sh | sh')
  if (planted.has('apt')) lines.push('RUN apt update && apt install -y jq && rm -rf /var/lib/apt/lists/*')
  if (planted.has('curlPipe')) lines.push(pick(random, ['RUN curl -fsSL https://get.example.com/install.sh | sh', 'RUN wget -qO- https://get.example.com/setup | bash -']))
  if (planted.has('insecure')) lines.push(pick(random, INSECURE))
  if (planted.has('addUrl')) lines.push('ADD https://downloads.example.com/releases/agent-1.4.2.tar.gz /opt/agent/')
  if (planted.has('addLocal')) lines.push('ADD ./config /etc/app/')
  if (multiStage) lines.push('COPY --from=build /out/app /usr/local/bin/app')
  if (planted.has('copyFromImage')) lines.push(pick(random, ['COPY --from=busybox /bin/busybox /bin/busybox', 'COPY --from=nginx:latest /etc/nginx/mime.types /etc/mime.types']))
  lines.push('COPY --chown=10001:10001 . /app')
  if (planted.has('secretEnv')) lines.push(`ENV ${pick(random, ['DB_PASSWORD', 'API_KEY', 'JWT_SECRET', 'STRIPE_TOKEN'])}=${token(random, 16)} LOG_LEVEL=info`)
  else if (planted.has('escapedSecret')) lines.push(`ENV MOTD="it\\"s up" ${pick(random, ['DB_PASSWORD', 'API_KEY'])}=${token(random, 16)}`)
  else lines.push(`ENV LOG_LEVEL=info PORT=${runtime.port}`)
  if (planted.has('chpasswd')) lines.push(`RUN echo "app:${token(random, 10)}" | chpasswd`)
  if (planted.has('broken')) lines.push(pick(random, ['COPPY . /app', 'RUNN echo misspelt', 'EXPOSE']))
  if (!planted.has('root')) lines.push(alpine ? 'RUN adduser -D -u 10001 app' : 'RUN useradd --system --uid 10001 app')
  if (planted.has('sudo')) lines.push('RUN sudo chown -R 10001 /app')
  lines.push(planted.has('ssh') ? `EXPOSE ${runtime.port} 22` : `EXPOSE ${runtime.port}`)
  if (!planted.has('noHealthcheck')) lines.push(`HEALTHCHECK --interval=30s --timeout=3s CMD curl -fsS http://localhost:${runtime.port}/healthz || exit 1`)
  if (planted.has('root')) { if (random() < 0.5) lines.push('USER root') } else lines.push(planted.has('userName') ? 'USER app' : 'USER 10001')
  lines.push(planted.has('shellCmd') ? `CMD ${runtime.cmd.join(' ')}` : `CMD ${JSON.stringify(runtime.cmd)}`)
  return { text: `${lines.join('\n')}\n`, planted: [...planted] }
}

const DATABASES = [
  { image: 'postgres:16.4', port: 5432, env: 'POSTGRES_PASSWORD' },
  { image: 'mysql:8.4', port: 3306, env: 'MYSQL_PASSWORD' },
  { image: 'redis:7.4-alpine', port: 6379, env: 'REDIS_PASSWORD' },
  { image: 'mongo:8.0', port: 27017, env: 'MONGO_INITDB_ROOT_PASSWORD' },
]

/** One compose file with an app and a database service; returns its text and the planted defects. */
export function composeFile(random) {
  const planted = new Set(plantSome(random, COMPOSE_DEFECTS, 0.12))
  const database = pick(random, DATABASES)
  const app = [
    '  app:',
    `    image: registry.example.com/shop/app:1.${Math.floor(random() * 40)}.${Math.floor(random() * 10)}`,
    '    user: "10001"',
  ]
  if (planted.has('privileged')) app.push('    privileged: true')
  if (planted.has('hostNetwork')) app.push('    network_mode: host')
  else app.push('    ports:', '      - "8080:8080"')
  app.push('    environment:', '      LOG_LEVEL: info', `      DB_PASSWORD: \${DB_PASSWORD}`)
  if (planted.has('dockerSocket')) app.push('    volumes:', '      - /var/run/docker.sock:/var/run/docker.sock')
  app.push(random() < 0.5 ? '    mem_limit: 256m' : '    deploy:\n      resources:\n        limits: { cpus: "0.5", memory: 256M }')
  app.push('    restart: unless-stopped')
  app.push('    healthcheck:', '      test: ["CMD", "curl", "-fsS", "http://localhost:8080/healthz"]', '      interval: 30s')

  const db = ['  db:', `    image: ${database.image}`]
  if (planted.has('rootUser')) db.push('    user: root')
  db.push('    environment:')
  db.push(planted.has('plaintextPassword') ? `      ${database.env}: ${token(random, 14)}` : `      ${database.env}: \${DB_PASSWORD:?set DB_PASSWORD in .env}`)
  db.push('    ports:', planted.has('databasePort') ? `      - "${database.port}:${database.port}"` : `      - "127.0.0.1:${database.port}:${database.port}"`)
  if (!planted.has('noMemoryLimit')) db.push('    mem_limit: 512m')
  if (!planted.has('noRestart')) db.push(`    restart: ${pick(random, ['always', 'unless-stopped', 'on-failure'])}`)
  if (!planted.has('noHealthcheck')) db.push('    healthcheck:', '      test: ["CMD-SHELL", "true"]', '      interval: 10s')
  db.push('    volumes:', '      - data:/var/lib/data')

  const text = ['services:', ...app, ...db, 'volumes:', '  data: {}', ''].join('\n')
  if (planted.has('broken')) return { text: text.replace('    image:', '   image: [unclosed'), planted: ['broken'] }
  return { text, planted: [...planted] }
}

/** Writes `count` files (70% Dockerfiles under dir/dockerfiles, 30% compose files under dir/compose); returns the answer key. */
export function writeCorpus(dir, count, seed) {
  rmSync(dir, { recursive: true, force: true })
  const random = seededRandom(seed)
  const key = []
  for (let index = 0; index < count; index++) {
    const isDockerfile = index % 10 < 7
    // Dockerfiles and compose files in two folders, so both tools can be timed on exactly the same Dockerfiles.
    const folder = isDockerfile ? `dockerfiles/svc-${String(index).padStart(4, '0')}` : `compose/stack-${String(index).padStart(4, '0')}`
    const name = isDockerfile ? 'Dockerfile' : pick(random, ['compose.yaml', 'docker-compose.yml'])
    const { text, planted } = isDockerfile ? dockerfile(random) : composeFile(random)
    mkdirSync(path.join(dir, folder), { recursive: true })
    writeFileSync(path.join(dir, folder, name), text)
    key.push({ path: `${folder}/${name}`, kind: isDockerfile ? 'dockerfile' : 'compose', planted })
  }
  return key
}
