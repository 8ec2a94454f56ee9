import { byId } from '../../graphql/batch-loaders.ts';
import type { ChannelAccess } from '../channels/access.ts';
import { defineModule, topics } from '../module.ts';
import type { ChatTopics } from './events.ts';
import './graphql.ts';
import { followBans } from './live.ts';
import { type ChatService, createChatService } from './service.ts';

/** A live channel's chat: messages in frames, pins, slow mode; bans end a user's chat everywhere. */
export const chatModule = defineModule({
  name: 'chat',
  topics: topics<ChatTopics>(),
  services: ({ db, outbox, streams, config }, earlier: { channelAccess: ChannelAccess }) => ({
    chat: createChatService({ db, outbox, streams, access: earlier.channelAccess, frameMs: config.channels.chatFrameMs }),
  }),
  serving: ({ streams, logger }) => followBans(streams, logger),
  loaders: {
    chatMessage: (s: { chat: ChatService }, viewerId: string | null) => byId((ids) => s.chat.messagesByIds(ids, viewerId)),
    chatSettings: (s: { chat: ChatService }) => byId(async (ids) => (await s.chat.settingsOf(ids)).map((row) => ({ ...row, id: row.channelId }))),
  },
});
