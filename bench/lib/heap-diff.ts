import { readFileSync } from 'node:fs';

interface Tally {
  count: number;
  bytes: number;
}

/** Self sizes in a V8 heap snapshot, by kind: constructor name for objects, and one bucket each for strings, code, closures by name. */
function tally(file: string): { byKind: Map<string, Tally>; total: number } {
  const snapshot = JSON.parse(readFileSync(file, 'utf8')) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
    nodes: number[];
    strings: string[];
  };
  const fields = snapshot.snapshot.meta.node_fields;
  const types = snapshot.snapshot.meta.node_types[0];
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f)) as [number, number, number];
  const byKind = new Map<string, Tally>();
  let total = 0;
  for (let i = 0; i < snapshot.nodes.length; i += fields.length) {
    const type = types[snapshot.nodes[i + typeAt]!]!;
    const name = snapshot.strings[snapshot.nodes[i + nameAt]!]!;
    const kind = /string/.test(type)
      ? '(strings)'
      : type === 'code'
        ? '(compiled code)'
        : type === 'closure'
          ? `closure ${name}`.slice(0, 60)
          : type === 'object' || type === 'native'
            ? name.slice(0, 60)
            : `(${type}) ${name}`.slice(0, 60);
    const size = snapshot.nodes[i + sizeAt]!;
    total += size;
    const entry = byKind.get(kind) ?? { count: 0, bytes: 0 };
    entry.count += 1;
    entry.bytes += size;
    byKind.set(kind, entry);
  }
  return { byKind, total };
}

/** What `per` new things added between two snapshots, per thing: the heap in all, and the largest kinds. */
export function heapDelta(before: string, after: string, per: number, top = 20) {
  const a = tally(before);
  const b = tally(after);
  const kinds = [...b.byKind].map(([kind, now]) => {
    const then = a.byKind.get(kind) ?? { count: 0, bytes: 0 };
    return { kind, count: Math.round(((now.count - then.count) / per) * 100) / 100, bytes: Math.round((now.bytes - then.bytes) / per) };
  });
  return { bytesPerItem: Math.round((b.total - a.total) / per), top: kinds.sort((x, y) => y.bytes - x.bytes).slice(0, top) };
}
