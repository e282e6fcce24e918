// Deploy: each channel's live candidate and its history, with rollback to an earlier deployment.
// Publishing happens from a run's results (RunResults); apps fetch the live model from
// GET /v1/projects/:id/channels/:channel/model with an app key.
import { useMutation, useQuery } from 'urql';
import { Link } from 'wouter';
import { QueryState, UserErrors } from '../components/Status.tsx';
import { formatBytes, formatDate, formatPercent } from '../format.ts';
import { graphql } from '../gql/index.ts';
import { canChange } from '../session.ts';
import { useSession } from '../session-context.ts';

const DeploymentsQuery = graphql(`
  query Deployments($id: ID!) {
    node(id: $id) {
      ... on Project {
        id
        deployments(first: 100) {
          edges { node {
            id channel createdAt rollbackOf { id }
            candidate { id key targetFit { target } metrics { accuracy bytes } run { id } }
          } }
        }
      }
    }
  }
`);
const Rollback = graphql(`
  mutation RollbackDeployment($input: RollbackDeploymentInput!) {
    rollbackDeployment(input: $input) { deployment { id } userErrors { message } }
  }
`);

export function DeployPanel({ projectId }: { projectId: string }) {
  const session = useSession();
  const [{ data, fetching, error }, refetch] = useQuery({ query: DeploymentsQuery, variables: { id: projectId } });
  const [rollback, runRollback] = useMutation(Rollback);
  const project = data?.node?.__typename === 'Project' ? data.node : null;
  const deployments = project?.deployments.edges.map((e) => e.node) ?? [];
  const channels = [...new Set(deployments.map((d) => d.channel))].sort();
  return (
    <>
      <QueryState fetching={fetching && !data} error={error} />
      {project && channels.length === 0 && <p>Nothing published yet. Publish a candidate from a finished run's results.</p>}
      {channels.map((channel) => {
        const history = deployments.filter((d) => d.channel === channel).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
        return (
          <div key={channel} className="channel">
            <h3>{channel}</h3>
            <div className="scroll">
              <table aria-label={`History of channel ${channel}`}>
                <thead><tr><th scope="col">When</th><th scope="col">Candidate</th><th scope="col">Accuracy</th><th scope="col">Size</th><th scope="col">State</th></tr></thead>
                <tbody>
                  {history.map((d, i) => (
                    <tr key={d.id}>
                      <td>{formatDate(d.createdAt)}</td>
                      <td><Link href={`/runs/${d.candidate.run.id}`}>{d.candidate.key}</Link></td>
                      <td>{formatPercent(d.candidate.metrics.accuracy)}</td>
                      <td>{formatBytes(d.candidate.metrics.bytes)}</td>
                      <td>
                        {i === 0 ? <strong>live</strong> : canChange(session.role) && history[0]!.candidate.id !== d.candidate.id ? (
                          <button type="button" onClick={async () => { await runRollback({ input: { projectId, channel, toDeploymentId: d.id } }); refetch({ requestPolicy: 'network-only' }); }}>Roll back to this</button>
                        ) : <span className="muted">earlier</span>}
                        {d.rollbackOf && <span className="muted"> (rollback)</span>}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>
        );
      })}
      <UserErrors errors={rollback.data?.rollbackDeployment.userErrors} />
    </>
  );
}
