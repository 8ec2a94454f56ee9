import { defaultFieldResolver, type GraphQLFieldResolver, type GraphQLSchema, isObjectType } from 'graphql';
import type { RateLimitName } from '../config/sections/rate-limits.ts';
import type { Context } from './context.ts';

interface RateLimitExtension {
  name: RateLimitName;
  /** `user`: per signed-in user (per address before sign-in); `ip`: always per address. */
  per: 'user' | 'ip';
}

/**
 * Field options that put a mutation under a named rate limit (config.ts,
 * `RATE_LIMIT_*`), checked before the resolver runs, over every transport.
 */
export const rateLimited = (name: RateLimitName, per: RateLimitExtension['per'] = 'user') => ({
  extensions: { rateLimit: { name, per } satisfies RateLimitExtension },
});

/**
 * Wraps every field that carries a rate limit so it spends a point first
 * (RATE_LIMITED when none is left), and every subscription root field under
 * the `subscribe` limit: starting a subscription reads the database, so a
 * client must not start thousands a second.
 */
export function withRateLimits(schema: GraphQLSchema): GraphQLSchema {
  for (const field of Object.values(schema.getSubscriptionType()?.getFields() ?? {})) {
    const subscribe = field.subscribe;
    if (!subscribe) continue;
    field.subscribe = async (source, args, ctx: Context, info) => {
      await ctx.rateLimits.consume('subscribe', ctx.viewer ? `user:${ctx.viewer.id}` : `ip:${ctx.ip}`);
      return subscribe(source, args, ctx, info);
    };
  }
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const limit = field.extensions.rateLimit as RateLimitExtension | undefined;
      if (!limit) continue;
      const resolve: GraphQLFieldResolver<unknown, Context> = field.resolve ?? defaultFieldResolver;
      field.resolve = async (source, args, ctx, info) => {
        const key = limit.per === 'user' && ctx.viewer ? `user:${ctx.viewer.id}` : `ip:${ctx.ip}`;
        await ctx.rateLimits.consume(limit.name, key);
        return resolve(source, args, ctx, info);
      };
    }
  }
  return schema;
}
