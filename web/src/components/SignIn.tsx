import { useState } from 'preact/hooks';

/** The key prompt: the key stays in this tab's sessionStorage. */
export function SignIn({ message, onSignIn }: { message: string | null; onSignIn: (key: string) => Promise<void> }) {
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    if (!key.trim()) return;
    setBusy(true);
    await onSignIn(key.trim());
    setBusy(false);
  };
  return (
    <main class="sign-in">
      <h1>Breaker recovery platform</h1>
      <form onSubmit={submit}>
        <label for="api-key">API key</label>
        <input
          id="api-key"
          type="password"
          autocomplete="off"
          spellcheck={false}
          value={key}
          onInput={(e) => setKey((e.target as HTMLInputElement).value)}
          aria-describedby={message ? 'sign-in-message' : undefined}
          autofocus
        />
        <button type="submit" disabled={busy}>
          Sign in
        </button>
        {message && (
          <p id="sign-in-message" class="error" role="alert">
            {message}
          </p>
        )}
        <p class="hint">
          A fresh install writes its admin key to <code>data/admin-key</code>. The key is kept for this tab only.
        </p>
      </form>
    </main>
  );
}
