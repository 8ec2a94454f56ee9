import { type FormEvent, useMemo, useState } from 'react';
import { useMutation, useQuery, useSubscription } from 'urql';
import { graphql } from './gql/index.ts';
import type { PostItemFragment } from './gql/graphql.ts';

graphql(`
  fragment PostBody on Post {
    id
    content
    createdAt
    editedAt
    author { id username }
  }
`);

graphql(`
  fragment PostLinks on Post {
    links { id url status error errorMessage metadata { title description image siteName icon author publishedAt } }
  }
`);

graphql(`
  fragment PostReactions on Post {
    reactions { emoji count viewerHasReacted }
  }
`);

graphql(`
  fragment PostItem on Post {
    ...PostBody
    ...PostLinks
    ...PostReactions
  }
`);

// The posts at once, their links (previews, the slow part) in a part of their own after them: @defer.
const FeedQuery = graphql(`
  query SectionFeed($sectionId: ID!) {
    section(id: $sectionId) { id name posts(first: 20) { edges { node { ...PostBody ...PostReactions ...PostLinks @defer } } } }
  }
`);

const PostCreated = graphql(`
  subscription OnPostCreated($sectionId: ID!) {
    postCreated(sectionId: $sectionId) { ...PostItem }
  }
`);

// Edits and deletions come in the section's same ordered stream as new posts.
const PostUpdated = graphql(`
  subscription OnPostUpdated($sectionId: ID!) {
    postUpdated(sectionId: $sectionId) { ...PostItem }
  }
`);

const PostDeleted = graphql(`
  subscription OnPostDeleted($sectionId: ID!) {
    postDeleted(sectionId: $sectionId) { id }
  }
`);

const UpdatePost = graphql(`
  mutation UpdatePost($input: UpdatePostInput!) {
    updatePost(input: $input) { ...PostItem }
  }
`);

const DeletePost = graphql(`
  mutation DeletePost($postId: ID!) {
    deletePost(postId: $postId)
  }
`);

const LinkUpdated = graphql(`
  subscription OnLinkUpdated($sectionId: ID!) {
    linkMetadataUpdated(sectionId: $sectionId) {
      postId
      link { id url status error errorMessage metadata { title description image siteName icon author publishedAt } }
    }
  }
`);

// Reaction counts as they change, each post with the viewer's own reactions marked.
const ReactionsChanged = graphql(`
  subscription OnReactionsChanged($sectionId: ID!) {
    postReactionsChanged(sectionId: $sectionId) { id ...PostReactions }
  }
`);

const AddReaction = graphql(`
  mutation AddReaction($input: ReactionInput!) {
    addReaction(input: $input) { id ...PostReactions }
  }
`);

const RemoveReaction = graphql(`
  mutation RemoveReaction($input: ReactionInput!) {
    removeReaction(input: $input) { id ...PostReactions }
  }
`);

/** The reactions the picker offers. */
const PICKER = ['👍', '❤️', '🎉', '😂'];

const CreatePost = graphql(`
  mutation CreatePost($input: CreatePostInput!) {
    createPost(input: $input) { id }
  }
`);

type Link = PostItemFragment['links'][number];
type Reactions = PostItemFragment['reactions'];

/** A section's posts: the first page from a query; new posts, edits, deletions and link previews as they happen. */
export function SectionFeed({ sectionId, me }: { sectionId: string; me: string }) {
  const [{ data, error }] = useQuery({ query: FeedQuery, variables: { sectionId } });
  // Every event kept (a reducer, so none is lost between renders); the page is derived from them.
  const [created] = useSubscription({ query: PostCreated, variables: { sectionId } }, (posts: PostItemFragment[] = [], event) => [
    event.postCreated,
    ...posts,
  ]);
  const [edited] = useSubscription({ query: PostUpdated, variables: { sectionId } }, (posts: Record<string, PostItemFragment> = {}, event) => ({
    ...posts,
    [event.postUpdated.id]: event.postUpdated,
  }));
  const [deleted] = useSubscription({ query: PostDeleted, variables: { sectionId } }, (ids: string[] = [], event) => [...ids, event.postDeleted.id]);
  const [updated] = useSubscription({ query: LinkUpdated, variables: { sectionId } }, (links: Record<string, Link> = {}, event) => ({
    ...links,
    [event.linkMetadataUpdated.link.id]: event.linkMetadataUpdated.link,
  }));

  const [reacted] = useSubscription({ query: ReactionsChanged, variables: { sectionId } }, (counts: Record<string, Reactions> = {}, event) => ({
    ...counts,
    [event.postReactionsChanged.id]: event.postReactionsChanged.reactions,
  }));

  const posts = useMemo(() => {
    // Until the deferred part arrives a loaded post has no `links` yet.
    const loaded: PostItemFragment[] = (data?.section?.posts.edges ?? []).map(({ node }) => ({ ...node, links: 'links' in node && node.links ? node.links : [] }));
    const fresh = (created.data ?? []).filter((p) => !loaded.some((l) => l.id === p.id));
    return [...fresh, ...loaded]
      .filter((post) => !deleted.data?.includes(post.id))
      .map((post) => edited.data?.[post.id] ?? post)
      .map((post) => ({ ...post, reactions: reacted.data?.[post.id] ?? post.reactions, links: post.links.map((link) => updated.data?.[link.id] ?? link) }));
  }, [data, created.data, edited.data, deleted.data, updated.data, reacted.data]);

  if (error) return <p role="alert">{error.message}</p>;
  if (!data) return <p>Loading…</p>;
  if (!data.section) return <p role="alert">No such section</p>;
  return (
    <section>
      <h2>{data.section.name}</h2>
      <NewPost sectionId={sectionId} />
      <ul className="feed">
        {posts.map((post) => (
          <li key={post.id} className="card post" data-testid="post">
            <strong>{post.author.username}</strong> {post.editedAt && <small data-testid="edited">(edited)</small>}
            {post.author.id === me ? <OwnPost post={post} /> : <p>{post.content}</p>}
            {post.links.map((link) => (
              <LinkPreview key={link.id} link={link} />
            ))}
            <ReactionBar postId={post.id} reactions={post.reactions} />
          </li>
        ))}
      </ul>
    </section>
  );
}

/** A post's reactions with their counts (the viewer's own pressed), and a picker: a press adds or takes back. */
function ReactionBar({ postId, reactions }: { postId: string; reactions: Reactions }) {
  const [adding, addReaction] = useMutation(AddReaction);
  const [removing, removeReaction] = useMutation(RemoveReaction);
  const error = adding.error ?? removing.error;
  const emojis = [...reactions.map((r) => r.emoji), ...PICKER.filter((e) => !reactions.some((r) => r.emoji === e))];
  return (
    <div className="reactions" data-testid="reactions">
      {emojis.map((emoji) => {
        const counted = reactions.find((r) => r.emoji === emoji);
        const mine = counted?.viewerHasReacted ?? false;
        return (
          <button
            key={emoji}
            type="button"
            aria-pressed={mine}
            data-testid={`react-${emoji}`}
            onClick={() => void (mine ? removeReaction : addReaction)({ input: { postId, emoji } })}
          >
            {emoji} {counted ? <span data-testid="reaction-count">{counted.count}</span> : null}
          </button>
        );
      })}
      {error && <small role="alert">{error.graphQLErrors[0]?.message ?? error.message}</small>}
    </div>
  );
}

/** A link's preview: a spinner while it is fetched, a short reason when it could not be, else the card. */
function LinkPreview({ link }: { link: Link }) {
  if (link.status === 'PENDING') {
    return (
      <div className="preview pending" data-testid="preview" data-status="PENDING">
        <span className="spinner" aria-hidden="true" /> Loading preview of {link.url}…
      </div>
    );
  }
  if (link.status !== 'READY' || !link.metadata) {
    return (
      <a className="preview failed" href={link.url} data-testid="preview" data-status={link.status}>
        <span>
          {link.url}
          <small data-testid="preview-error">{link.errorMessage ?? 'No preview for this page.'}</small>
        </span>
      </a>
    );
  }
  const { title, description, image, siteName, icon, author, publishedAt } = link.metadata;
  const byline = [siteName, author, publishedAt && new Date(publishedAt as string).toLocaleDateString()].filter(Boolean).join(' · ');
  return (
    <a className="preview ready" href={link.url} data-testid="preview" data-status="READY">
      {image && <img src={image} alt="" />}
      <span>
        <small data-testid="preview-byline">
          {icon && <img className="icon" src={icon} alt="" />}
          {byline}
        </small>
        <b data-testid="preview-title">{title ?? link.url}</b>
        {description && <span>{description}</span>}
      </span>
    </a>
  );
}

/** One's own post: its text, with edit and delete. */
function OwnPost({ post }: { post: PostItemFragment }) {
  const [draft, setDraft] = useState<string | null>(null);
  const [edit, updatePost] = useMutation(UpdatePost);
  const [removal, deletePost] = useMutation(DeletePost);
  const error = edit.error ?? removal.error;
  async function save(event: FormEvent) {
    event.preventDefault();
    const result = await updatePost({ input: { postId: post.id, content: draft ?? post.content } });
    if (!result.error) setDraft(null);
  }
  if (draft !== null) {
    return (
      <form onSubmit={save}>
        <textarea name="edit" value={draft} onChange={(e) => setDraft(e.target.value)} />
        <button type="submit" disabled={edit.fetching}>Save</button>
        <button type="button" onClick={() => setDraft(null)}>Cancel</button>
        {error && <p role="alert">{error.graphQLErrors[0]?.message ?? error.message}</p>}
      </form>
    );
  }
  return (
    <>
      <p>{post.content}</p>
      <button onClick={() => setDraft(post.content)}>Edit</button>
      <button onClick={() => void deletePost({ postId: post.id })} disabled={removal.fetching}>Delete</button>
      {error && <p role="alert">{error.graphQLErrors[0]?.message ?? error.message}</p>}
    </>
  );
}

function NewPost({ sectionId }: { sectionId: string }) {
  const [content, setContent] = useState('');
  const [links, setLinks] = useState('');
  const [{ fetching, error }, createPost] = useMutation(CreatePost);
  async function submit(event: FormEvent) {
    event.preventDefault();
    const result = await createPost({ input: { sectionId, content, links: links.split(/\s+/).filter(Boolean) } });
    if (!result.error) {
      setContent('');
      setLinks('');
    }
  }
  return (
    <form className="card" onSubmit={submit}>
      <textarea name="content" placeholder="Say something" value={content} onChange={(e) => setContent(e.target.value)} />
      <input name="links" placeholder="links, space-separated" value={links} onChange={(e) => setLinks(e.target.value)} />
      <button type="submit" disabled={fetching}>Post</button>
      {error && <p role="alert">{error.graphQLErrors[0]?.message ?? error.message}</p>}
    </form>
  );
}
