/**
 * The fixture pages served from a process of their own (`startPageServerProcess`):
 * the web a scraping instance fetches from is not the load client, so serving
 * 25 MB/s of pages must not hold up the client's own event loop while it
 * times deliveries to its subscribers.
 */
import { startPageServer } from './lib/page-server.ts';
import { fixturePages } from './scenarios/links.ts';

const pages = await startPageServer(fixturePages());
process.stdout.write(`${JSON.stringify({ msg: 'pages listening', ports: pages.ports })}\n`);
process.on('SIGTERM', () => void pages.close().then(() => process.exit(0)));
