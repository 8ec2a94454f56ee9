import { resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createServer as createVite, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app.ts';
import { findFreePort } from '../src/lib/ports.ts';
import { startTestApp } from './helpers/app.ts';
import { launchBrowser, skipWithoutBrowser } from './helpers/browser.ts';
import { createSection, ok, signUp, TEST_PASSWORD, type TestUser } from './helpers/http.ts';
import { FakeWeb, html } from './helpers/web.ts';

const skip = skipWithoutBrowser('the example app end-to-end test');

describe.skipIf(skip)('examples/web in two browsers: a seller and a viewer', () => {
  let web: FakeWeb;
  /** What the browsers talk to: locked to the example's own documents (PERSISTED_DOCUMENTS_ONLY), sent by hash. */
  let app: App;
  /** The test's own setup calls (sign-ups, a channel, a story) go to a second instance on the same database, unlocked. */
  let tools: App;
  let vite: ViteDevServer;
  let viteUrl: string;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    web = await new FakeWeb().start();
    web.routes.set(
      '/article',
      html(`<!doctype html><html><head><title>x</title>
        <meta property="og:title" content="Live previews in the example app">
        <meta property="og:description" content="Filled in while the page stays open">
        <meta property="og:site_name" content="Fake Web"><meta name="author" content="Jo Writer">
        <link rel="apple-touch-icon" href="/touch-icon.png"></head><body>hello</body></html>`),
    );
    const manifest = resolve('examples/web/src/gql/persisted-documents.json');
    [app, tools] = await Promise.all([
      startTestApp({ env: { RUN_WORKERS: 'true', LINK_FETCH_ALLOW_HOSTS: `127.0.0.1:${web.port}`, PERSISTED_DOCUMENTS: manifest, PERSISTED_DOCUMENTS_ONLY: 'true' } }),
      startTestApp(),
    ]);
    // The example's own dev server (its vite.config.ts), as `npm run dev` in examples/web starts it.
    const root = resolve('examples/web');
    vite = await createVite({ root, configFile: resolve(root, 'vite.config.ts'), logLevel: 'error', server: { host: '127.0.0.1', port: await findFreePort(), strictPort: true } });
    await vite.listen();
    viteUrl = vite.resolvedUrls!.local[0]!;
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await Promise.all(contexts.map((c) => c.close()));
    await browser?.close();
    await vite?.close();
    await app?.stop();
    await tools?.stop();
    await web?.stop();
  });

  /** A person in a browser of their own, signed in through the form; the page is never reloaded after this. */
  async function signedIn(user: TestUser): Promise<Page> {
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${viteUrl}?plaza=${encodeURIComponent(app.url)}&persisted=1#/`);
    await page.fill('input[name=username]', user.username);
    await page.fill('input[name=password]', TEST_PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForSelector(`[data-testid=me]:has-text("${user.username}")`, { timeout: 30_000 });
    await page.evaluate(() => ((window as unknown as { loadedOnce: boolean }).loadedOnce = true));
    return page;
  }
  const notReloaded = (page: Page) => page.evaluate(() => (window as unknown as { loadedOnce?: boolean }).loadedOnce === true);
  const go = (page: Page, hash: string) => page.evaluate((h) => (location.hash = h), hash);

  it('the viewer sees the highlight, live stock and chat, a new post, its link preview, its edit and its deletion arrive, and the author a story toast and a notification, without reloading', async () => {
    // The browsers' instance runs the example's documents only: anything else is refused there.
    const locked = await fetch(app.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ sections { id } }' }) });
    expect((await locked.json()).errors[0].extensions.code).toBe('PERSISTED_QUERY_ONLY');
    const seller = await signUp(tools, 'seller');
    const viewer = await signUp(tools, 'viewer');
    const section = await createSection(tools, seller);
    const { createChannel } = await ok<any>(tools, 'mutation { createChannel(input: { name: "Friday drop" }) { id } }', {}, seller.token);
    for (const [name, priceCents, stock] of [['Mug', 1200, null], ['Hoodie', 4500, null], ['Tee', 2500, 2]] as const) {
      await ok(tools, 'mutation($i: AddProductInput!) { addProduct(input: $i) { id } }', { i: { channelId: createChannel.id, name, priceCents, currency: 'EUR', stock } }, seller.token);
    }

    const [sellerPage, viewerPage] = [await signedIn(seller), await signedIn(viewer)];

    // Live channel: the viewer is watching before the seller highlights.
    await go(viewerPage, `#/channel/${createChannel.id}`);
    await viewerPage.waitForSelector('[data-testid=highlight]:has-text("Nothing highlighted")');
    await go(sellerPage, `#/channel/${createChannel.id}`);
    // Presence: the seller sees one viewer; the viewer sees the seller arrive.
    await sellerPage.waitForSelector('[data-testid=presence]:has-text("1 watching")');
    await viewerPage.waitForSelector('[data-testid=presence]:has-text("seller is live")');
    await sellerPage.click('[data-testid=highlight-Mug]');
    await viewerPage.waitForSelector('[data-testid=highlight-name]:has-text("Mug")');

    // Live stock: the viewer claims; both pages count down, and the last one sells out.
    await viewerPage.waitForSelector('[data-testid=product-Tee] [data-testid=stock]:has-text("2 left")');
    await viewerPage.click('[data-testid=product-Tee] [data-testid=claim]');
    await viewerPage.waitForSelector('[data-testid=claimed]:has-text("Claimed 1")');
    await sellerPage.waitForSelector('[data-testid=product-Tee] [data-testid=stock]:has-text("1 left")');
    await viewerPage.click('[data-testid=product-Tee] [data-testid=claim]');
    await sellerPage.waitForSelector('[data-testid=product-Tee] [data-testid=stock]:has-text("Sold out")');
    await viewerPage.waitForSelector('[data-testid=product-Tee] [data-testid=claim]:disabled');

    // Chat: the viewer's message reaches the seller as text, not markup; the seller pins it, then turns on slow mode.
    await viewerPage.fill('input[name=chat]', 'Is the <b>Tee</b> cotton?');
    await viewerPage.click('[data-testid=chat] button:has-text("Send")');
    await sellerPage.waitForSelector('[data-testid=chat-text]:has-text("Is the <b>Tee</b> cotton?")');
    expect(await sellerPage.locator('[data-testid=chat] b:has-text("Tee")').count()).toBe(0);
    await sellerPage.click('[data-testid=chat-message]:has-text("cotton") [data-testid=pin]');
    await viewerPage.waitForSelector('[data-testid=pinned]:has-text("cotton")');
    await sellerPage.click('[data-testid=toggle-slow-mode]');
    await sellerPage.waitForSelector('[data-testid=slow-mode]');
    await viewerPage.waitForSelector('[data-testid=slow-mode]:has-text("10 s")');
    // Within 10 s of their last message: refused, with how long to wait; the seller is not slowed.
    await viewerPage.fill('input[name=chat]', 'too soon');
    await viewerPage.click('[data-testid=chat] button:has-text("Send")');
    await viewerPage.waitForSelector('[data-testid=chat-error]:has-text("Slow mode: wait")');
    await sellerPage.fill('input[name=chat]', 'Yes, all cotton');
    await sellerPage.click('[data-testid=chat] button:has-text("Send")');
    await viewerPage.waitForSelector('[data-testid=chat-text]:has-text("Yes, all cotton")');
    expect(await sellerPage.locator('[data-testid=chat-text]:has-text("too soon")').count()).toBe(0);

    // Feed: the viewer watches the section; the seller posts a link through the form.
    await go(viewerPage, `#/section/${section.id}`);
    await viewerPage.waitForSelector('h2');
    await go(sellerPage, `#/section/${section.id}`);
    await sellerPage.fill('textarea[name=content]', 'Look at this');
    await sellerPage.fill('input[name=links]', `${web.url('/article')} ${web.url('/gone')}`);
    await sellerPage.click('button:has-text("Post")');
    await viewerPage.waitForSelector('[data-testid=post]:has-text("Look at this")');
    await viewerPage.waitForSelector('[data-testid=preview-title]:has-text("Live previews in the example app")', { timeout: 20_000 });
    expect(await viewerPage.textContent('[data-testid=preview-byline]')).toBe('Fake Web · Jo Writer');
    // A link whose page is gone says why, in a sentence, instead of showing its address alone.
    await viewerPage.waitForSelector('[data-testid=preview][data-status=FAILED] [data-testid=preview-error]');
    expect((await viewerPage.textContent('[data-testid=preview-error]'))?.length).toBeGreaterThan(5);
    expect(await viewerPage.getAttribute('[data-testid=preview-byline] img', 'src')).toBe(web.url('/touch-icon.png'));
    // Someone opening the section now loads the feed with @defer: posts in the first part, their previews in the next.
    const latecomer = await signedIn(viewer);
    // urql asks for SSE or multipart/mixed; Plaza answers the first it accepts, an event stream.
    const feed = (r: { url(): string; request(): { postData(): string | null } }) => `${r.url()} ${r.request().postData() ?? ''}`.includes('SectionFeed');
    const deferred = latecomer.waitForResponse((r) => feed(r) && /^(text\/event-stream|multipart\/mixed)/.test(r.headers()['content-type'] ?? ''));
    await go(latecomer, `#/section/${section.id}`);
    await deferred;
    await latecomer.waitForSelector('[data-testid=post]:has-text("Look at this") [data-testid=preview-title]:has-text("Live previews in the example app")');

    // The author edits and deletes their post; the viewer's feed follows, and offers them neither button.
    expect(await viewerPage.locator('[data-testid=post] button:has-text("Edit")').count()).toBe(0);
    await sellerPage.click('[data-testid=post] button:has-text("Edit")');
    await sellerPage.fill('textarea[name=edit]', 'Look at this, edited');
    await sellerPage.click('button:has-text("Save")');
    await viewerPage.waitForSelector('[data-testid=post]:has-text("Look at this, edited") [data-testid=edited]');
    await sellerPage.click('[data-testid=post] button:has-text("Delete")');
    await viewerPage.waitForSelector('[data-testid=post]', { state: 'detached' });
    await sellerPage.waitForSelector('[data-testid=post]', { state: 'detached' });

    // Stories: the viewer views the seller's story; the seller's page shows it.
    const { createStory } = await ok<any>(tools, 'mutation { createStory(input: { mediaUrl: "https://example.com/s.jpg" }) { id } }', {}, seller.token);
    await ok(tools, 'mutation($id: ID!) { viewStory(storyId: $id) { id } }', { id: createStory.id }, viewer.token);
    await sellerPage.waitForSelector(`[data-testid=toast]:has-text("${viewer.username} viewed your story")`);
    // The inbox: the bell counts it live; opened, it says who did what; marked read, the count goes.
    await sellerPage.waitForSelector('[data-testid=unread]:has-text("1")');
    await sellerPage.click('[data-testid=bell]');
    await sellerPage.waitForSelector(`[data-testid=notification]:has-text("${viewer.username} viewed your story")`);
    await sellerPage.click('[data-testid=inbox] button:has-text("Mark all read")');
    await sellerPage.waitForSelector('[data-testid=unread]:has-text("0")');

    expect(await notReloaded(viewerPage)).toBe(true);
    expect(await notReloaded(sellerPage)).toBe(true);
  }, 90_000);

  it('home: a channel going live shows on the other browser without a reload, search finds a post by a word of its link title, stories open, reactions count', async () => {
    const host = await signUp(tools, 'host');
    const shopper = await signUp(tools, 'shopper');
    const section = await createSection(tools, host);
    const { createChannel } = await ok<any>(tools, 'mutation { createChannel(input: { name: "Sunday market" }) { id } }', {}, host.token);
    // A post whose only mention of "heronries" is its link's title, read by the link job of the browsers' instance.
    web.routes.set('/heron', html('<html><head><meta property="og:title" content="Heronries of the northern marshes"></head><body></body></html>'));
    const { createPost } = await ok<any>(tools, 'mutation($i: CreatePostInput!) { createPost(input: $i) { id } }', { i: { sectionId: section.id, content: 'A walk', links: [web.url('/heron')] } }, host.token);
    const linkStatus = async () => (await ok<any>(tools, 'query($id: ID!) { node(id: $id) { ... on Post { links { status } } } }', { id: createPost.id }, host.token)).node.links[0].status;
    await expect.poll(linkStatus, { timeout: 20_000 }).toBe('READY');
    await ok(tools, 'mutation { createStory(input: { mediaUrl: "https://example.com/market.jpg", caption: "Stalls are up" }) { id } }', {}, host.token);

    const [hostPage, shopperPage] = [await signedIn(host), await signedIn(shopper)];
    // The directory: offline at first, live once its seller opens it, with no reload of the shopper's page.
    await shopperPage.waitForSelector('[data-testid=channel-entry][data-live=false]:has-text("Sunday market")');
    await go(hostPage, `#/channel/${createChannel.id}`);
    await shopperPage.waitForSelector('[data-testid=channel-entry][data-live=true]:has-text("Sunday market") [data-testid=live-badge]', { timeout: 15_000 });

    // Search: the word is only in the link's title; the match comes back marked.
    await shopperPage.fill('input[name=search]', 'heronries');
    await shopperPage.click('[data-testid=search] button:has-text("Search")');
    await shopperPage.waitForSelector('[data-testid=search-result][data-kind=Post] mark:has-text("Heronries")');

    // Stories: the tray shows the host's; opening it tells the host, live.
    await shopperPage.click(`[data-testid=story]:has-text("${host.username}")`);
    await shopperPage.waitForSelector('[data-testid=story-open] figcaption:has-text("Stalls are up")');
    await hostPage.waitForSelector(`[data-testid=toast]:has-text("${shopper.username} viewed your story")`);

    // Reactions: the shopper reacts in the section; the host, watching it, sees the count.
    await go(hostPage, `#/section/${section.id}`);
    await go(shopperPage, `#/section/${section.id}`);
    await shopperPage.waitForSelector('[data-testid=post]:has-text("A walk") [data-testid=reactions]');
    await hostPage.waitForSelector('[data-testid=post]:has-text("A walk") [data-testid=reactions]');
    await shopperPage.click('[data-testid=post]:has-text("A walk") [data-testid="react-🎉"]');
    await hostPage.waitForSelector('[data-testid="react-🎉"] [data-testid=reaction-count]:has-text("1")');
    await shopperPage.waitForSelector('[data-testid="react-🎉"][aria-pressed=true]');

    expect(await notReloaded(shopperPage)).toBe(true);
    expect(await notReloaded(hostPage)).toBe(true);
  }, 90_000);
});
