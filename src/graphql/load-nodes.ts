import type DataLoader from 'dataloader';

/** Loads many by id for `node(id:)`, with null where a row is missing. */
export async function loadNodes<T>(
  loader: DataLoader<string, T | null>,
  ids: readonly string[],
): Promise<(T | null)[]> {
  return (await loader.loadMany(ids)).map((row) => (row instanceof Error ? null : row));
}
