// Graceful shutdown: close() lets in-flight HTTP requests finish, ends WebSocket subscriptions
// with "going away", and then refuses new connections.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { START_RUN, gql, ok, seedProject, startHarness, type Harness } from './harness.ts';

describe('graceful shutdown', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => h?.close());

  it('drains HTTP and WebSocket', async () => {
    const seeded = await seedProject(h, h.a);
    const run = (await ok(h.server, h.a.ownerKey, START_RUN, { input: { modelVersionId: seeded.modelVersionId, datasetId: seeded.datasetId, targets: ['cpu-int8'] } })).startRun.run;
    let closeCode: number | undefined;
    const received: number[] = [];
    const client = createClient({
      url: h.server.wsUrl, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${h.a.ownerKey}` }, retryAttempts: 0,
      on: { closed: (event) => (closeCode = (event as { code: number }).code) },
    });
    const ended = new Promise<string>((resolve) => {
      client.subscribe({ query: 'subscription($r: ID!) { runEvents(runId: $r) { sequence } }', variables: { r: run.id } }, {
        next: (v: any) => received.push(v.data.runEvents.sequence),
        error: () => resolve('error'),
        complete: () => resolve('complete'),
      });
    });
    while (received.length === 0) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(received, [1]);

    const inFlight = gql(h.server, h.a.ownerKey, '{ projects { totalCount } }');
    await new Promise((r) => setTimeout(r, 5));
    const closing = h.server.close();
    const response = await inFlight;
    assert.equal(response.status, 200);
    assert.equal(response.body.data.projects.totalCount, 1);
    await closing;
    assert.ok(['error', 'complete'].includes(await ended));
    assert.equal(closeCode, 1001);
    await assert.rejects(fetch(h.server.graphqlUrl, { method: 'POST', body: '{}' }));
    await client.dispose();
  });
});
