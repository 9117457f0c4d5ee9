/** The API key, kept for this tab only (sessionStorage): closing the tab signs out. */
const KEY = 'breaker-platform.api-key';

export function storedKey(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function storeKey(key: string | null): void {
  try {
    if (key === null) sessionStorage.removeItem(KEY);
    else sessionStorage.setItem(KEY, key);
  } catch {
    // Storage refused (a private window's quota, say): the key lives as long as the page.
  }
}
