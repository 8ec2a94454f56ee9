import DataLoader from 'dataloader';
import type { ChannelRow, ProductRow } from './modules/channels/tables.ts';
import type { LinkRow } from './modules/links/tables.ts';
import type { PostRow } from './modules/posts/tables.ts';
import type { ReactionCountRow } from './modules/reactions/service.ts';
import type { SectionRow } from './modules/sections/tables.ts';
import type { StoryRow } from './modules/stories/tables.ts';
import type { UserRow } from './modules/users/tables.ts';
import type { Services } from './services.ts';

function byId<T extends { id: string }>(load: (ids: readonly string[]) => Promise<T[]>) {
  return new DataLoader<string, T | null>(async (ids) => {
    const rows = new Map((await load(ids)).map((row) => [row.id, row]));
    return ids.map((id) => rows.get(id) ?? null);
  });
}

function groupedBy<T>(load: (keys: readonly string[]) => Promise<T[]>, keyOf: (row: T) => string) {
  return new DataLoader<string, T[]>(async (keys) => {
    const groups = new Map<string, T[]>();
    for (const row of await load(keys)) {
      const key = keyOf(row);
      const group = groups.get(key);
      if (group) group.push(row);
      else groups.set(key, [row]);
    }
    return keys.map((key) => groups.get(key) ?? []);
  });
}

function loaderFactories(services: Services, viewerId: string | null) {
  return {
    user: () => byId<UserRow>(services.users.byIds),
    section: () => byId<SectionRow>(services.sections.byIds),
    post: () => byId<PostRow>(services.posts.byIds),
    link: () => byId<LinkRow>(services.posts.linksByIds),
    story: () => byId<StoryRow>(services.stories.byIds),
    channel: () => byId<ChannelRow>(services.channels.byIds),
    product: () => byId<ProductRow>(services.channels.productsByIds),
    productsByChannel: () => groupedBy<ProductRow>(services.channels.productsByChannelIds, (p) => p.channelId),
    linksByPost: () => groupedBy<LinkRow>(services.posts.linksByPostIds, (l) => l.postId),
    reactionsByPost: () =>
      groupedBy<ReactionCountRow>(
        (ids) => services.reactions.countsByPostIds(ids, viewerId),
        (r) => r.postId,
      ),
  };
}

type Factories = ReturnType<typeof loaderFactories>;
type LoaderMap = { [K in keyof Factories]: ReturnType<Factories[K]> };

/**
 * Batching loaders for one request (or one subscription): whatever the page
 * size, each kind of row is read in one statement. Each loader is made on
 * first use, so an idle subscription holds none.
 */
export function createLoaders(services: Services, viewerId: string | null): LoaderMap & { clearAll(): void } {
  const factories = loaderFactories(services, viewerId);
  const made: Partial<LoaderMap> = {};
  const loaders = {
    clearAll() {
      for (const loader of Object.values(made)) loader.clearAll();
    },
  } as LoaderMap & { clearAll(): void };
  for (const key of Object.keys(factories) as Array<keyof Factories>) {
    Object.defineProperty(loaders, key, {
      enumerable: true,
      get: () => {
        made[key] ??= factories[key]() as never;
        return made[key];
      },
    });
  }
  return loaders;
}

export type Loaders = ReturnType<typeof createLoaders>;

/** Loads many by id for `node(id:)`, with null where a row is missing. */
export async function loadNodes<T>(
  loader: DataLoader<string, T | null>,
  ids: readonly string[],
): Promise<(T | null)[]> {
  return (await loader.loadMany(ids)).map((row) => (row instanceof Error ? null : row));
}
