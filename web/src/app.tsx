/** The page: a sign-in form until there is a session, then the board. */
import { useCallback, useEffect, useState } from "preact/hooks";
import { currentUser, forgetSession, type SessionUser, signOut } from "./api.js";
import { Board } from "./board.js";
import { SignIn } from "./sign-in.js";

export function App() {
  // undefined while the cookie's session is being checked
  const [user, setUser] = useState<SessionUser | null | undefined>(undefined);
  const [notice, setNotice] = useState<string | undefined>(undefined);

  useEffect(() => {
    currentUser().then(setUser, () => {
      setUser(null);
      setNotice("The server cannot be reached.");
    });
  }, []);

  const signedOut = useCallback((why?: string) => {
    forgetSession();
    setNotice(why);
    setUser(null);
  }, []);

  const leave = useCallback(() => {
    signOut().then(
      () => signedOut(),
      () => signedOut(),
    );
  }, [signedOut]);

  if (user === undefined) return <main class="loading">Loading…</main>;
  if (user === null)
    return (
      <SignIn
        notice={notice}
        onSignedIn={(u) => {
          setNotice(undefined);
          setUser(u);
        }}
      />
    );
  return <Board user={user} onSignOut={leave} onSignedOut={signedOut} />;
}
