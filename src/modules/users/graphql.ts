import { builder, signedIn } from '../../graphql/builder.ts';
import { localId } from '../../graphql/ids.ts';
import { rateLimited } from '../../graphql/rate-limited-fields.ts';
import { loadNodes } from '../../graphql/load-nodes.ts';
import type { AuthResult } from './service.ts';
import type { UserRow } from './tables.ts';

export const UserRef = builder.objectRef<UserRow>('User');

builder.node(UserRef, {
  id: { resolve: (user) => user.id },
  loadMany: (ids, ctx) => loadNodes(ctx.loaders.user, ids),
  fields: (t) => ({
    username: t.exposeString('username'),
    displayName: t.exposeString('displayName'),
  }),
});

const AuthPayload = builder.objectRef<AuthResult>('AuthPayload').implement({
  fields: (t) => ({
    token: t.exposeString('token', {
      description: 'A short-lived JWT for `Authorization: Bearer <token>`; renew it with refreshToken before expiresAt.',
    }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', description: 'When `token` stops being accepted.' }),
    refreshToken: t.exposeString('refreshToken', {
      description: 'Trade it for a new token with the refreshToken mutation; each one works once. Keep it secret.',
    }),
    user: t.field({ type: UserRef, resolve: (r) => r.user }),
  }),
});

const SignUpInput = builder.inputType('SignUpInput', {
  fields: (t) => ({
    username: t.string({ required: true }),
    password: t.string({ required: true }),
    displayName: t.string(),
  }),
});

const SignInInput = builder.inputType('SignInInput', {
  fields: (t) => ({
    username: t.string({ required: true }),
    password: t.string({ required: true }),
  }),
});

const RefreshTokenInput = builder.inputType('RefreshTokenInput', {
  fields: (t) => ({ refreshToken: t.string({ required: true }) }),
});

builder.mutationFields((t) => ({
  signUp: t.field({
    type: AuthPayload,
    ...rateLimited('signUp', 'ip'),
    args: { input: t.arg({ type: SignUpInput, required: true }) },
    resolve: (_root, { input }, ctx) => ctx.services.users.signUp(input),
  }),
  signIn: t.field({
    type: AuthPayload,
    description: 'Repeated failures slow down sign-in for the account and for the address (RATE_LIMITED).',
    ...rateLimited('signIn', 'ip'),
    args: { input: t.arg({ type: SignInInput, required: true }) },
    resolve: (_root, { input }, ctx) => ctx.services.users.signIn(input, ctx.ip),
  }),
  refreshToken: t.field({
    type: AuthPayload,
    description: 'A new token and refresh token for a refresh token, which is then used up. Needs no Authorization.',
    ...rateLimited('refreshToken', 'ip'),
    args: { input: t.arg({ type: RefreshTokenInput, required: true }) },
    resolve: (_root, { input }, ctx) => ctx.services.users.refresh(input.refreshToken),
  }),
  signOut: t.boolean({
    description: "Revokes this session's tokens and closes its WebSockets and event streams, on every instance.",
    ...signedIn,
    ...rateLimited('signOut'),
    resolve: async (_root, _args, ctx) => (await ctx.services.sessions.revoke(ctx.viewer!.id, ctx.viewer!.sessionId), true),
  }),
  signOutEverywhere: t.boolean({
    description: "Revokes every session of the caller's and closes all their connections, on every instance.",
    ...signedIn,
    ...rateLimited('signOut'),
    resolve: async (_root, _args, ctx) => (await ctx.services.sessions.revokeAll(ctx.viewer!.id), true),
  }),
}));

builder.queryFields((t) => ({
  me: t.field({
    type: UserRef,
    nullable: true,
    ...signedIn,
    resolve: (_root, _args, ctx) => (ctx.viewer ? ctx.loaders.user.load(ctx.viewer.id) : null),
  }),
}));

builder.mutationFields((t) => ({
  blockUser: t.field({
    type: UserRef,
    description:
      "The viewer no longer receives the user's posts and reactions (queries, subscriptions, replays); the user no longer sees the viewer's stories nor reacts to them. Blocking twice changes nothing.",
    ...signedIn,
    ...rateLimited('blockUser'),
    args: { userId: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => ctx.services.blocks.block(ctx.viewer!.id, localId(String(args.userId), 'User')),
  }),
  unblockUser: t.field({
    type: UserRef,
    ...signedIn,
    ...rateLimited('blockUser'),
    args: { userId: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => ctx.services.blocks.unblock(ctx.viewer!.id, localId(String(args.userId), 'User')),
  }),
}));
