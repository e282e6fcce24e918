// What a page shows for an id that does not exist or belongs to another organization.
import { Link } from 'wouter';
export function NotFound({ what }: { what: string }) {
  return (
    <section aria-labelledby="not-found">
      <h1 id="not-found">Not found</h1>
      <p>This {what} does not exist, or it belongs to another organization.</p>
      <p><Link href="/">Back to the organization</Link></p>
    </section>
  );
}
