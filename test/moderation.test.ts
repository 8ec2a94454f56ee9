import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app.ts';
import { startTestApp } from './helpers/app.ts';
import { codeOf, createPost, createSection, gql, ok, signUp, type TestUser, unique } from './helpers/http.ts';

// Who may do what in a section: the owner, moderators, members, a stranger, a banned user and an admin, each
// trying every new mutation; what is refused changes nothing.
let app: App;
let owner: TestUser;
let moderator: TestUser;
let member: TestUser;
let stranger: TestUser;
let admin: TestUser;
const adminName = unique('admin');

beforeAll(async () => {
  app = await startTestApp({ env: { ADMIN_USERNAMES: `someone-else, ${adminName.toUpperCase()}` } });
  [owner, moderator, member, stranger, admin] = await Promise.all([
    signUp(app, 'owner'),
    signUp(app, 'mod'),
    signUp(app, 'member'),
    signUp(app, 'stranger'),
    signUp(app, 'admin', adminName),
  ]);
});
afterAll(() => app?.stop());

const ROLE = (m: string) => `mutation($s: ID!, $u: ID!) { ${m}(sectionId: $s, userId: $u) { id viewerRole } }`;
const BAN = 'mutation($i: BanInput!) { banFromSection(input: $i) { id } }';
const SECTION = 'query($id: ID!) { section(id: $id) { id visibility viewerRole owner { id } posts(first: 10) { edges { node { id } } } } }';
const DELETE = 'mutation($id: ID!) { deletePost(postId: $id) }';
const UPDATE = 'mutation($i: UpdatePostInput!) { updatePost(input: $i) { id content editedAt } }';
const REACT = 'mutation($i: ReactionInput!) { addReaction(input: $i) { id } }';

const roleOf = async (user: TestUser, sectionId: string) => (await ok(app, SECTION, { id: sectionId }, user.token)).section?.viewerRole;
const count = async (sql: string, params: unknown[]) => (await app.runtime.database.pool.query(sql, params)).rows[0].n as number;

async function staffedSection(visibility: 'PUBLIC' | 'MEMBERS') {
  const section = await createSection(app, owner, visibility);
  await ok(app, ROLE('addSectionModerator'), { s: section.id, u: moderator.id }, owner.token);
  if (visibility === 'MEMBERS') await ok(app, ROLE('addSectionMember'), { s: section.id, u: member.id }, moderator.token);
  return section;
}

describe('roles', () => {
  it('makes the creator the owner, and only the owner names moderators', async () => {
    const section = await staffedSection('PUBLIC');
    const data = await ok(app, SECTION, { id: section.id }, owner.token);
    expect(data.section).toMatchObject({ visibility: 'PUBLIC', viewerRole: 'OWNER', owner: { id: owner.id } });
    expect(await roleOf(moderator, section.id)).toBe('MODERATOR');
    expect(await roleOf(stranger, section.id)).toBeNull();
    for (const user of [moderator, stranger, admin]) {
      const res = await gql(app, ROLE('addSectionModerator'), { s: section.id, u: stranger.id }, user.token);
      expect(codeOf(res), user.username).toBe('FORBIDDEN');
      expect(codeOf(await gql(app, ROLE('removeSectionModerator'), { s: section.id, u: moderator.id }, user.token))).toBe('FORBIDDEN');
    }
    expect(await roleOf(stranger, section.id)).toBeNull();
    expect(await roleOf(moderator, section.id)).toBe('MODERATOR');
    await ok(app, ROLE('removeSectionModerator'), { s: section.id, u: moderator.id }, owner.token);
    expect(await roleOf(moderator, section.id)).toBeNull();
  });

  it('refuses bad input with a code, changing nothing', async () => {
    const section = await staffedSection('PUBLIC');
    const before = await count('select count(*)::int as n from section_roles', []);
    const unknownUser = Buffer.from('User:00000000-0000-4000-8000-000000000000').toString('base64');
    expect(codeOf(await gql(app, ROLE('addSectionModerator'), { s: section.id, u: unknownUser }, owner.token))).toBe('NOT_FOUND');
    expect(codeOf(await gql(app, ROLE('addSectionModerator'), { s: section.id, u: 'garbage' }, owner.token))).toBe('NOT_FOUND');
    expect(codeOf(await gql(app, ROLE('addSectionModerator'), { s: section.id, u: owner.id }, owner.token))).toBe('BAD_USER_INPUT');
    expect(codeOf(await gql(app, ROLE('addSectionModerator'), { s: 'garbage', u: stranger.id }, owner.token))).toBe('NOT_FOUND');
    // Members belong to MEMBERS sections only.
    expect(codeOf(await gql(app, ROLE('addSectionMember'), { s: section.id, u: stranger.id }, owner.token))).toBe('BAD_USER_INPUT');
    const past = new Date(Date.now() - 60_000).toISOString();
    expect(codeOf(await gql(app, BAN, { i: { sectionId: section.id, userId: stranger.id, until: past } }, owner.token))).toBe('BAD_USER_INPUT');
    expect(codeOf(await gql(app, BAN, { i: { sectionId: section.id, userId: stranger.id, reason: 'x'.repeat(501) } }, owner.token))).toBe(
      'BAD_USER_INPUT',
    );
    expect(codeOf(await gql(app, BAN, { i: { sectionId: section.id, userId: owner.id } }, moderator.token))).toBe('FORBIDDEN');
    expect(await count('select count(*)::int as n from section_roles', [])).toBe(before);
    expect(await count('select count(*)::int as n from section_bans where section_id = $1', [section.id && (await sectionUuid(section.id))])).toBe(0);
  });
});

const sectionUuid = async (globalId: string) => Buffer.from(globalId, 'base64').toString('utf8').split(':')[1];

describe('members-only sections', () => {
  it('lets only members, moderators, the owner and admins read; hides it from everyone else', async () => {
    const section = await staffedSection('MEMBERS');
    const post = await createPost(app, member, section.id, 'for members', ['https://example.com/members']);
    for (const user of [owner, moderator, member, admin]) {
      const data = await ok(app, SECTION, { id: section.id }, user.token);
      expect(data.section.posts.edges.map((e: any) => e.node.id), user.username).toEqual([post.id]);
    }
    expect((await ok(app, SECTION, { id: section.id }, stranger.token)).section).toBeNull();
    expect((await ok(app, '{ sections { id } }', {}, stranger.token)).sections.map((s: any) => s.id)).not.toContain(section.id);
    const nodes = await ok(app, 'query($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids: [post.id, post.links[0]!.id] }, stranger.token);
    expect(nodes.nodes).toEqual([null, null]);
    const seen = await ok(app, 'query($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids: [post.id, post.links[0]!.id] }, member.token);
    expect(seen.nodes).toEqual([{ id: post.id }, { id: post.links[0]!.id }]);
    expect((await ok(app, 'query($id: ID!) { post(id: $id) { id } }', { id: post.id }, stranger.token)).post).toBeNull();
    // Writing and subscribing are refused too.
    expect(codeOf(await gql(app, 'mutation($i: CreatePostInput!) { createPost(input: $i) { id } }', { i: { sectionId: section.id, content: 'x' } }, stranger.token))).toBe(
      'FORBIDDEN',
    );
    expect(codeOf(await gql(app, REACT, { i: { postId: post.id, emoji: '👍' } }, stranger.token))).toBe('NOT_FOUND');
    expect(await count('select count(*)::int as n from posts where section_id = $1', [await sectionUuid(section.id)])).toBe(1);
  });

  it('takes access away with the membership', async () => {
    const section = await staffedSection('MEMBERS');
    expect(codeOf(await gql(app, ROLE('removeSectionMember'), { s: section.id, u: member.id }, stranger.token))).toBe('FORBIDDEN');
    await ok(app, ROLE('removeSectionMember'), { s: section.id, u: member.id }, moderator.token);
    expect((await ok(app, SECTION, { id: section.id }, member.token)).section).toBeNull();
  });
});

describe('bans', () => {
  it('stops a banned user posting, reacting and editing until the ban ends or is lifted', async () => {
    const section = await staffedSection('PUBLIC');
    const post = await createPost(app, stranger, section.id, 'before the ban');
    await ok(app, BAN, { i: { sectionId: section.id, userId: stranger.id, reason: 'spam', until: new Date(Date.now() + 3_600_000).toISOString() } }, moderator.token);
    const create = await gql(app, 'mutation($i: CreatePostInput!) { createPost(input: $i) { id } }', { i: { sectionId: section.id, content: 'x' } }, stranger.token);
    expect(codeOf(create)).toBe('FORBIDDEN');
    expect(codeOf(await gql(app, REACT, { i: { postId: post.id, emoji: '👍' } }, stranger.token))).toBe('FORBIDDEN');
    expect(codeOf(await gql(app, UPDATE, { i: { postId: post.id, content: 'edited' } }, stranger.token))).toBe('FORBIDDEN');
    // A PUBLIC section is still theirs to read.
    expect((await ok(app, SECTION, { id: section.id }, stranger.token)).section.posts.edges).toHaveLength(1);
    expect(codeOf(await gql(app, ROLE('unbanFromSection'), { s: section.id, u: stranger.id }, stranger.token))).toBe('FORBIDDEN');
    await ok(app, ROLE('unbanFromSection'), { s: section.id, u: stranger.id }, owner.token);
    await createPost(app, stranger, section.id, 'after the ban');
  });

  it('ends by itself at `until`', async () => {
    const section = await staffedSection('PUBLIC');
    await ok(app, BAN, { i: { sectionId: section.id, userId: stranger.id, until: new Date(Date.now() + 60_000).toISOString() } }, owner.token);
    expect(codeOf(await gql(app, REACT, { i: { postId: (await createPost(app, owner, section.id)).id, emoji: '👍' } }, stranger.token))).toBe('FORBIDDEN');
    await app.runtime.database.pool.query("update section_bans set until = now() - interval '1 second' where user_id = $1", [stranger.id && (await userUuid(stranger.id))]);
    await createPost(app, stranger, section.id, 'the ban is over');
  });
});

const userUuid = async (globalId: string) => Buffer.from(globalId, 'base64').toString('utf8').split(':')[1];

describe('editing and deleting posts', () => {
  it('lets only the author edit, and the author, owner, moderators and admins delete', async () => {
    const section = await staffedSection('PUBLIC');
    const post = await createPost(app, member, section.id, 'original');
    for (const user of [owner, moderator, stranger, admin]) {
      expect(codeOf(await gql(app, UPDATE, { i: { postId: post.id, content: 'hijacked' } }, user.token)), user.username).toBe('FORBIDDEN');
    }
    expect(codeOf(await gql(app, UPDATE, { i: { postId: post.id, content: '   ' } }, member.token))).toBe('BAD_USER_INPUT');
    const edited = await ok(app, UPDATE, { i: { postId: post.id, content: 'edited' } }, member.token);
    expect(edited.updatePost.content).toBe('edited');
    expect(Date.parse(edited.updatePost.editedAt)).toBeGreaterThan(0);

    expect(codeOf(await gql(app, DELETE, { id: post.id }, stranger.token))).toBe('FORBIDDEN');
    expect(await count('select count(*)::int as n from posts where id = $1', [await sectionUuid(post.id)])).toBe(1);
    for (const user of [member, owner, moderator, admin]) {
      const mine = await createPost(app, member, section.id, `to be deleted by ${user.username}`);
      expect((await ok(app, DELETE, { id: mine.id }, user.token)).deletePost).toBe(mine.id);
      expect(codeOf(await gql(app, DELETE, { id: mine.id }, user.token))).toBe('NOT_FOUND');
    }
  });

  it('takes the reactions and links with a deleted post, and no read finds it', async () => {
    const section = await staffedSection('PUBLIC');
    const post = await createPost(app, member, section.id, 'with things', ['https://example.com/one']);
    await ok(app, REACT, { i: { postId: post.id, emoji: '👍' } }, stranger.token);
    const id = await sectionUuid(post.id);
    await ok(app, DELETE, { id: post.id }, member.token);
    expect(await count('select count(*)::int as n from post_reactions where post_id = $1', [id])).toBe(0);
    expect(await count('select count(*)::int as n from links where post_id = $1', [id])).toBe(0);
    expect((await ok(app, 'query($id: ID!) { node(id: $id) { id } }', { id: post.id }, member.token).catch(() => ({ node: null }))).node ?? null).toBeNull();
    expect((await ok(app, 'query($id: ID!) { post(id: $id) { id } }', { id: post.id }, member.token)).post).toBeNull();
    // Nothing stored still holds its content.
    expect(await count("select count(*)::int as n from events where payload::text like '%with things%'", [])).toBe(0);
  });
});

describe('reports', () => {
  const REPORT = 'mutation($i: ReportPostInput!) { reportPost(input: $i) { id reason action reportedPost { content author { id } } } }';
  const RESOLVE = 'mutation($r: ID!, $a: ReportAction!) { resolveReport(reportId: $r, action: $a) { id action resolvedAt post { id } } }';
  const REPORTS = 'query($id: ID!) { section(id: $id) { reports(first: 10) { edges { node { id reason reportedPost { content } post { id content } } } } } }';

  it('reach the owner and moderators, newest first, with the post as it was when reported', async () => {
    const section = await staffedSection('PUBLIC');
    const post = await createPost(app, stranger, section.id, 'as reported');
    expect(codeOf(await gql(app, REPORT, { i: { postId: post.id, reason: ' ' } }, member.token))).toBe('BAD_USER_INPUT');
    expect(codeOf(await gql(app, REPORT, { i: { postId: post.id, reason: 'mine' } }, stranger.token))).toBe('BAD_USER_INPUT');
    const first = (await ok(app, REPORT, { i: { postId: post.id, reason: 'rude' } }, member.token)).reportPost;
    expect(first).toMatchObject({ reason: 'rude', action: null, reportedPost: { content: 'as reported', author: { id: stranger.id } } });
    // Reporting again is the same report.
    expect((await ok(app, REPORT, { i: { postId: post.id, reason: 'again' } }, member.token)).reportPost.id).toBe(first.id);
    const second = (await ok(app, REPORT, { i: { postId: post.id, reason: 'spam' } }, admin.token)).reportPost;
    await ok(app, UPDATE, { i: { postId: post.id, content: 'edited since' } }, stranger.token);
    for (const user of [owner, moderator]) {
      const edges = (await ok(app, REPORTS, { id: section.id }, user.token)).section.reports.edges;
      expect(edges.map((e: any) => [e.node.id, e.node.reportedPost.content, e.node.post.content])).toEqual([
        [second.id, 'as reported', 'edited since'],
        [first.id, 'as reported', 'edited since'],
      ]);
    }
    for (const user of [member, stranger]) expect(codeOf(await gql(app, REPORTS, { id: section.id }, user.token))).toBe('FORBIDDEN');
  });

  it('are resolved by the owner or moderators, once, doing exactly what the action says', async () => {
    const section = await staffedSection('PUBLIC');
    const report = async (content: string) => {
      const post = await createPost(app, stranger, section.id, content);
      return { post, id: (await ok(app, REPORT, { i: { postId: post.id, reason: content } }, member.token)).reportPost.id };
    };
    const keep = await report('keep me');
    for (const user of [member, stranger]) expect(codeOf(await gql(app, RESOLVE, { r: keep.id, a: 'DELETE_POST' }, user.token))).toBe('FORBIDDEN');
    expect((await ok(app, RESOLVE, { r: keep.id, a: 'KEEP' }, moderator.token)).resolveReport).toMatchObject({ action: 'KEEP', post: { id: keep.post.id } });
    expect(codeOf(await gql(app, RESOLVE, { r: keep.id, a: 'DELETE_POST' }, owner.token))).toBe('BAD_USER_INPUT');
    expect((await ok(app, 'query($id: ID!) { post(id: $id) { id } }', { id: keep.post.id }, member.token)).post).not.toBeNull();

    const remove = await report('delete me');
    expect((await ok(app, RESOLVE, { r: remove.id, a: 'DELETE_POST' }, owner.token)).resolveReport).toMatchObject({ action: 'DELETE_POST', post: null });
    expect((await ok(app, 'query($id: ID!) { post(id: $id) { id } }', { id: remove.post.id }, member.token)).post).toBeNull();
    // The report stays, with what was reported.
    const edges = (await ok(app, REPORTS, { id: section.id }, owner.token)).section.reports.edges;
    expect(edges.find((e: any) => e.node.id === remove.id).node.reportedPost.content).toBe('delete me');

    const ban = await report('ban me');
    await ok(app, RESOLVE, { r: ban.id, a: 'BAN_AUTHOR' }, moderator.token);
    expect((await ok(app, 'query($id: ID!) { post(id: $id) { id } }', { id: ban.post.id }, member.token)).post).not.toBeNull();
    const create = await gql(app, 'mutation($i: CreatePostInput!) { createPost(input: $i) { id } }', { i: { sectionId: section.id, content: 'x' } }, stranger.token);
    expect(codeOf(create)).toBe('FORBIDDEN');
  });
});
