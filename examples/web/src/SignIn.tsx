import { type FormEvent, useState } from 'react';
import { useMutation } from 'urql';
import type { Session } from './client.ts';
import { graphql } from './gql/index.ts';

const SignInMutation = graphql(`
  mutation SignIn($input: SignInInput!) {
    signIn(input: $input) { token user { id username } }
  }
`);

const SignUpMutation = graphql(`
  mutation SignUp($input: SignUpInput!) {
    signUp(input: $input) { token user { id username } }
  }
`);

export function SignIn({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [, signIn] = useMutation(SignInMutation);
  const [, signUp] = useMutation(SignUpMutation);

  async function submit(event: FormEvent, create: boolean) {
    event.preventDefault();
    const input = { username, password };
    const result = create ? await signUp({ input }) : await signIn({ input });
    const payload = result.data && ('signUp' in result.data ? result.data.signUp : result.data.signIn);
    if (!payload) return setError(result.error?.graphQLErrors[0]?.message ?? result.error?.message ?? 'Could not sign in');
    onSignedIn({ token: payload.token, userId: payload.user.id, username: payload.user.username });
  }

  return (
    <form className="card" onSubmit={(e) => submit(e, false)}>
      <h1>Plaza</h1>
      <input name="username" placeholder="username" value={username} onChange={(e) => setUsername(e.target.value)} />
      <input name="password" type="password" placeholder="password" value={password} onChange={(e) => setPassword(e.target.value)} />
      <button type="submit">Sign in</button>
      <button type="button" onClick={(e) => submit(e, true)}>Create account</button>
      {error && <p role="alert">{error}</p>}
    </form>
  );
}
