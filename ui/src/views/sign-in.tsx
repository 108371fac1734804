// Sign in with the API token (authtoken.secret in the data dir, or a named token). It is checked
// against the controller before anything else is shown.
import { useEffect, useRef, useState } from 'preact/hooks';

export function SignIn(props: { onSubmit: (token: string) => Promise<string | null>; message?: string }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(props.message ?? null);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (token.trim() === '') {
      setError('Enter the API token.');
      return;
    }
    setBusy(true);
    const problem = await props.onSubmit(token.trim());
    setBusy(false);
    if (problem) {
      setError(problem);
      input.current?.select();
    }
  };

  return (
    <main class="sign-in" id="main">
      <form class="card sign-in-card" onSubmit={submit} aria-describedby="sign-in-help">
        <h1>Routeplane</h1>
        <p id="sign-in-help" class="muted">
          Sign in with the controller's API token: <code>authtoken.secret</code> in its data directory (or the
          value of <code>ROUTEPLANE_TOKEN</code>). It is kept in this browser tab only.
        </p>
        {/* Lets password managers file the token under a name; not for people. */}
        <input
          type="text"
          name="username"
          autocomplete="username"
          value="routeplane"
          readOnly
          hidden
          aria-hidden="true"
          tabIndex={-1}
        />
        <label for="token">API token</label>
        <input
          id="token"
          ref={input}
          type="password"
          autocomplete="current-password"
          spellcheck={false}
          value={token}
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={error ? 'token-error' : undefined}
          onInput={(e) => setToken(e.currentTarget.value)}
        />
        {error && (
          <p id="token-error" class="field-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="button primary" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
