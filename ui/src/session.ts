// The API token lives in this tab's session storage: gone when the tab closes, never in a URL or a
// cookie the browser would send by itself, never shared with other tabs' sign-outs.

const KEY = 'routeplane.token';

export interface TokenStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

function storage(): TokenStorage | undefined {
  try {
    return globalThis.sessionStorage;
  } catch {
    return undefined; // storage disabled: the token lives in memory only
  }
}

export function loadToken(store: TokenStorage | undefined = storage()): string | null {
  return store?.getItem(KEY) ?? null;
}

export function saveToken(token: string, store: TokenStorage | undefined = storage()): void {
  store?.setItem(KEY, token);
}

export function clearToken(store: TokenStorage | undefined = storage()): void {
  store?.removeItem(KEY);
}
