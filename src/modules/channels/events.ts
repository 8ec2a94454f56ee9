import type { Delivered } from '../../realtime/streams.ts';

/** A product as its events carry it (JSON: dates as ISO-8601). */
export interface ProductState {
  id: string;
  channelId: string;
  name: string;
  description: string | null;
  priceCents: number;
  currency: string;
  imageUrl: string | null;
  /** Units left; null = unlimited. Absent in events recorded before stock existed. */
  stock?: number | null;
  removedAt?: string | null;
  createdAt: string;
}

/** A channel's whole highlight state after a change; `version` orders them. */
export interface HighlightState {
  channelId: string;
  version: number;
  /** ISO-8601, null when nothing is highlighted. */
  highlightedAt: string | null;
  product: ProductState | null;
}

/** A highlight as `productHighlighted` delivers it: a recorded change, or (`snapshot`) the state read at the start. */
export type HighlightDelivered = Delivered<HighlightState> & { snapshot?: true };

/** A change of one product of a channel: its price, stock, name, a claim, or its removal. */
export interface ProductUpdateEvent {
  product: ProductState;
  removed: boolean;
}

/** A user banned from a channel: their chat subscriptions to it end on every instance. */
export interface ChannelBannedEvent {
  channelId: string;
  userId: string;
}

/** A channel going live, its viewer count moving while live, or its end (`live: false`): the directory's stream. */
export interface DirectoryEvent {
  channelId: string;
  /** Its seller: whoever blocks them is not told (absent from events recorded before it was added). */
  sellerId?: string;
  live: boolean;
  viewerCount: number;
}

export type ChannelTopics = {
  /** Keyed by channel id; the sequence number of each event is the channel's version. */
  'channel:highlight': HighlightState;
  /** Keyed by channel id: every change of its products, in commit order. */
  'channel:product': ProductUpdateEvent;
  /** One key, `all`, for the whole cluster. */
  'channel:banned': ChannelBannedEvent;
  /** One key, `all`: the live-channel directory (directory.ts). */
  'channel:directory': DirectoryEvent;
};
