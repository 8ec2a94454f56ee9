import { builder, signedIn } from '../../graphql/builder.ts';
import { costOf } from '../../graphql/cost.ts';
import { perViewer } from '../../graphql/plugins/shared-results.ts';
import { rateLimited } from '../../graphql/rate-limited-fields.ts';
import { badInput } from '../../lib/errors.ts';
import { ChannelRef, ProductRef } from '../channels/graphql.ts';
import { PostRef } from '../posts/graphql.ts';
import { SectionRef } from '../sections/graphql.ts';
import { UserRef } from '../users/graphql.ts';
import { decodeSearchCursor, encodeSearchCursor, SEARCH_KINDS, type SearchKind } from './cursor.ts';
import { MAX_QUERY_LENGTH, searchTerms } from './query.ts';

const DEFAULT_PAGE = 20;
const MAX_PAGE = 50;

const SearchKindEnum = builder.enumType('SearchKind', { values: SEARCH_KINDS });

const REFS = { POST: PostRef, USER: UserRef, PRODUCT: ProductRef, SECTION: SectionRef, CHANNEL: ChannelRef } as const;

interface Found {
  kind: SearchKind;
  node: object;
  cursor: string;
  highlight: string | null;
}

const SearchResultRef = builder.unionType('SearchResult', {
  types: [PostRef, UserRef, ProductRef, SectionRef, ChannelRef],
  resolveType: (node) => kindOf.get(node as object) ?? null,
});
/** Which member type each node loaded for a result is (rows do not say). */
const kindOf = new WeakMap<object, (typeof REFS)[SearchKind]>();

const SearchResultEdgeRef = builder.objectRef<Found>('SearchResultEdge').implement({
  fields: (t) => ({
    node: t.field({ type: SearchResultRef, resolve: (edge) => edge.node as never }),
    cursor: t.exposeString('cursor'),
    highlight: t.exposeString('highlight', {
      nullable: true,
      description: 'A short excerpt of what matched, as HTML: the text escaped, the matched words in `<mark>`.',
    }),
  }),
});

type PageInfo = { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };

const SearchResultConnectionRef = builder.objectRef<{ edges: Found[]; pageInfo: PageInfo }>('SearchResultConnection').implement({
  fields: (t) => ({
    edges: t.field({ type: [SearchResultEdgeRef], resolve: (c) => c.edges }),
    pageInfo: t.field({ type: builder.pageInfoRef(), resolve: (c) => c.pageInfo }),
  }),
});

builder.queryFields((t) => ({
  search: t.field({
    type: SearchResultConnectionRef,
    description: `Posts (by their text and their links' previews), people, products, sections and channels, best match first. \`query\` is up to ${MAX_QUERY_LENGTH} characters in web-search syntax ("quoted phrase", -excluded); the last word counts as a prefix, names match with typos. \`first\` defaults to ${DEFAULT_PAGE}, at most ${MAX_PAGE}. Only what the viewer may read; nothing from users they block or who block them.`,
    ...signedIn,
    ...perViewer,
    ...rateLimited('search'),
    ...costOf({ pageMax: MAX_PAGE }),
    args: {
      query: t.arg.string({ required: true }),
      first: t.arg.int(),
      after: t.arg.string(),
      kinds: t.arg({ type: [SearchKindEnum], description: 'Only these kinds; all when left out.' }),
    },
    resolve: async (_root, args, ctx) => {
      const first = args.first ?? DEFAULT_PAGE;
      if (first < 0 || first > MAX_PAGE) throw badInput(`first must be between 0 and ${MAX_PAGE}`, 'first');
      const terms = searchTerms(args.query);
      const after = args.after ? decodeSearchCursor(args.after) : null;
      const kinds = args.kinds && args.kinds.length > 0 ? args.kinds : SEARCH_KINDS;
      const { hits, hasNextPage } = await ctx.services.search.search(ctx.viewer!.id, terms, kinds, first, after);
      const loaders = { POST: ctx.loaders.post, USER: ctx.loaders.user, PRODUCT: ctx.loaders.product, SECTION: ctx.loaders.section, CHANNEL: ctx.loaders.channel };
      const nodes = await Promise.all(hits.map((hit) => loaders[hit.kind].load(hit.id)));
      const edges: Found[] = [];
      hits.forEach((hit, i) => {
        const node = nodes[i] as object | null;
        // Gone between the ranking and the load (deleted a moment ago): left out.
        if (!node) return;
        kindOf.set(node, REFS[hit.kind]);
        edges.push({ kind: hit.kind, node, cursor: encodeSearchCursor(hit), highlight: hit.highlight });
      });
      const [head, last] = [hits[0], hits.at(-1)];
      return {
        edges,
        pageInfo: { hasNextPage, hasPreviousPage: after !== null, startCursor: head ? encodeSearchCursor(head) : null, endCursor: last ? encodeSearchCursor(last) : null },
      };
    },
  }),
}));
