import { existsSync, readFileSync } from 'node:fs';
import { buildSchema, findBreakingChanges, parse, printSchema, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../src/schema.ts';
import { exampleOperations } from '../src/http/graphiql/examples.ts';


// The contract lives in ../shared; a copy is kept here so a lone clone can run the suite too.
const sharedContract = new URL('../../shared/CONTRACT.graphql', import.meta.url);
const vendoredContract = new URL('./contract/CONTRACT.graphql', import.meta.url);
const contractSource = readFileSync(existsSync(sharedContract) ? sharedContract : vendoredContract, 'utf8');

describe('schema', () => {
  it.runIf(existsSync(sharedContract))('keeps its copy of the contract in step with ../shared', () => {
    expect(readFileSync(vendoredContract, 'utf8')).toBe(contractSource);
  });

  it("GraphiQL's example operations are valid against the schema", () => {
    expect(validate(schema, parse(exampleOperations)).map((e) => e.message)).toEqual([]);
  });

  it('matches the committed schema.graphql (run `npm run codegen` when this fails)', () => {
    expect(printSchema(schema)).toBe(readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8'));
  });

  it('makes no breaking change to the public contract', () => {
    const contract = buildSchema(contractSource);
    expect(findBreakingChanges(contract, schema).map((change) => change.description)).toEqual([]);
  });
});
