/** A small path router for the fake: patterns like /compute/v1/projects/:project/global/healthChecks/:name. */

export interface FakeRequest {
  method: string
  path: string
  params: Record<string, string>
  query: URLSearchParams
  body: Record<string, unknown>
  headers: Record<string, string | string[] | undefined>
}

export interface FakeResponse {
  status?: number
  body: unknown
  /** an operations `wait` may block: the server awaits this */
  headers?: Record<string, string>
}

export type Handler = (request: FakeRequest) => FakeResponse | Promise<FakeResponse>

export interface Route {
  method: string
  pattern: string
  /** the IAM permission the call needs (a function of the parameters where it varies) */
  permission: string | ((params: Record<string, string>) => string)
  /** compute answers errors in its classic form, the other APIs in the newer one */
  api: 'compute' | 'other'
  /** the API's host name, for error details */
  domain: string
  handle: Handler
}

interface CompiledRoute extends Route { regex: RegExp; names: string[] }

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

export class Router {
  private readonly routes: CompiledRoute[] = []

  add(route: Route): void {
    const names: string[] = []
    const source = route.pattern
      .split('/')
      .map((part) => {
        // ":secret:addVersion" is a parameter followed by a literal custom method
        if (part.startsWith(':')) {
          const [name, ...method] = part.slice(1).split(':')
          names.push(name)
          return method.length ? `([^/:]+):${escape(method.join(':'))}` : '([^/:]+)'
        }
        return escape(part)
      })
      .join('/')
    this.routes.push({ ...route, regex: new RegExp(`^${source}$`), names })
  }

  match(method: string, path: string): { route: Route; params: Record<string, string> } | undefined {
    for (const route of this.routes) {
      if (route.method !== method) continue
      const found = route.regex.exec(path)
      if (!found) continue
      const params: Record<string, string> = {}
      route.names.forEach((name, index) => { params[name] = decodeURIComponent(found[index + 1]) })
      return { route, params }
    }
    return undefined
  }

  /** Whether some route has this path under another method (405 rather than 404). */
  knowsPath(path: string): boolean {
    return this.routes.some((route) => route.regex.test(path))
  }
}
