import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app.ts';
import { startTestApp } from './helpers/app.ts';
import { launchBrowser, skipWithoutBrowser } from './helpers/browser.ts';
import { createPost, localIdOf } from './helpers/http.ts';
import { listening } from './helpers/subscriptions.ts';

const skip = skipWithoutBrowser('the GraphiQL browser test');

type Editor = HTMLElement & { CodeMirror: { setValue(v: string): void; getValue(): string } };

/**
 * Replaces the query editor's text and runs it, as a person would with the run button; resolves with the
 * response pane's text once `until` holds. GraphiQL takes in an edit (which operations the document holds)
 * after a debounce whose end it marks by storing the query: the click waits for that.
 */
async function run(page: Page, query: string, until: string) {
  await page.evaluate((text) => (document.querySelector('.graphiql-query-editor .CodeMirror') as Editor).CodeMirror.setValue(text), query);
  await page.waitForFunction((text) => localStorage.getItem('graphiql:query') === text, query);
  await page.click('.graphiql-execute-button');
  await page.waitForFunction(
    (expected) => ((document.querySelector('.result-window .CodeMirror') as Editor | null)?.CodeMirror.getValue() ?? '').includes(expected),
    until,
    { timeout: 15_000 },
  );
  return page.evaluate(() => (document.querySelector('.result-window .CodeMirror') as Editor).CodeMirror.getValue());
}

describe.skipIf(skip)('GraphiQL in a real browser', () => {
  let app: App;
  let browser: Browser;
  const external: string[] = [];
  beforeAll(async () => {
    app = await startTestApp();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  async function open(path: string): Promise<Page> {
    const page = await browser.newPage();
    // Nothing may come from anywhere but Plaza: the page must work offline.
    await page.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.origin !== new URL(app.url).origin) {
        external.push(url.href);
        return route.abort();
      }
      return route.continue();
    });
    await page.goto(new URL(path, app.url).href);
    await page.waitForSelector('.graphiql-execute-button', { timeout: 15_000 });
    return page;
  }

  it.each([
    ['graphql-ws', '/graphql'],
    ['SSE', '/graphql?subscriptions=sse'],
  ])('renders from Plaza alone, signs up, and a subscription over %s receives a post created meanwhile', async (transport, path) => {
    const page = await open(path);
    const sockets: string[] = [];
    const eventStreams: string[] = [];
    page.on('websocket', (ws) => sockets.push(ws.url()));
    page.on('request', (request) => {
      if (request.headers().accept === 'text/event-stream') eventStreams.push(request.url());
    });
    const name = `gq_${Math.random().toString(36).slice(2, 10)}`;
    const signedUp = JSON.parse(await run(page, `mutation { signUp(input: { username: "${name}", password: "long enough" }) { token user { username } } }`, name));
    expect(signedUp.data.signUp.user.username).toBe(name);
    // The page took the token for the next requests (HTTP, SSE and the WebSocket's connectionParams),
    // and wrote it into the header editor.
    const headerEditors = await page.evaluate(() => [...document.querySelectorAll('.graphiql-editor-tool .CodeMirror')].map((e) => (e as Editor).CodeMirror.getValue()));
    expect(headerEditors.some((text) => text.includes(`Bearer ${signedUp.data.signUp.token}`))).toBe(true);
    const section = JSON.parse(await run(page, `mutation { createSection(input: { name: "Browser", slug: "${name.replace(/_/g, '-')}" }) { id } }`, '"id"'));
    const sectionId = section.data.createSection.id as string;

    const content = `seen in the browser over ${path}`;
    // The subscription is live once the server has a subscriber on the section's stream.
    const live = listening(app, `post:created:${localIdOf(sectionId)}`, 15_000);
    const subscribed = run(page, `subscription { postCreated(sectionId: "${sectionId}") { content author { username } } }`, 'seen in the browser');
    await live;
    await createPost(app, { token: signedUp.data.signUp.token, id: "", username: name, refreshToken: "", expiresAt: "" }, sectionId, content);
    const event = JSON.parse(await subscribed);
    expect(event.data.postCreated).toEqual({ content, author: { username: name } });
    expect(external).toEqual([]);
    // The subscription went the way asked for.
    if (transport === 'SSE') expect([sockets.length, eventStreams.length]).toEqual([0, 1]);
    else expect([sockets.length, eventStreams.length]).toEqual([1, 0]);
    await page.close();
  }, 60_000);
});
