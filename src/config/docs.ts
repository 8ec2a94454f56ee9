import type { z } from 'zod';
import { SECTIONS } from './index.ts';

const TITLES: Record<keyof typeof SECTIONS, string> = {
  server: 'Server',
  database: 'PostgreSQL',
  redis: 'Redis',
  auth: 'Tokens and sessions',
  jobs: 'Background jobs and events',
  limits: 'Caps',
  documents: 'Persisted documents',
  links: 'Link previews',
  rateLimits: 'Rate limits and sign-in back-off',
  stories: 'Stories',
  notifications: 'Notifications',
  webhooks: 'Webhooks',
  channels: 'Live channels',
  presence: 'Presence',
  tracing: 'Tracing (OpenTelemetry)',
};

/** The default a schema carries, as the docs show it (a machine's own, its `shownDefault`); `–` for none. */
function defaultOf(schema: z.ZodType): string {
  const shown = (schema.meta() as { shownDefault?: string } | undefined)?.shownDefault;
  if (shown) return shown;
  const def = (schema as { def?: { type?: string; defaultValue?: unknown; innerType?: z.ZodType; in?: z.ZodType } }).def;
  if (!def) return '–';
  if (def.type === 'default') return def.defaultValue === '' ? '(empty)' : `\`${String(def.defaultValue)}\``;
  if (def.innerType) return defaultOf(def.innerType);
  if (def.in) return defaultOf(def.in);
  return '–';
}

/** docs/configuration.md: every setting by section, from its declaration. */
export function configurationMarkdown(): string {
  const sections = Object.entries(SECTIONS).map(([key, section]) => {
    const rows = Object.entries(section.shape).map(
      ([name, schema]) => `| \`${name}\` | ${defaultOf(schema as z.ZodType).replaceAll('|', '\\|')} | ${((schema as z.ZodType).description ?? '').replaceAll('|', '\\|')} |`,
    );
    return `## ${TITLES[key as keyof typeof SECTIONS]}\n\n| Variable | Default | Meaning |\n| --- | --- | --- |\n${rows.join('\n')}\n`;
  });
  return `# Configuration

Every setting Plaza reads, by concern, as declared in \`src/config/sections/\` (this file is written
from them by \`npm run docs:config\`; a test fails when it is stale). Everything is read, and checked,
in \`src/config/\`: every problem is reported at once, and a variable under one of Plaza's prefixes
(\`LINK_\`, \`RATE_LIMIT_\`, \`MAX_\`, …) that no setting has is logged as a warning at start. Empty
values count as unset. A cap set to \`0\` is off; what each cap and limit answers is in
[security.md](security.md). Migrations (drizzle-kit, in \`drizzle/\`) apply on start, one instance
at a time; \`npm run db:generate\` writes a new one after a change to a \`tables.ts\`, \`npm run
db:migrate\` applies them to \`DATABASE_URL\` without starting a server.

${sections.join('\n')}`;
}
