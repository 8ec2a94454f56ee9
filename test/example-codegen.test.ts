import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { generate } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';
import config from '../examples/web/codegen.ts';

describe('examples/web types', () => {
  it('are what GraphQL Code Generator makes of schema.graphql and its operations now (npm run codegen there when this fails)', async () => {
    const root = resolve('examples/web');
    const cwd = process.cwd();
    process.chdir(root);
    let files: Array<{ filename: string; content: string }>;
    try {
      files = await generate({ ...config, silent: true }, false);
    } finally {
      process.chdir(cwd);
    }
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) expect(readFileSync(resolve(root, file.filename), 'utf8'), file.filename).toBe(file.content);
  }, 60_000);
});
