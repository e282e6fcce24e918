// The console's sign-in state. The API key is sent once to POST /session and forgotten; the
// server answers with an HttpOnly cookie (invisible to this code) and a CSRF token that lives only
// in memory and goes with every GraphQL request and the WebSocket connection.
export type Role = 'OWNER' | 'ADMIN' | 'MEMBER' | 'VIEWER';

export interface Session {
  orgId: string;
  role: Role;
  scopes: string[];
  expiresAt: string;
  csrfToken: string;
}

async function errorMessage(res: Response): Promise<string> {
  try {
    const body = (await res.json()) as { error?: { message?: string } };
    return body.error?.message ?? `HTTP ${res.status}`;
  } catch {
    return `HTTP ${res.status}`;
  }
}

/** The current session, or null when the browser has none (or it ended). */
export async function loadSession(): Promise<Session | null> {
  const res = await fetch('/session', { credentials: 'same-origin' });
  if (!res.ok) throw new Error(await errorMessage(res));
  const body = (await res.json()) as ({ signedIn: true } & Session) | { signedIn: false };
  return body.signedIn ? body : null;
}

export async function signIn(apiKey: string): Promise<Session> {
  const res = await fetch('/session', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ apiKey }),
  });
  if (!res.ok) throw new Error(await errorMessage(res));
  return (await res.json()) as Session;
}

export async function signOut(session: Session): Promise<void> {
  await fetch('/session/sign-out', { method: 'POST', credentials: 'same-origin', headers: { 'x-condense-csrf': session.csrfToken } });
}

export const canChange = (role: Role): boolean => role !== 'VIEWER';
export const canAdminister = (role: Role): boolean => role === 'ADMIN' || role === 'OWNER';
