import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allModules } from '../src/modules/index.ts';

describe('the module registry', () => {
  it('lists every folder of src/modules once, by its name', () => {
    const folders = readdirSync(new URL('../src/modules/', import.meta.url), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
    expect(allModules.map((module) => module.name).sort()).toEqual(folders);
  });
});
