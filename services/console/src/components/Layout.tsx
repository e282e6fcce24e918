// Page frame: skip link, header with the organization link, role and sign-out, main landmark.
import type { ReactNode } from 'react';
import { Link } from 'wouter';
import { useSession } from '../session-context.ts';

export function Layout({ children, onSignOut }: { children: ReactNode; onSignOut: () => void }) {
  const session = useSession();
  return (
    <>
      <a className="skip" href="#main">Skip to content</a>
      <header className="top">
        <Link href="/" className="brand">Condense</Link>
        <span className="role" aria-label="your role">{session.role.toLowerCase()}</span>
        <button type="button" onClick={onSignOut}>Sign out</button>
      </header>
      <main id="main" tabIndex={-1}>{children}</main>
    </>
  );
}
