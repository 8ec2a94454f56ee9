// drizzle-kit's schema entry: every table, assembled from modules/*/tables.ts and realtime/tables.ts, nothing else.
export * from './modules/links/tables.ts';
export * from './modules/posts/tables.ts';
export * from './modules/reactions/tables.ts';
export * from './modules/sections/tables.ts';
export * from './modules/users/tables.ts';
export * from './modules/stories/tables.ts';
export * from './modules/channels/tables.ts';
export * from './modules/sessions/tables.ts';
export * from './realtime/tables.ts';
