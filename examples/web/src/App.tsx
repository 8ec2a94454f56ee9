import { useEffect, useMemo, useState } from 'react';
import { Provider } from 'urql';
import { Channel } from './Channel.tsx';
import { createPlazaClient, loadSession, saveSession, type Session } from './client.ts';
import { Home } from './Home.tsx';
import { Inbox } from './Inbox.tsx';
import { SectionFeed } from './SectionFeed.tsx';
import { SignIn } from './SignIn.tsx';
import { StoryToasts } from './StoryToasts.tsx';

/** `#/section/<id>`, `#/channel/<id>` or home. */
function useRoute(): string[] {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const onChange = () => setHash(location.hash);
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return hash.replace(/^#\/?/, '').split('/');
}

export function App() {
  const [session, setSession] = useState<Session | null>(loadSession);
  const client = useMemo(() => createPlazaClient(session), [session]);
  const [page, id] = useRoute();
  const signIn = (next: Session | null) => {
    saveSession(next);
    setSession(next);
  };
  if (!session) {
    return (
      <Provider value={client}>
        <SignIn onSignedIn={signIn} />
      </Provider>
    );
  }
  return (
    <Provider value={client}>
      <header>
        <a href="#/">Plaza</a>
        <Inbox />
        <span data-testid="me">{session.username}</span>
        <button onClick={() => signIn(null)}>Sign out</button>
      </header>
      <StoryToasts />
      <main>
        {page === 'section' && id ? <SectionFeed sectionId={id} me={session.userId} /> : page === 'channel' && id ? <Channel channelId={id} me={session.userId} /> : <Home />}
      </main>
    </Provider>
  );
}
