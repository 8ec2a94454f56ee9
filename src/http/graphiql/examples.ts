/** Example operations GraphiQL opens with in development: one or more for every feature. */
export const exampleOperations = /* GraphQL */ `# Welcome to Plaza. Run SignUp (or SignIn): the page puts the token into Headers
# for you. Then CreateSection and copy its id into the variables as "sectionId".
# Subscriptions run over WebSocket; ?subscriptions=sse in the address uses SSE.
# Open a second GraphiQL tab to run a subscription while you mutate in this one.

mutation SignUp {
  signUp(input: { username: "ada", password: "correct horse battery" }) { token refreshToken expiresAt user { id username } }
}

mutation SignIn {
  signIn(input: { username: "ada", password: "correct horse battery" }) { token refreshToken expiresAt user { id username } }
}

query Me { me { id username displayName } }

# Sections, posts and link previews
mutation CreateSection {
  createSection(input: { name: "General", slug: "general" }) { id slug name }
}

mutation CreatePost($sectionId: ID!) {
  createPost(input: { sectionId: $sectionId, content: "Hello Plaza", links: ["https://example.com"] }) {
    id content createdAt cursor author { username } links { id url status }
  }
}

subscription OnPostCreated($sectionId: ID!, $after: String) {
  postCreated(sectionId: $sectionId, after: $after) { id content cursor author { username } }
}

subscription OnLinkPreview($sectionId: ID!) {
  linkMetadataUpdated(sectionId: $sectionId) {
    postId cursor link { url status error metadata { title description image siteName author publishedAt lang icon embed { type provider url html } } }
  }
}

query Feed($sectionId: ID!) {
  section(id: $sectionId) {
    name
    posts(first: 20) {
      edges { cursor node { id content cursor author { displayName } links { url status metadata { title image } } reactions { emoji count viewerHasReacted } } }
      pageInfo { hasNextPage endCursor }
    }
  }
}

mutation EditPost($postId: ID!) {
  updatePost(input: { postId: $postId, content: "Hello again, Plaza" }) { id content editedAt }
}

mutation DeletePost($postId: ID!) { deletePost(postId: $postId) }

# Edits and deletions are in the same ordered stream as creations: any of the three cursors resumes the others.
subscription OnPostUpdated($sectionId: ID!, $after: String) {
  postUpdated(sectionId: $sectionId, after: $after) { id content editedAt cursor }
}

subscription OnPostDeleted($sectionId: ID!, $after: String) {
  postDeleted(sectionId: $sectionId, after: $after) { id sectionId cursor }
}

# Members-only sections, moderators, bans and reports
mutation CreateMembersSection {
  createSection(input: { name: "Staff", slug: "staff", visibility: MEMBERS }) { id visibility viewerRole }
}

mutation AddMember($sectionId: ID!, $userId: ID!) { addSectionMember(sectionId: $sectionId, userId: $userId) { id } }

mutation AddModerator($sectionId: ID!, $userId: ID!) { addSectionModerator(sectionId: $sectionId, userId: $userId) { id } }

mutation Ban($sectionId: ID!, $userId: ID!) {
  banFromSection(input: { sectionId: $sectionId, userId: $userId, reason: "spam", until: "2030-01-01T00:00:00.000Z" }) { id }
}

mutation ReportPost($postId: ID!) { reportPost(input: { postId: $postId, reason: "off topic" }) { id reportedPost { content } } }

query Reports($sectionId: ID!) {
  section(id: $sectionId) { reports(first: 20) { edges { node { id reason action reportedPost { content author { username } } } } } }
}

mutation ResolveReport($reportId: ID!) { resolveReport(reportId: $reportId, action: DELETE_POST) { id action } }

mutation Block($userId: ID!) { blockUser(userId: $userId) { id username } }

mutation React($postId: ID!) { addReaction(input: { postId: $postId, emoji: "🎉" }) { id reactions { emoji count } } }

subscription OnReactions($sectionId: ID!) {
  postReactionsChanged(sectionId: $sectionId) { id reactions { emoji count viewerHasReacted } }
}

# Stories: the author alone hears of views and reactions by others
mutation CreateStory { createStory(input: { mediaUrl: "https://example.com/story.jpg", caption: "Hi" }) { id expiresAt } }

query Stories { storiesFeed { id caption author { username } } }

mutation ViewStory($storyId: ID!) { viewStory(storyId: $storyId) { id } }

mutation DeleteStory($storyId: ID!) { deleteStory(storyId: $storyId) }

subscription OnStoryActivity {
  storyActivity {
    ... on StoryViewed { storyId viewedAt viewer { username } cursor }
    ... on StoryReacted { storyId emoji reactedAt user { username } cursor }
  }
}

# The inbox: views, reactions and @mentions, coalesced; live with notificationAdded
query Inbox {
  me { unreadNotificationCount }
  notifications(first: 20) { edges { node { id kind count emoji readAt cursor actors(first: 3) { username } post { content } story { id } } } }
}

mutation MarkAllRead { markNotificationsRead(input: { all: true }) }

subscription OnNotification($after: String) { notificationAdded(after: $after) { id kind count cursor actors(first: 1) { username } } }

# Live channels: the seller highlights a product, everyone in the channel sees it
mutation CreateChannel { createChannel(input: { name: "Friday drop" }) { id name } }

mutation AddProduct($channelId: ID!) {
  addProduct(input: { channelId: $channelId, name: "Mug", priceCents: 1200, currency: "EUR", stock: 20 }) { id name stock available }
}

mutation UpdateProduct($productId: ID!) { updateProduct(input: { productId: $productId, priceCents: 990, stock: 10 }) { id priceCents stock } }

mutation RemoveProduct($productId: ID!) { removeProduct(productId: $productId) }

# Claims never oversell: SOLD_OUT when fewer units are left
mutation Claim($productId: ID!) { claimProduct(input: { productId: $productId, quantity: 1 }) { id quantity product { stock available } } }

query Claims($channelId: ID!) {
  channel(id: $channelId) { claims(first: 20) { edges { node { quantity createdAt buyer { username } product { name } } } } }
}

subscription OnProductUpdated($channelId: ID!, $after: String) {
  productUpdated(channelId: $channelId, after: $after) { removed cursor product { id name priceCents stock available } }
}

mutation Highlight($channelId: ID!, $productId: ID!) {
  highlightProduct(input: { channelId: $channelId, productId: $productId }) { version product { name } }
}

subscription OnHighlight($channelId: ID!) {
  productHighlighted(channelId: $channelId) { version isSnapshot cursor product { name priceCents currency } }
}

# Chat: frames of everything since the last one; a joiner first gets the last 50 messages and the pinned one
subscription OnChat($channelId: ID!, $after: String) {
  channelChat(channelId: $channelId, after: $after) { messages { id text createdAt author { username } } deletedIds pinChanged pinnedMessage { id text } cursor }
}

mutation SendChat($channelId: ID!) { sendChatMessage(input: { channelId: $channelId, text: "Is the mug dishwasher safe?" }) { id text } }

query ChatHistory($channelId: ID!) {
  channel(id: $channelId) { pinnedMessage { text } slowModeSeconds chat(last: 50) { edges { node { text author { username } } } pageInfo { hasPreviousPage startCursor } } }
}

mutation DeleteChat($messageId: ID!) { deleteChatMessage(messageId: $messageId) }

mutation PinChat($messageId: ID!) { pinChatMessage(messageId: $messageId) { pinnedMessage { text } } }

mutation UnpinChat($channelId: ID!) { unpinChatMessage(channelId: $channelId) { id } }

mutation SlowMode($channelId: ID!) { setChatSlowMode(channelId: $channelId, seconds: 10) { slowModeSeconds } }

mutation AddChannelModerator($channelId: ID!, $userId: ID!) { addChannelModerator(channelId: $channelId, userId: $userId) { viewerRole } }

mutation BanFromChannel($channelId: ID!, $userId: ID!) { banFromChannel(input: { channelId: $channelId, userId: $userId }) { id } }

# Who is watching: a count, at most one update a second
subscription OnPresence($channelId: ID!) { channelPresence(channelId: $channelId) { viewerCount sellerLive } }
`;
