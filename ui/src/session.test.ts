import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clearToken, loadToken, saveToken, type TokenStorage } from './session.ts';

function memoryStorage(): TokenStorage & { items: Map<string, string> } {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
    removeItem: (key) => void items.delete(key),
  };
}

describe('session token', () => {
  it('is kept in the tab’s storage and forgotten on sign-out', () => {
    const storage = memoryStorage();
    assert.equal(loadToken(storage), null);
    saveToken('s3cret', storage);
    assert.equal(loadToken(storage), 's3cret');
    assert.deepEqual([...storage.items.keys()], ['routeplane.token']);
    clearToken(storage);
    assert.equal(loadToken(storage), null);
  });

  it('works without storage (disabled by the browser): nothing is kept', () => {
    saveToken('x', undefined);
    assert.equal(loadToken(undefined), null);
  });
});
