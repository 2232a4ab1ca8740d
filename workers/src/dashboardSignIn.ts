import { callWithin, gatewayUrl, identityFromAuthorization, keepAliveAgent, requireRole } from '@baedal/platform';

/*
 * Signing in to the queue dashboard: an admin's email and password, checked
 * by the gateway's own `login` (its attempt limits and password hashing), and
 * a page to type them into.
 */

const LOGIN =
  'mutation QueueDashboardSignIn($email: String!, $password: String!) { login(email: $email, password: $password) { token expiresIn } }';

const agent = keepAliveAgent(4);

/** The admin's token and how long it lives, or an error whose message the page shows. */
export async function signInAsAdmin(
  email: string,
  password: string,
): Promise<{ token: string; maxAgeSeconds: number }> {
  const response = await callWithin(gatewayUrl(), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: LOGIN, variables: { email, password } }),
    timeoutMs: 10_000,
    agent,
  });
  const answer = JSON.parse(response.text) as {
    data?: { login?: { token: string; expiresIn: number } | null };
    errors?: { message: string }[];
  };
  const login = answer.data?.login;
  if (!login) throw new Error(answer.errors?.[0]?.message ?? 'Sign-in failed');
  try {
    requireRole(identityFromAuthorization(`Bearer ${login.token}`), 'ADMIN');
  } catch {
    throw new Error('The queue dashboard is for admins');
  }
  return { token: login.token, maxAgeSeconds: login.expiresIn };
}

const escape = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function signInPage(message = ''): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Baedal queues: sign in</title>
<style>body{font-family:system-ui,sans-serif;max-width:22rem;margin:4rem auto}label,input,button{display:block;width:100%;margin:.4rem 0}</style>
</head><body>
<h1>Baedal queues</h1>
<p>Sign in with an admin account.</p>
${message ? `<p role="alert">${escape(message)}</p>` : ''}
<form method="post" action="/queues/sign-in">
<label>Email <input name="email" type="email" autocomplete="username" required></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button>
</form>
</body></html>`;
}
