/**
 * `npm run docs:config`: writes docs/configuration.md from the settings'
 * own declarations (src/config/sections/): every variable, its default and
 * what it does. test/config.test.ts fails when the file is not what this writes.
 */
import { writeFileSync } from 'node:fs';
import { configurationMarkdown } from '../src/config/docs.ts';

writeFileSync(new URL('../docs/configuration.md', import.meta.url), configurationMarkdown());
