/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query ChannelPage($id: ID!) {\n    channel(id: $id) { id name seller { id username } products { id name priceCents currency stock available } }\n  }\n": typeof types.ChannelPageDocument,
    "\n  subscription OnHighlight($id: ID!) {\n    productHighlighted(channelId: $id) { version isSnapshot product { id name priceCents currency } }\n  }\n": typeof types.OnHighlightDocument,
    "\n  subscription OnPresence($id: ID!) {\n    channelPresence(channelId: $id) { viewerCount sellerLive }\n  }\n": typeof types.OnPresenceDocument,
    "\n  mutation Highlight($input: HighlightProductInput!) { highlightProduct(input: $input) { version } }\n": typeof types.HighlightDocument,
    "\n  subscription OnProductUpdated($id: ID!) {\n    productUpdated(channelId: $id) { removed product { id priceCents currency stock available } }\n  }\n": typeof types.OnProductUpdatedDocument,
    "\n  mutation Claim($input: ClaimProductInput!) { claimProduct(input: $input) { id quantity } }\n": typeof types.ClaimDocument,
    "\n  mutation Unhighlight($input: UnhighlightProductInput!) { unhighlightProduct(input: $input) { version } }\n": typeof types.UnhighlightDocument,
    "\n  fragment ChatFrame on ChatEvent {\n    messages { id text createdAt author { id username } }\n    deletedIds\n    pinChanged\n    pinnedMessage { id text author { username } }\n    slowModeSeconds\n    cursor\n  }\n": typeof types.ChatFrameFragmentDoc,
    "\n  subscription OnChat($id: ID!) { channelChat(channelId: $id) { ...ChatFrame } }\n": typeof types.OnChatDocument,
    "\n  query ChatRole($id: ID!) { channel(id: $id) { id viewerRole } }\n": typeof types.ChatRoleDocument,
    "\n  mutation SendChat($input: SendChatMessageInput!) { sendChatMessage(input: $input) { id } }\n": typeof types.SendChatDocument,
    "\n  mutation DeleteChat($id: ID!) { deleteChatMessage(messageId: $id) }\n": typeof types.DeleteChatDocument,
    "\n  mutation PinChat($id: ID!) { pinChatMessage(messageId: $id) { id } }\n": typeof types.PinChatDocument,
    "\n  mutation UnpinChat($channelId: ID!) { unpinChatMessage(channelId: $channelId) { id } }\n": typeof types.UnpinChatDocument,
    "\n  mutation SlowMode($channelId: ID!, $seconds: Int!) { setChatSlowMode(channelId: $channelId, seconds: $seconds) { id } }\n": typeof types.SlowModeDocument,
    "\n  query Sections { sections { id name slug } }\n": typeof types.SectionsDocument,
    "\n  query Inbox {\n    me { id unreadNotificationCount }\n    notifications(first: 20) {\n      edges { node { id kind count emoji readAt updatedAt actors(first: 2) { username } post { id content } story { id } } }\n    }\n  }\n": typeof types.InboxDocument,
    "\n  subscription OnNotification { notificationAdded { id count readAt } }\n": typeof types.OnNotificationDocument,
    "\n  mutation MarkAllRead { markNotificationsRead(input: { all: true }) }\n": typeof types.MarkAllReadDocument,
    "\n  query ChannelDirectory {\n    channels(first: 20) { directoryCursor edges { live node { id name viewerCount } } }\n  }\n": typeof types.ChannelDirectoryDocument,
    "\n  subscription OnDirectoryChange($after: String) {\n    liveChannels(after: $after) { live viewerCount channel { id name } }\n  }\n": typeof types.OnDirectoryChangeDocument,
    "\n  query Search($query: String!) {\n    search(query: $query, first: 10) {\n      edges {\n        highlight\n        node {\n          __typename\n          ... on Post { id section { id } }\n          ... on User { id username }\n          ... on Product { id name }\n          ... on Section { id name }\n          ... on Channel { id name }\n        }\n      }\n    }\n  }\n": typeof types.SearchDocument,
    "\n  fragment PostBody on Post {\n    id\n    content\n    createdAt\n    editedAt\n    author { id username }\n  }\n": typeof types.PostBodyFragmentDoc,
    "\n  fragment PostLinks on Post {\n    links { id url status error errorMessage metadata { title description image siteName icon author publishedAt } }\n  }\n": typeof types.PostLinksFragmentDoc,
    "\n  fragment PostReactions on Post {\n    reactions { emoji count viewerHasReacted }\n  }\n": typeof types.PostReactionsFragmentDoc,
    "\n  fragment PostItem on Post {\n    ...PostBody\n    ...PostLinks\n    ...PostReactions\n  }\n": typeof types.PostItemFragmentDoc,
    "\n  query SectionFeed($sectionId: ID!) {\n    section(id: $sectionId) { id name posts(first: 20) { edges { node { ...PostBody ...PostReactions ...PostLinks @defer } } } }\n  }\n": typeof types.SectionFeedDocument,
    "\n  subscription OnPostCreated($sectionId: ID!) {\n    postCreated(sectionId: $sectionId) { ...PostItem }\n  }\n": typeof types.OnPostCreatedDocument,
    "\n  subscription OnPostUpdated($sectionId: ID!) {\n    postUpdated(sectionId: $sectionId) { ...PostItem }\n  }\n": typeof types.OnPostUpdatedDocument,
    "\n  subscription OnPostDeleted($sectionId: ID!) {\n    postDeleted(sectionId: $sectionId) { id }\n  }\n": typeof types.OnPostDeletedDocument,
    "\n  mutation UpdatePost($input: UpdatePostInput!) {\n    updatePost(input: $input) { ...PostItem }\n  }\n": typeof types.UpdatePostDocument,
    "\n  mutation DeletePost($postId: ID!) {\n    deletePost(postId: $postId)\n  }\n": typeof types.DeletePostDocument,
    "\n  subscription OnLinkUpdated($sectionId: ID!) {\n    linkMetadataUpdated(sectionId: $sectionId) {\n      postId\n      link { id url status error errorMessage metadata { title description image siteName icon author publishedAt } }\n    }\n  }\n": typeof types.OnLinkUpdatedDocument,
    "\n  subscription OnReactionsChanged($sectionId: ID!) {\n    postReactionsChanged(sectionId: $sectionId) { id ...PostReactions }\n  }\n": typeof types.OnReactionsChangedDocument,
    "\n  mutation AddReaction($input: ReactionInput!) {\n    addReaction(input: $input) { id ...PostReactions }\n  }\n": typeof types.AddReactionDocument,
    "\n  mutation RemoveReaction($input: ReactionInput!) {\n    removeReaction(input: $input) { id ...PostReactions }\n  }\n": typeof types.RemoveReactionDocument,
    "\n  mutation CreatePost($input: CreatePostInput!) {\n    createPost(input: $input) { id }\n  }\n": typeof types.CreatePostDocument,
    "\n  mutation SignIn($input: SignInInput!) {\n    signIn(input: $input) { token user { id username } }\n  }\n": typeof types.SignInDocument,
    "\n  mutation SignUp($input: SignUpInput!) {\n    signUp(input: $input) { token user { id username } }\n  }\n": typeof types.SignUpDocument,
    "\n  query StoriesTray { storiesFeed { id mediaUrl caption author { id username } } }\n": typeof types.StoriesTrayDocument,
    "\n  mutation ViewStory($storyId: ID!) { viewStory(storyId: $storyId) { id } }\n": typeof types.ViewStoryDocument,
    "\n  subscription OnStoryActivity {\n    storyActivity {\n      __typename\n      ... on StoryViewed { storyId viewedAt viewer { username } }\n      ... on StoryReacted { storyId reactedAt emoji user { username } }\n    }\n  }\n": typeof types.OnStoryActivityDocument,
};
const documents: Documents = {
    "\n  query ChannelPage($id: ID!) {\n    channel(id: $id) { id name seller { id username } products { id name priceCents currency stock available } }\n  }\n": types.ChannelPageDocument,
    "\n  subscription OnHighlight($id: ID!) {\n    productHighlighted(channelId: $id) { version isSnapshot product { id name priceCents currency } }\n  }\n": types.OnHighlightDocument,
    "\n  subscription OnPresence($id: ID!) {\n    channelPresence(channelId: $id) { viewerCount sellerLive }\n  }\n": types.OnPresenceDocument,
    "\n  mutation Highlight($input: HighlightProductInput!) { highlightProduct(input: $input) { version } }\n": types.HighlightDocument,
    "\n  subscription OnProductUpdated($id: ID!) {\n    productUpdated(channelId: $id) { removed product { id priceCents currency stock available } }\n  }\n": types.OnProductUpdatedDocument,
    "\n  mutation Claim($input: ClaimProductInput!) { claimProduct(input: $input) { id quantity } }\n": types.ClaimDocument,
    "\n  mutation Unhighlight($input: UnhighlightProductInput!) { unhighlightProduct(input: $input) { version } }\n": types.UnhighlightDocument,
    "\n  fragment ChatFrame on ChatEvent {\n    messages { id text createdAt author { id username } }\n    deletedIds\n    pinChanged\n    pinnedMessage { id text author { username } }\n    slowModeSeconds\n    cursor\n  }\n": types.ChatFrameFragmentDoc,
    "\n  subscription OnChat($id: ID!) { channelChat(channelId: $id) { ...ChatFrame } }\n": types.OnChatDocument,
    "\n  query ChatRole($id: ID!) { channel(id: $id) { id viewerRole } }\n": types.ChatRoleDocument,
    "\n  mutation SendChat($input: SendChatMessageInput!) { sendChatMessage(input: $input) { id } }\n": types.SendChatDocument,
    "\n  mutation DeleteChat($id: ID!) { deleteChatMessage(messageId: $id) }\n": types.DeleteChatDocument,
    "\n  mutation PinChat($id: ID!) { pinChatMessage(messageId: $id) { id } }\n": types.PinChatDocument,
    "\n  mutation UnpinChat($channelId: ID!) { unpinChatMessage(channelId: $channelId) { id } }\n": types.UnpinChatDocument,
    "\n  mutation SlowMode($channelId: ID!, $seconds: Int!) { setChatSlowMode(channelId: $channelId, seconds: $seconds) { id } }\n": types.SlowModeDocument,
    "\n  query Sections { sections { id name slug } }\n": types.SectionsDocument,
    "\n  query Inbox {\n    me { id unreadNotificationCount }\n    notifications(first: 20) {\n      edges { node { id kind count emoji readAt updatedAt actors(first: 2) { username } post { id content } story { id } } }\n    }\n  }\n": types.InboxDocument,
    "\n  subscription OnNotification { notificationAdded { id count readAt } }\n": types.OnNotificationDocument,
    "\n  mutation MarkAllRead { markNotificationsRead(input: { all: true }) }\n": types.MarkAllReadDocument,
    "\n  query ChannelDirectory {\n    channels(first: 20) { directoryCursor edges { live node { id name viewerCount } } }\n  }\n": types.ChannelDirectoryDocument,
    "\n  subscription OnDirectoryChange($after: String) {\n    liveChannels(after: $after) { live viewerCount channel { id name } }\n  }\n": types.OnDirectoryChangeDocument,
    "\n  query Search($query: String!) {\n    search(query: $query, first: 10) {\n      edges {\n        highlight\n        node {\n          __typename\n          ... on Post { id section { id } }\n          ... on User { id username }\n          ... on Product { id name }\n          ... on Section { id name }\n          ... on Channel { id name }\n        }\n      }\n    }\n  }\n": types.SearchDocument,
    "\n  fragment PostBody on Post {\n    id\n    content\n    createdAt\n    editedAt\n    author { id username }\n  }\n": types.PostBodyFragmentDoc,
    "\n  fragment PostLinks on Post {\n    links { id url status error errorMessage metadata { title description image siteName icon author publishedAt } }\n  }\n": types.PostLinksFragmentDoc,
    "\n  fragment PostReactions on Post {\n    reactions { emoji count viewerHasReacted }\n  }\n": types.PostReactionsFragmentDoc,
    "\n  fragment PostItem on Post {\n    ...PostBody\n    ...PostLinks\n    ...PostReactions\n  }\n": types.PostItemFragmentDoc,
    "\n  query SectionFeed($sectionId: ID!) {\n    section(id: $sectionId) { id name posts(first: 20) { edges { node { ...PostBody ...PostReactions ...PostLinks @defer } } } }\n  }\n": types.SectionFeedDocument,
    "\n  subscription OnPostCreated($sectionId: ID!) {\n    postCreated(sectionId: $sectionId) { ...PostItem }\n  }\n": types.OnPostCreatedDocument,
    "\n  subscription OnPostUpdated($sectionId: ID!) {\n    postUpdated(sectionId: $sectionId) { ...PostItem }\n  }\n": types.OnPostUpdatedDocument,
    "\n  subscription OnPostDeleted($sectionId: ID!) {\n    postDeleted(sectionId: $sectionId) { id }\n  }\n": types.OnPostDeletedDocument,
    "\n  mutation UpdatePost($input: UpdatePostInput!) {\n    updatePost(input: $input) { ...PostItem }\n  }\n": types.UpdatePostDocument,
    "\n  mutation DeletePost($postId: ID!) {\n    deletePost(postId: $postId)\n  }\n": types.DeletePostDocument,
    "\n  subscription OnLinkUpdated($sectionId: ID!) {\n    linkMetadataUpdated(sectionId: $sectionId) {\n      postId\n      link { id url status error errorMessage metadata { title description image siteName icon author publishedAt } }\n    }\n  }\n": types.OnLinkUpdatedDocument,
    "\n  subscription OnReactionsChanged($sectionId: ID!) {\n    postReactionsChanged(sectionId: $sectionId) { id ...PostReactions }\n  }\n": types.OnReactionsChangedDocument,
    "\n  mutation AddReaction($input: ReactionInput!) {\n    addReaction(input: $input) { id ...PostReactions }\n  }\n": types.AddReactionDocument,
    "\n  mutation RemoveReaction($input: ReactionInput!) {\n    removeReaction(input: $input) { id ...PostReactions }\n  }\n": types.RemoveReactionDocument,
    "\n  mutation CreatePost($input: CreatePostInput!) {\n    createPost(input: $input) { id }\n  }\n": types.CreatePostDocument,
    "\n  mutation SignIn($input: SignInInput!) {\n    signIn(input: $input) { token user { id username } }\n  }\n": types.SignInDocument,
    "\n  mutation SignUp($input: SignUpInput!) {\n    signUp(input: $input) { token user { id username } }\n  }\n": types.SignUpDocument,
    "\n  query StoriesTray { storiesFeed { id mediaUrl caption author { id username } } }\n": types.StoriesTrayDocument,
    "\n  mutation ViewStory($storyId: ID!) { viewStory(storyId: $storyId) { id } }\n": types.ViewStoryDocument,
    "\n  subscription OnStoryActivity {\n    storyActivity {\n      __typename\n      ... on StoryViewed { storyId viewedAt viewer { username } }\n      ... on StoryReacted { storyId reactedAt emoji user { username } }\n    }\n  }\n": types.OnStoryActivityDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ChannelPage($id: ID!) {\n    channel(id: $id) { id name seller { id username } products { id name priceCents currency stock available } }\n  }\n"): (typeof documents)["\n  query ChannelPage($id: ID!) {\n    channel(id: $id) { id name seller { id username } products { id name priceCents currency stock available } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription OnHighlight($id: ID!) {\n    productHighlighted(channelId: $id) { version isSnapshot product { id name priceCents currency } }\n  }\n"): (typeof documents)["\n  subscription OnHighlight($id: ID!) {\n    productHighlighted(channelId: $id) { version isSnapshot product { id name priceCents currency } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription OnPresence($id: ID!) {\n    channelPresence(channelId: $id) { viewerCount sellerLive }\n  }\n"): (typeof documents)["\n  subscription OnPresence($id: ID!) {\n    channelPresence(channelId: $id) { viewerCount sellerLive }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Highlight($input: HighlightProductInput!) { highlightProduct(input: $input) { version } }\n"): (typeof documents)["\n  mutation Highlight($input: HighlightProductInput!) { highlightProduct(input: $input) { version } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription OnProductUpdated($id: ID!) {\n    productUpdated(channelId: $id) { removed product { id priceCents currency stock available } }\n  }\n"): (typeof documents)["\n  subscription OnProductUpdated($id: ID!) {\n    productUpdated(channelId: $id) { removed product { id priceCents currency stock available } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Claim($input: ClaimProductInput!) { claimProduct(input: $input) { id quantity } }\n"): (typeof documents)["\n  mutation Claim($input: ClaimProductInput!) { claimProduct(input: $input) { id quantity } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Unhighlight($input: UnhighlightProductInput!) { unhighlightProduct(input: $input) { version } }\n"): (typeof documents)["\n  mutation Unhighlight($input: UnhighlightProductInput!) { unhighlightProduct(input: $input) { version } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ChatFrame on ChatEvent {\n    messages { id text createdAt author { id username } }\n    deletedIds\n    pinChanged\n    pinnedMessage { id text author { username } }\n    slowModeSeconds\n    cursor\n  }\n"): (typeof documents)["\n  fragment ChatFrame on ChatEvent {\n    messages { id text createdAt author { id username } }\n    deletedIds\n    pinChanged\n    pinnedMessage { id text author { username } }\n    slowModeSeconds\n    cursor\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription OnChat($id: ID!) { channelChat(channelId: $id) { ...ChatFrame } }\n"): (typeof documents)["\n  subscription OnChat($id: ID!) { channelChat(channelId: $id) { ...ChatFrame } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ChatRole($id: ID!) { channel(id: $id) { id viewerRole } }\n"): (typeof documents)["\n  query ChatRole($id: ID!) { channel(id: $id) { id viewerRole } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SendChat($input: SendChatMessageInput!) { sendChatMessage(input: $input) { id } }\n"): (typeof documents)["\n  mutation SendChat($input: SendChatMessageInput!) { sendChatMessage(input: $input) { id } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteChat($id: ID!) { deleteChatMessage(messageId: $id) }\n"): (typeof documents)["\n  mutation DeleteChat($id: ID!) { deleteChatMessage(messageId: $id) }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PinChat($id: ID!) { pinChatMessage(messageId: $id) { id } }\n"): (typeof documents)["\n  mutation PinChat($id: ID!) { pinChatMessage(messageId: $id) { id } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UnpinChat($channelId: ID!) { unpinChatMessage(channelId: $channelId) { id } }\n"): (typeof documents)["\n  mutation UnpinChat($channelId: ID!) { unpinChatMessage(channelId: $channelId) { id } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SlowMode($channelId: ID!, $seconds: Int!) { setChatSlowMode(channelId: $channelId, seconds: $seconds) { id } }\n"): (typeof documents)["\n  mutation SlowMode($channelId: ID!, $seconds: Int!) { setChatSlowMode(channelId: $channelId, seconds: $seconds) { id } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Sections { sections { id name slug } }\n"): (typeof documents)["\n  query Sections { sections { id name slug } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Inbox {\n    me { id unreadNotificationCount }\n    notifications(first: 20) {\n      edges { node { id kind count emoji readAt updatedAt actors(first: 2) { username } post { id content } story { id } } }\n    }\n  }\n"): (typeof documents)["\n  query Inbox {\n    me { id unreadNotificationCount }\n    notifications(first: 20) {\n      edges { node { id kind count emoji readAt updatedAt actors(first: 2) { username } post { id content } story { id } } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription OnNotification { notificationAdded { id count readAt } }\n"): (typeof documents)["\n  subscription OnNotification { notificationAdded { id count readAt } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation MarkAllRead { markNotificationsRead(input: { all: true }) }\n"): (typeof documents)["\n  mutation MarkAllRead { markNotificationsRead(input: { all: true }) }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ChannelDirectory {\n    channels(first: 20) { directoryCursor edges { live node { id name viewerCount } } }\n  }\n"): (typeof documents)["\n  query ChannelDirectory {\n    channels(first: 20) { directoryCursor edges { live node { id name viewerCount } } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription OnDirectoryChange($after: String) {\n    liveChannels(after: $after) { live viewerCount channel { id name } }\n  }\n"): (typeof documents)["\n  subscription OnDirectoryChange($after: String) {\n    liveChannels(after: $after) { live viewerCount channel { id name } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Search($query: String!) {\n    search(query: $query, first: 10) {\n      edges {\n        highlight\n        node {\n          __typename\n          ... on Post { id section { id } }\n          ... on User { id username }\n          ... on Product { id name }\n          ... on Section { id name }\n          ... on Channel { id name }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Search($query: String!) {\n    search(query: $query, first: 10) {\n      edges {\n        highlight\n        node {\n          __typename\n          ... on Post { id section { id } }\n          ... on User { id username }\n          ... on Product { id name }\n          ... on Section { id name }\n          ... on Channel { id name }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment PostBody on Post {\n    id\n    content\n    createdAt\n    editedAt\n    author { id username }\n  }\n"): (typeof documents)["\n  fragment PostBody on Post {\n    id\n    content\n    createdAt\n    editedAt\n    author { id username }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment PostLinks on Post {\n    links { id url status error errorMessage metadata { title description image siteName icon author publishedAt } }\n  }\n"): (typeof documents)["\n  fragment PostLinks on Post {\n    links { id url status error errorMessage metadata { title description image siteName icon author publishedAt } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment PostReactions on Post {\n    reactions { emoji count viewerHasReacted }\n  }\n"): (typeof documents)["\n  fragment PostReactions on Post {\n    reactions { emoji count viewerHasReacted }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment PostItem on Post {\n    ...PostBody\n    ...PostLinks\n    ...PostReactions\n  }\n"): (typeof documents)["\n  fragment PostItem on Post {\n    ...PostBody\n    ...PostLinks\n    ...PostReactions\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SectionFeed($sectionId: ID!) {\n    section(id: $sectionId) { id name posts(first: 20) { edges { node { ...PostBody ...PostReactions ...PostLinks @defer } } } }\n  }\n"): (typeof documents)["\n  query SectionFeed($sectionId: ID!) {\n    section(id: $sectionId) { id name posts(first: 20) { edges { node { ...PostBody ...PostReactions ...PostLinks @defer } } } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription OnPostCreated($sectionId: ID!) {\n    postCreated(sectionId: $sectionId) { ...PostItem }\n  }\n"): (typeof documents)["\n  subscription OnPostCreated($sectionId: ID!) {\n    postCreated(sectionId: $sectionId) { ...PostItem }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription OnPostUpdated($sectionId: ID!) {\n    postUpdated(sectionId: $sectionId) { ...PostItem }\n  }\n"): (typeof documents)["\n  subscription OnPostUpdated($sectionId: ID!) {\n    postUpdated(sectionId: $sectionId) { ...PostItem }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription OnPostDeleted($sectionId: ID!) {\n    postDeleted(sectionId: $sectionId) { id }\n  }\n"): (typeof documents)["\n  subscription OnPostDeleted($sectionId: ID!) {\n    postDeleted(sectionId: $sectionId) { id }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdatePost($input: UpdatePostInput!) {\n    updatePost(input: $input) { ...PostItem }\n  }\n"): (typeof documents)["\n  mutation UpdatePost($input: UpdatePostInput!) {\n    updatePost(input: $input) { ...PostItem }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeletePost($postId: ID!) {\n    deletePost(postId: $postId)\n  }\n"): (typeof documents)["\n  mutation DeletePost($postId: ID!) {\n    deletePost(postId: $postId)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription OnLinkUpdated($sectionId: ID!) {\n    linkMetadataUpdated(sectionId: $sectionId) {\n      postId\n      link { id url status error errorMessage metadata { title description image siteName icon author publishedAt } }\n    }\n  }\n"): (typeof documents)["\n  subscription OnLinkUpdated($sectionId: ID!) {\n    linkMetadataUpdated(sectionId: $sectionId) {\n      postId\n      link { id url status error errorMessage metadata { title description image siteName icon author publishedAt } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription OnReactionsChanged($sectionId: ID!) {\n    postReactionsChanged(sectionId: $sectionId) { id ...PostReactions }\n  }\n"): (typeof documents)["\n  subscription OnReactionsChanged($sectionId: ID!) {\n    postReactionsChanged(sectionId: $sectionId) { id ...PostReactions }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AddReaction($input: ReactionInput!) {\n    addReaction(input: $input) { id ...PostReactions }\n  }\n"): (typeof documents)["\n  mutation AddReaction($input: ReactionInput!) {\n    addReaction(input: $input) { id ...PostReactions }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemoveReaction($input: ReactionInput!) {\n    removeReaction(input: $input) { id ...PostReactions }\n  }\n"): (typeof documents)["\n  mutation RemoveReaction($input: ReactionInput!) {\n    removeReaction(input: $input) { id ...PostReactions }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreatePost($input: CreatePostInput!) {\n    createPost(input: $input) { id }\n  }\n"): (typeof documents)["\n  mutation CreatePost($input: CreatePostInput!) {\n    createPost(input: $input) { id }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SignIn($input: SignInInput!) {\n    signIn(input: $input) { token user { id username } }\n  }\n"): (typeof documents)["\n  mutation SignIn($input: SignInInput!) {\n    signIn(input: $input) { token user { id username } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SignUp($input: SignUpInput!) {\n    signUp(input: $input) { token user { id username } }\n  }\n"): (typeof documents)["\n  mutation SignUp($input: SignUpInput!) {\n    signUp(input: $input) { token user { id username } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query StoriesTray { storiesFeed { id mediaUrl caption author { id username } } }\n"): (typeof documents)["\n  query StoriesTray { storiesFeed { id mediaUrl caption author { id username } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ViewStory($storyId: ID!) { viewStory(storyId: $storyId) { id } }\n"): (typeof documents)["\n  mutation ViewStory($storyId: ID!) { viewStory(storyId: $storyId) { id } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription OnStoryActivity {\n    storyActivity {\n      __typename\n      ... on StoryViewed { storyId viewedAt viewer { username } }\n      ... on StoryReacted { storyId reactedAt emoji user { username } }\n    }\n  }\n"): (typeof documents)["\n  subscription OnStoryActivity {\n    storyActivity {\n      __typename\n      ... on StoryViewed { storyId viewedAt viewer { username } }\n      ... on StoryReacted { storyId reactedAt emoji user { username } }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;