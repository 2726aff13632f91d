/** Sign-in: createSession?cookie=true sets the HttpOnly cookie the board then rides on. */
import { useState } from "preact/hooks";
import { type SessionUser, signIn } from "./api.js";

export function SignIn(props: { notice: string | undefined; onSignedIn: (user: SessionUser) => void }) {
  const [externalId, setExternalId] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  const submit = (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    signIn(externalId.trim(), password).then(
      (user) => props.onSignedIn(user),
      (failure: unknown) => {
        setBusy(false);
        setError(failure instanceof Error ? failure.message : String(failure));
      },
    );
  };

  return (
    <main class="sign-in">
      <form onSubmit={submit} aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">Callboard</h1>
        <p class="subtitle">Supervisors' wallboard</p>
        {props.notice && <p class="notice">{props.notice}</p>}
        <label>
          Login
          <input
            name="externalId"
            autocomplete="username"
            required
            value={externalId}
            onInput={(e) => setExternalId(e.currentTarget.value)}
          />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autocomplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </label>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
