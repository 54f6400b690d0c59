// Serves a handler on a free port for one test and gives it a small fetch wrapper.
import http from 'node:http'

export async function serve(handler, work) {
  const server = http.createServer(handler)
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const base = `http://127.0.0.1:${server.address().port}`
  const call = (method, path, { json, raw, type = 'application/json', headers = {} } = {}) =>
    fetch(base + path, {
      method,
      headers: json !== undefined || raw !== undefined ? { 'content-type': type, ...headers } : headers,
      body: json !== undefined ? JSON.stringify(json) : raw,
    })
  try {
    await work(call)
  } finally {
    await new Promise((resolve) => server.close(resolve))
  }
}
