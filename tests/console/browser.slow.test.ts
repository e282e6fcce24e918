// The console in a real browser (Debian's chromium driven by playwright-core) against a real API
// with the embedded runner: sign in by keyboard, upload a tiny model and dataset, start a run,
// watch it to the end on the live page (reloading halfway), read the results, publish two
// candidates, roll back, sign out; a viewer sees no mutating controls and the API refuses them
// anyway; another organization's run shows "not found". Every page is checked with axe-core (no
// serious or critical violations), at 1280×800 and 390 px wide, and screenshots go to
// CONSOLE_SCREENSHOTS (default reports/console-screenshots/). No console errors are allowed.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { loadConfig } from '../../services/config.ts';
import { withTenant } from '../../services/db/tenant.ts';
import { CONSOLE_DIST } from '../../services/api/http/console.ts';
import { createServer, type ApiServer } from '../../services/api/server.ts';
import { EmbeddedRunner } from '../../services/runs/embedded-runner.ts';
import { openRunServices, type RunServices } from '../../services/runs/run-services.ts';
import { addMember, bootstrapOrganization, createApiKey } from '../../services/tenancy/index.ts';
import { CREATE_PROJECT, START_RUN, ok, tinyCsv, tinyModelZip, upload } from '../api/harness.ts';

const SCREENSHOTS = resolve(process.env.CONSOLE_SCREENSHOTS ?? 'reports/console-screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const SIZES = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } };

describe('the console in chromium', { timeout: 20 * 60_000 }, () => {
  let dataDir: string;
  let services: RunServices;
  let runner: EmbeddedRunner;
  let server: ApiServer;
  let browser: Browser;
  let ownerKey: string;
  let viewerKey: string;
  let otherOrgRunId: string;
  const errors: string[] = [];
  let runUrl = '';
  let projectUrl = '';

  before(async () => {
    if (!existsSync(join(CONSOLE_DIST, 'index.html'))) execFileSync('npm', ['run', 'build:console'], { stdio: 'inherit' });
    mkdirSync(SCREENSHOTS, { recursive: true });
    dataDir = mkdtempSync(join(tmpdir(), 'condense-console-browser-'));
    // Made before the run services pick their compute backend.
    const modelZip = await tinyModelZip();
    writeFileSync(join(dataDir, 'classifier.zip'), modelZip);
    writeFileSync(join(dataDir, 'measurements.csv'), tinyCsv(300));
    const config = loadConfig({ CONDENSE_DATA_DIR: dataDir, NODE_ENV: 'test', CONDENSE_BACKEND: 'cpu', CONDENSE_SIGNING_SECRET: 'b'.repeat(40) });
    services = await openRunServices(config, { sizes: { latencyRuns: 2, calibrationSamples: 20, maxPluginSamples: 200 } });
    runner = new EmbeddedRunner({ db: services.database.db, activities: services.activities, log: () => undefined });
    runner.run();
    server = await createServer({ database: services.database, config, launcher: runner, blobs: services.blobs, port: 0, host: '127.0.0.1', log: () => undefined, rateLimit: false });
    const a = await bootstrapOrganization(services.database.db, { name: 'Acme Vision', slug: 'acme', ownerEmail: 'owner@acme.test', ownerName: 'Ada Owner' });
    ownerKey = a.apiKey.secret;
    viewerKey = await withTenant(services.database.db, a.organization.id, async (trx) => {
      const { userId } = await addMember(trx, { orgId: a.organization.id, email: 'viewer@acme.test', role: 'viewer', displayName: 'Vic Viewer' });
      return (await createApiKey(trx, { orgId: a.organization.id, userId, name: 'viewer key' })).secret;
    });
    // Another organization with a run of its own (queued is enough: its id is what matters).
    const b = await bootstrapOrganization(services.database.db, { name: 'Other', slug: 'other', ownerEmail: 'owner@other.test', ownerName: 'Other' });
    const project = (await ok(server, b.apiKey.secret, CREATE_PROJECT, { input: { name: 'secret project' } })).createProject.project;
    const m = await upload(server, b.apiKey.secret, 'MODEL', 'model.zip', modelZip);
    const mv = (await ok(server, b.apiKey.secret, 'mutation($input: CompleteModelUploadInput!) { completeModelUpload(input: $input) { modelVersion { id } } }', { input: { uploadId: m.uploadId, projectId: project.id, modelName: 'm' } })).completeModelUpload.modelVersion;
    const d = await upload(server, b.apiKey.secret, 'DATASET', 'data.csv', tinyCsv(120));
    const ds = (await ok(server, b.apiKey.secret, 'mutation($input: CompleteDatasetUploadInput!) { completeDatasetUpload(input: $input) { dataset { id } } }', { input: { uploadId: d.uploadId, projectId: project.id, name: 'd' } })).completeDatasetUpload.dataset;
    otherOrgRunId = (await ok(server, b.apiKey.secret, START_RUN, { input: { modelVersionId: mv.id, datasetId: ds.id, targets: ['cpu-fp32'], techniques: [{ plugin: 'quantization', config: {} }] } })).startRun.run.id;

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    await runner?.stop();
    await services?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  async function newPage(colorScheme: 'light' | 'dark' = 'light'): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: SIZES.desktop, colorScheme, baseURL: server.url });
    // Generous: this suite shares two cores with a training run (and, on a busy machine, more).
    context.setDefaultTimeout(120_000);
    const page = await context.newPage();
    page.on('console', (message) => { if (message.type() === 'error') errors.push(`${page.url()}: ${message.text()}`); });
    page.on('pageerror', (error) => errors.push(`${page.url()}: ${error.message}`));
    // A failed request names itself and what the server said, next to the browser's own line.
    page.on('response', (response) => {
      if (response.status() < 400) return;
      void response.text().then((body) => errors.push(`${response.request().method()} ${response.url()} → ${response.status()}: ${body.slice(0, 300)} (${response.request().postData()?.slice(0, 200) ?? ''})`), () => undefined);
    });
    return { context, page };
  }

  /** axe-core on the page as it is: no serious or critical violations. */
  async function checkAccessibility(page: Page, name: string): Promise<void> {
    // Through the DevTools protocol, so the page's CSP (no inline scripts) stays in force.
    await page.evaluate(AXE_SOURCE);
    const violations = await page.evaluate(async () => {
      const result = await (window as any).axe.run(document, { resultTypes: ['violations'] });
      return result.violations.filter((v: any) => v.impact === 'serious' || v.impact === 'critical')
        .map((v: any) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n: any) => n.target.join(' ')).join(', ')}`);
    });
    assert.deepEqual(violations, [], `axe on ${name}`);
  }

  /** Screenshots at both sizes, and axe at both (layouts differ). */
  async function capture(page: Page, name: string): Promise<void> {
    await page.waitForLoadState('networkidle').catch(() => undefined);
    await checkAccessibility(page, `${name} (1280×800)`);
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-1280.png`), fullPage: true });
    await page.setViewportSize(SIZES.phone);
    await page.waitForTimeout(300);
    // A string, not a function: tsx's name-keeping helper (__name) does not exist in the page.
    const { overflow, culprits } = await page.evaluate<{ overflow: number; culprits: string[] }>(`(() => {
      const width = document.documentElement.clientWidth;
      // The innermost elements that reach past the right edge name the cause in the failure.
      const wide = [...document.body.querySelectorAll('*')].filter((e) => e.getBoundingClientRect().right > width + 1);
      const innermost = wide.filter((e) => !wide.some((other) => other !== e && e.contains(other)));
      return {
        overflow: document.documentElement.scrollWidth - width,
        culprits: innermost.slice(0, 5).map((e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
          + (typeof e.className === 'string' && e.className.trim() ? '.' + e.className.trim().split(/\\s+/).join('.') : '')
          + ' (right ' + Math.round(e.getBoundingClientRect().right) + ')'),
      };
    })()`);
    assert.ok(overflow <= 1, `${name} scrolls sideways by ${overflow} px at 390 px wide: ${culprits.join(', ')}`);
    await checkAccessibility(page, `${name} (390 px)`);
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-390.png`), fullPage: true });
    await page.setViewportSize(SIZES.desktop);
  }

  it('signs in with the keyboard, uploads, starts a run, follows it live to the end, publishes, rolls back and signs out', async () => {
    const { context, page } = await newPage();
    try {
      await ownerJourney(context, page);
    } catch (error) {
      await page.screenshot({ path: join(SCREENSHOTS, 'failure.png'), fullPage: true }).catch(() => undefined);
      throw error;
    }
  });

  async function ownerJourney(context: BrowserContext, page: Page): Promise<void> {
    await page.goto('/');
    await page.getByRole('heading', { name: 'Sign in to Condense' }).waitFor();
    await capture(page, '01-sign-in');
    // Keyboard only: Tab to the key field, type, Enter.
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'api-key');
    await page.keyboard.type(ownerKey);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Acme Vision' }).waitFor();
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie);
    assert.ok(!stored.includes(ownerKey), 'the key must not be kept by the page');
    assert.ok(!stored.includes('condense_session'), 'the session cookie must be HttpOnly');
    // The skip link is the first stop for keyboard users.
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to content');

    await page.getByLabel('Project name').fill('Sensors');
    await page.getByLabel('Description').fill('Tiny classifier for the browser suite');
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.getByRole('link', { name: 'Sensors' }).waitFor();
    await capture(page, '02-organization');

    await page.getByRole('link', { name: 'Sensors' }).click();
    await page.getByRole('heading', { name: 'Sensors', level: 1 }).waitFor();
    projectUrl = page.url();
    const uploadForm = page.locator('form.upload');
    await uploadForm.locator('input[type=radio]').nth(0).check();
    await uploadForm.locator('input[type=file]').setInputFiles(join(dataDir, 'classifier.zip'));
    await uploadForm.getByRole('button', { name: 'Upload' }).click();
    await uploadForm.getByRole('list', { name: 'Inspection result' }).waitFor();
    assert.match(await uploadForm.getByRole('list', { name: 'Inspection result' }).innerText(), /classifier v1: .* 15 parameters/);
    assert.equal(await uploadForm.getByRole('progressbar', { name: 'Upload progress' }).getAttribute('value'), '100');
    await capture(page, '03-upload');
    await uploadForm.locator('input[type=radio]').nth(1).check();
    await uploadForm.locator('input[type=file]').setInputFiles(join(dataDir, 'measurements.csv'));
    await uploadForm.getByRole('button', { name: 'Upload' }).click();
    await uploadForm.getByText(/measurements: csv .* 300 samples/).waitFor();
    await page.getByText(/measurements · csv/).waitFor();

    await page.getByRole('link', { name: 'New run' }).click();
    await page.getByRole('heading', { name: 'New run' }).waitFor();
    // Chosen techniques form one chain per target: two targets give the two candidates published below.
    await page.getByRole('checkbox', { name: /cpu-fp32/ }).check();
    await page.getByRole('checkbox', { name: /gpu-fp16/ }).check();
    await page.getByText('Fit rules:').first().waitFor();
    await page.getByLabel('Choose plugins and configure them').check();
    await page.getByRole('checkbox', { name: /^quantization/ }).check();
    await page.getByRole('checkbox', { name: /^pruning/ }).check();
    await page.getByText('pruning configuration').waitFor(); // the rjsf form from pruning's JSON Schema
    await capture(page, '04-new-run');
    await page.getByRole('button', { name: 'Start run' }).click();

    await page.getByRole('heading', { name: /^Run / }).waitFor();
    runUrl = page.url();
    await page.locator('.candidate').first().waitFor({ timeout: 10 * 60_000 });
    await capture(page, '05-live-run');
    // Reload halfway: the page resumes after its stored cursor and still shows the candidates.
    const before = await page.locator('.candidate').count();
    await page.reload();
    await page.getByRole('heading', { name: /^Run / }).waitFor();
    // The reloaded page replays the run's events from its stored cursor: wait for them to render.
    await page.waitForFunction((n) => document.querySelectorAll('.candidate').length >= n, before, { timeout: 60_000 })
      .catch(() => assert.fail('the candidates survive a reload'));
    await page.getByTestId('run-status').filter({ hasText: /succeeded|failed|cancelled/ }).waitFor({ timeout: 15 * 60_000 });
    assert.equal(await page.getByTestId('run-status').innerText(), 'succeeded');
    assert.ok(await page.locator('.candidate.done').count() >= 2, 'candidates finished on the live page');

    await page.getByRole('heading', { name: 'Results' }).waitFor();
    await page.locator('.target-results svg').first().waitFor();
    const rows = page.locator('.target-results tbody tr');
    assert.ok(await rows.count() >= 2, 'at least two candidates');
    await page.getByRole('button', { name: /^Size/ }).first().click();
    const sizes = await page.locator('.target-results tbody tr td:nth-child(4)').allInnerTexts();
    assert.ok(sizes.length >= 2);
    await page.getByRole('checkbox', { name: /^Compare/ }).nth(0).check();
    await page.getByRole('checkbox', { name: /^Compare/ }).nth(1).check();
    await page.getByRole('heading', { name: 'Comparison' }).waitFor();
    assert.ok(await page.getByRole('link', { name: '.tflite' }).count() >= 1);
    const download = await page.evaluate(async () => (await fetch((document.querySelector('a[download]') as HTMLAnchorElement).href)).status);
    assert.equal(download, 200);
    await capture(page, '06-results');

    const publishForms = page.getByRole('form', { name: /^Publish / });
    await publishForms.nth(0).getByRole('button', { name: 'Publish' }).click();
    await publishForms.nth(0).getByText('live on production').waitFor();
    await publishForms.nth(1).getByRole('button', { name: 'Publish' }).click();
    await publishForms.nth(1).getByText('live on production').waitFor();

    await page.goto(projectUrl);
    const history = page.getByRole('table', { name: 'History of channel production' });
    await history.waitFor();
    assert.equal(await history.locator('tbody tr').count(), 2);
    await history.getByRole('button', { name: 'Roll back to this' }).click();
    await history.getByText('(rollback)').waitFor();
    assert.equal(await history.locator('tbody tr').count(), 3);
    await capture(page, '07-project-deploy');

    // The organization's audit log names what was just done, newest first.
    await page.getByRole('link', { name: 'Organization' }).click();
    const audit = page.getByRole('region', { name: 'Audit log', exact: true });
    await audit.waitFor();
    assert.match(await audit.locator('tbody tr').first().innerText(), /deployment\.rollback/);
    assert.match(await audit.innerText(), /deployment\.publish/);
    await capture(page, '08-organization-audit');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Condense' }).waitFor();
    await page.goto(runUrl);
    await page.getByRole('heading', { name: 'Sign in to Condense' }).waitFor();
    await context.close();
  }

  it('shows a viewer no mutating controls, and the API refuses them anyway', async () => {
    assert.ok(runUrl && projectUrl, 'needs the run of the first test');
    const { context, page } = await newPage('dark');
    await page.goto('/');
    await page.getByLabel('API key').fill(viewerKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Acme Vision' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Create project' }).count(), 0);
    await page.goto(projectUrl);
    await page.getByRole('heading', { name: 'Sensors', level: 1 }).waitFor();
    await page.getByRole('table', { name: 'History of channel production' }).waitFor();
    for (const name of ['Upload', 'Create app key', 'Roll back to this']) assert.equal(await page.getByRole('button', { name }).count(), 0, name);
    assert.equal(await page.getByRole('link', { name: 'New run' }).count(), 0);
    await capture(page, '09-viewer-project-dark');
    await page.goto(runUrl);
    await page.getByRole('heading', { name: 'Results' }).waitFor();
    await page.locator('.target-results tbody tr').first().waitFor();
    for (const name of ['Publish', 'Cancel run', 'Retry run']) assert.equal(await page.getByRole('button', { name }).count(), 0, name);
    // The API refuses the viewer's session itself (asked from here with the browser's cookie, so the
    // deliberate 403 is not one of the page's console errors).
    const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    const session = await (await fetch(`${server.url}/session`, { headers: { cookie } })).json() as { csrfToken: string };
    const res = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, origin: server.url, 'x-condense-csrf': session.csrfToken },
      body: JSON.stringify({ query: 'mutation($input: CreateAppKeyInput!) { createAppKey(input: $input) { secret } }', variables: { input: { projectId: projectUrl.split('/').pop(), name: 'sneaky' } } }),
    });
    const refused = ((await res.json()) as { errors?: { extensions?: { code?: string } }[] }).errors?.[0]?.extensions?.code;
    assert.equal(refused, 'FORBIDDEN');
    await context.close();
  });

  it("answers another organization's run URL with not found", async () => {
    const { context, page } = await newPage();
    await page.goto('/');
    await page.getByLabel('API key').fill(ownerKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Acme Vision' }).waitFor();
    await page.goto(`/runs/${otherOrgRunId}`);
    await page.getByRole('heading', { name: 'Not found' }).waitFor();
    await capture(page, '10-not-found');
    await context.close();
  });

  it('logged no console errors on any page', () => {
    assert.deepEqual(errors, []);
    console.log(`screenshots: ${SCREENSHOTS}`);
  });
});
