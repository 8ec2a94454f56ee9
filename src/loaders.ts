import DataLoader from 'dataloader';
import type { ChannelRow, ProductRow } from './modules/channels/tables.ts';
import type { LinkRow } from './modules/links/tables.ts';
import type { PostRow } from './modules/posts/tables.ts';
import type { ReactionCountRow, ReactionService } from './modules/reactions/service.ts';
import type { SectionRow } from './modules/sections/tables.ts';
import type { StoryRow } from './modules/stories/tables.ts';
import type { UserRow } from './modules/users/tables.ts';
import type { ChannelService } from './modules/channels/service.ts';
import type { PostService } from './modules/posts/service.ts';
import type { SectionService } from './modules/sections/service.ts';
import type { StoryService } from './modules/stories/service.ts';
import type { UserService } from './modules/users/service.ts';

/** What the loaders read through: the services' batch reads (services.ts wires the whole services). */
export interface LoaderSources {
  users: Pick<UserService, 'byIds'>;
  sections: Pick<SectionService, 'byIds'>;
  posts: Pick<PostService, 'byIds' | 'linksByIds' | 'linksByPostIds' | 'placesInStream'>;
  stories: Pick<StoryService, 'byIds'>;
  channels: Pick<ChannelService, 'byIds' | 'productsByIds' | 'productsByChannelIds'>;
  reactions: Pick<ReactionService, 'countsByPostIds'>;
}

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

/**
 * Batching loaders for one request (or one subscription): whatever the page
 * size, each kind of row is read in one statement. Each loader is made on
 * first use, so an idle subscription holds none; the getters live on the
 * prototype, so an unused set costs two fields.
 */
export class LoaderSet {
  private readonly services: LoaderSources;
  private readonly viewerId: string | null;
  private made: Partial<Record<string, DataLoader<never, unknown, string>>> = {};

  constructor(services: LoaderSources, viewerId: string | null) {
    this.services = services;
    this.viewerId = viewerId;
  }

  private once<T extends DataLoader<any, any, string>>(name: string, make: () => T): T {
    return (this.made[name] ??= make()) as T;
  }

  get user() {
    return this.once('user', () => byId<UserRow>(this.services.users.byIds));
  }
  get section() {
    return this.once('section', () => byId<SectionRow>(this.services.sections.byIds));
  }
  get post() {
    return this.once('post', () => byId<PostRow>(this.services.posts.byIds));
  }
  get link() {
    return this.once('link', () => byId<LinkRow>(this.services.posts.linksByIds));
  }
  get story() {
    return this.once('story', () => byId<StoryRow>(this.services.stories.byIds));
  }
  get channel() {
    return this.once('channel', () => byId<ChannelRow>(this.services.channels.byIds));
  }
  get product() {
    return this.once('product', () => byId<ProductRow>(this.services.channels.productsByIds));
  }
  get productsByChannel() {
    return this.once('productsByChannel', () =>
      groupedBy<ProductRow>(this.services.channels.productsByChannelIds, (p) => p.channelId),
    );
  }
  get linksByPost() {
    return this.once('linksByPost', () => groupedBy<LinkRow>(this.services.posts.linksByPostIds, (l) => l.postId));
  }
  /** A post's place in its section's stream, for the cursor of a post read by a query. */
  get postPlace() {
    return this.once(
      'postPlace',
      () =>
        new DataLoader<PostRow, number | null, string>(
          async (keys) => {
            const places = await this.services.posts.placesInStream(keys);
            return keys.map((post) => places.get(post.id) ?? null);
          },
          { cacheKeyFn: (post) => post.id },
        ),
    );
  }
  get reactionsByPost() {
    return this.once('reactionsByPost', () =>
      groupedBy<ReactionCountRow>(
        (ids) => this.services.reactions.countsByPostIds(ids, this.viewerId),
        (r) => r.postId,
      ),
    );
  }

  /** Forgets every cached row, for the next subscription event. */
  clearAll(): void {
    for (const loader of Object.values(this.made)) loader?.clearAll();
  }
}

export function createLoaders(services: LoaderSources, viewerId: string | null): LoaderSet {
  return new LoaderSet(services, viewerId);
}


declare module './graphql/context.ts' {
  /** Resolvers batch their reads through these (`ctx.loaders`). */
  interface ContextLoaders extends LoaderSet {}
}
