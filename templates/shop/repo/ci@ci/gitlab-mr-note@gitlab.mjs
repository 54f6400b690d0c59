// Posts the strato gate report (a Markdown file) as the merge request's one report note:
// the note carrying the report's marker is updated in place, or created the first time.
// It needs a project access token with the api scope in GITLAB_TOKEN (a masked CI/CD
// variable); without one the report stays in the job log and its artifacts.
import { readFileSync } from 'node:fs'

const MARKER = '<!-- strato:gate -->'
const file = process.argv[2] ?? 'gate.md'
const { GITLAB_TOKEN, CI_API_V4_URL, CI_PROJECT_ID, CI_MERGE_REQUEST_IID } = process.env

if (!GITLAB_TOKEN || !CI_MERGE_REQUEST_IID) {
  console.log('The gate report is not posted on the merge request: GITLAB_TOKEN or the merge request is missing.')
  process.exit(0)
}

const body = readFileSync(file, 'utf8')
const notes = `${CI_API_V4_URL}/projects/${encodeURIComponent(CI_PROJECT_ID)}/merge_requests/${CI_MERGE_REQUEST_IID}/notes`

async function call(method, url, payload) {
  const response = await fetch(url, {
    method,
    headers: { 'PRIVATE-TOKEN': GITLAB_TOKEN, ...(payload ? { 'content-type': 'application/json' } : {}) },
    body: payload ? JSON.stringify(payload) : undefined,
  })
  if (!response.ok) throw new Error(`${method} ${url} answered ${response.status}: ${(await response.text()).slice(0, 200)}`)
  return { json: await response.json(), next: response.headers.get('x-next-page') }
}

let previous
for (let page = '1'; page && !previous;) {
  const { json, next } = await call('GET', `${notes}?per_page=100&page=${page}`)
  previous = json.find((note) => typeof note.body === 'string' && note.body.includes(MARKER))
  page = next
}
if (!previous) await call('POST', notes, { body })
else if (previous.body !== body) await call('PUT', `${notes}/${previous.id}`, { body })
console.log(previous ? `Updated the gate report note ${previous.id}.` : 'Posted the gate report note.')
