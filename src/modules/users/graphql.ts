import { builder, signedIn } from '../../graphql/builder.ts';
import { loadNodes } from '../../loaders.ts';
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
    token: t.exposeString('token', { description: 'A JWT for `Authorization: Bearer <token>`.' }),
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

builder.mutationFields((t) => ({
  signUp: t.field({
    type: AuthPayload,
    args: { input: t.arg({ type: SignUpInput, required: true }) },
    resolve: (_root, { input }, ctx) => ctx.services.users.signUp(input),
  }),
  signIn: t.field({
    type: AuthPayload,
    args: { input: t.arg({ type: SignInInput, required: true }) },
    resolve: (_root, { input }, ctx) => ctx.services.users.signIn(input),
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
