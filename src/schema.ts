import { builder } from './graphql/builder.ts';
import { withRateLimits } from './graphql/rate-limited-fields.ts';
import './modules/users/graphql.ts';
import './modules/sections/graphql.ts';
import './modules/links/graphql.ts';
import './modules/posts/graphql.ts';
import './modules/reactions/graphql.ts';
import './modules/stories/graphql.ts';
import './modules/channels/graphql.ts';

export const schema = withRateLimits(builder.toSchema({ sortSchema: true }));
