import { encodeGlobalID } from '@pothos/plugin-relay';
import { LINK_ERRORS, type LinkErrorCategory } from './fetch/fetch-errors.ts';
import { builder, signedIn } from '../../graphql/builder.ts';
import { sameForEveryViewer } from '../../graphql/plugins/shared-results.ts';
import { rateLimited } from '../../graphql/rate-limited-fields.ts';
import { localId } from '../../graphql/ids.ts';
import { encodeCursor } from '../../realtime/stream-cursor.ts';
import type { Delivered } from '../../realtime/streams.ts';
import { sectionOf } from '../sections/graphql.ts';
import { type LinkUpdatedEvent, linkFromEvent } from './events.ts';
import { loadNodes } from '../../graphql/load-nodes.ts';
import { type LinkMetadataJson, type LinkRow, linkStatus } from './tables.ts';

export const LinkStatusEnum = builder.enumType('LinkMetadataStatus', {
  description:
    'PENDING until the worker has tried; BLOCKED when the URL may not be fetched (private address, bad scheme, port).',
  values: linkStatus.enumValues,
});

type Embed = NonNullable<LinkMetadataJson['embed']>;

const LinkEmbedRef = builder.objectRef<Embed>('LinkEmbed').implement({
  description: 'A playable or framable embed (oEmbed, og:video, twitter:player).',
  fields: (t) => ({
    type: t.exposeString('type'),
    provider: t.exposeString('provider', { nullable: true }),
    url: t.exposeString('url', { nullable: true }),
    html: t.exposeString('html', { nullable: true }),
    width: t.exposeInt('width', { nullable: true }),
    height: t.exposeInt('height', { nullable: true }),
  }),
});

const LinkMetadataRef = builder.objectRef<LinkMetadataJson>('LinkMetadata').implement({
  fields: (t) => ({
    title: t.exposeString('title', { nullable: true }),
    description: t.exposeString('description', { nullable: true }),
    image: t.exposeString('image', { nullable: true, description: 'Absolute URL of the preview image.' }),
    siteName: t.exposeString('siteName', { nullable: true }),
    url: t.exposeString('url', { nullable: true, description: 'Canonical URL of the page.' }),
    type: t.exposeString('type', { nullable: true }),
    embed: t.field({ type: LinkEmbedRef, nullable: true, resolve: (m) => m.embed ?? null }),
    author: t.exposeString('author', { nullable: true, description: 'Who wrote it, as the page names them ("Jane Doe").' }),
    publishedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the page says it was published.',
      resolve: (m) => toDate(m.publishedAt),
    }),
    modifiedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the page says it last changed, if later than publishedAt.',
      resolve: (m) => toDate(m.modifiedAt),
    }),
    lang: t.exposeString('lang', { nullable: true, description: "The page's language: a lower-case BCP 47 primary subtag, e.g. `en`." }),
    icon: t.exposeString('icon', { nullable: true, description: "Absolute URL of the site's best icon." }),
    imageWidth: t.exposeInt('imageWidth', { nullable: true, description: "The image's width in pixels, when the page declares it." }),
    imageHeight: t.exposeInt('imageHeight', { nullable: true, description: "The image's height in pixels, when the page declares it." }),
  }),
});

/** A stored ISO string as a Date; null when absent or unreadable. */
function toDate(value: string | null | undefined): Date | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

export const LinkRef = builder.objectRef<LinkRow>('Link');

builder.node(LinkRef, {
  id: { resolve: (link) => link.id },
  loadMany: (ids, ctx) => loadNodes(ctx.loaders.link, ids),
  fields: (t) => ({
    url: t.exposeString('url'),
    status: t.field({ type: LinkStatusEnum, resolve: (link) => link.status }),
    metadata: t.field({ type: LinkMetadataRef, nullable: true, resolve: (link) => link.metadata ?? null }),
    error: t.exposeString('error', {
      nullable: true,
      description: `Why the last fetch failed or was blocked, as a category: ${Object.keys(LINK_ERRORS).join(', ')}; null otherwise.`,
    }),
    errorMessage: t.string({
      nullable: true,
      description: "The error's category in a sentence a person can read; null when there is no error.",
      resolve: (link) => (link.error ? (LINK_ERRORS[link.error as LinkErrorCategory] ?? LINK_ERRORS.UNEXPECTED) : null),
    }),
    fetchedAt: t.expose('fetchedAt', { type: 'DateTime', nullable: true }),
  }),
});

const LinkMetadataUpdateRef = builder.objectRef<Delivered<LinkUpdatedEvent>>('LinkMetadataUpdate').implement({
  fields: (t) => ({
    sectionId: t.id({ resolve: (e) => encodeGlobalID('Section', e.payload.sectionId) }),
    postId: t.id({ resolve: (e) => encodeGlobalID('Post', e.payload.postId) }),
    linkId: t.id({ resolve: (e) => encodeGlobalID('Link', e.payload.link.id) }),
    link: t.field({ type: LinkRef, resolve: (e) => linkFromEvent(e.payload) }),
    cursor: t.string({ description: 'Pass it as `after` to resume after this event.', resolve: (e) => encodeCursor(e) }),
  }),
});

builder.mutationFields((t) => ({
  refreshLinkMetadata: t.field({
    type: LinkRef,
    description: "Fetches a link's metadata again (status back to PENDING). The post's author only.",
    ...signedIn,
    ...rateLimited('refreshLinkMetadata'),
    args: { linkId: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => ctx.services.links.refresh(ctx.viewer!.id, localId(String(args.linkId), 'Link')),
  }),
}));

builder.subscriptionFields((t) => ({
  linkMetadataUpdated: t.field({
    ...sameForEveryViewer,
    type: LinkMetadataUpdateRef,
    description:
      'Every status change of a link of a post in the section: READY with metadata, FAILED or BLOCKED with error. With `after`, first every change after that cursor.',
    ...signedIn,
    args: { sectionId: t.arg.id({ required: true }), after: t.arg.string() },
    subscribe: async (_root, args, ctx) =>
      ctx.services.links.watchUpdated(await sectionOf(ctx, String(args.sectionId)), args.after ?? ctx.lastEventId, ctx.viewer!.id),
    resolve: (event) => event,
  }),
}));
