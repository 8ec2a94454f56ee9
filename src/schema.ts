import { builder } from './graphql/builder.ts';
import { withRateLimits } from './graphql/rate-limited-fields.ts';
// Each module registers its types and fields on the builder as it is imported.
import './modules/index.ts';

export const schema = withRateLimits(builder.toSchema({ sortSchema: true }));
