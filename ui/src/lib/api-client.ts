// Every call the dashboard makes goes through here: the public API, the token in a header (never in
// a URL), errors turned into messages that say what the API said.

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code?: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ApiClient {
  readonly base: string;
  readonly token: string;
  get<T>(path: string, init?: { signal?: AbortSignal }): Promise<T>;
  send<T>(method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T>;
  /** The raw response of an authenticated request (the event stream reads its body). */
  fetch(path: string, init?: RequestInit): Promise<Response>;
}

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** The API's root seen from the page: `/ui/` → `/`, and the same behind a proxy's path prefix. */
export function apiBaseOf(pageUrl: string): string {
  return new URL('..', pageUrl).href;
}

export async function errorOf(response: Response): Promise<ApiError> {
  let message = `${response.status} ${response.statusText}`.trim();
  let code: string | undefined;
  let field: string | undefined;
  try {
    const body = (await response.json()) as { error?: unknown; code?: unknown; field?: unknown };
    if (typeof body.error === 'string') message = body.error;
    if (typeof body.code === 'string') code = body.code;
    if (typeof body.field === 'string') field = body.field;
  } catch {
    // Not JSON (a proxy's error page): the status line says enough.
  }
  return new ApiError(message, response.status, code, field);
}

export function createApiClient(options: {
  base: string;
  token: string;
  fetch?: FetchLike;
  /** Called on a 401: the token was revoked or changed; the app signs out. */
  onUnauthorized?: (error: ApiError) => void;
}): ApiClient {
  const doFetch: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
  const url = (path: string) => new URL(path.replace(/^\//, ''), options.base).href;

  const raw = async (path: string, init: RequestInit = {}): Promise<Response> => {
    const headers = new Headers(init.headers);
    headers.set('X-ZT1-Auth', options.token);
    const response = await doFetch(url(path), { ...init, headers, credentials: 'omit', cache: 'no-store' });
    if (response.status === 401) {
      const error = await errorOf(response);
      options.onUnauthorized?.(error);
      throw error;
    }
    return response;
  };

  const json = async <T>(response: Response): Promise<T> => {
    if (!response.ok) throw await errorOf(response);
    const text = await response.text();
    return (text === '' ? undefined : JSON.parse(text)) as T;
  };

  return {
    base: options.base,
    token: options.token,
    fetch: raw,
    async get<T>(path: string, init: { signal?: AbortSignal } = {}) {
      return json<T>(await raw(path, { signal: init.signal }));
    },
    async send<T>(method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown) {
      const init: RequestInit = { method };
      if (body !== undefined) {
        init.body = JSON.stringify(body);
        init.headers = { 'content-type': 'application/json' };
      }
      return json<T>(await raw(path, init));
    },
  };
}
