// Loading and error states of a query, announced to assistive technology.
import type { CombinedError } from 'urql';

export function QueryState({ fetching, error }: { fetching: boolean; error?: CombinedError }) {
  if (error) return <p role="alert" className="error">{error.graphQLErrors[0]?.message ?? error.message}</p>;
  if (fetching) return <p aria-busy="true">Loading…</p>;
  return null;
}

export function UserErrors({ errors }: { errors: readonly { message: string }[] | null | undefined }) {
  if (!errors?.length) return null;
  return <ul role="alert" className="error">{errors.map((e, i) => <li key={i}>{e.message}</li>)}</ul>;
}
