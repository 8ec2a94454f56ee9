/**
 * `npm run seed`: demo data through Plaza's own API, against a running
 * server (PLAZA_URL, default http://localhost:4000/graphql): three users, a
 * section with posts and links, a story with a view, a live channel with
 * products and a highlight. Run it again and it signs the same users in and
 * adds fresh posts. Prints what GraphiQL and the example app need.
 */
const url = process.env.PLAZA_URL ?? 'http://localhost:4000/graphql';
const PASSWORD = 'plaza-demo-password';

async function call<T>(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: Array<{ message: string; extensions?: { code?: string } }> };
  if (body.errors?.length) throw Object.assign(new Error(body.errors.map((e) => e.message).join('; ')), { code: body.errors[0]!.extensions?.code });
  return body.data as T;
}

interface Session {
  token: string;
  user: { id: string; username: string };
}

async function user(username: string): Promise<Session> {
  const input = { username, password: PASSWORD };
  const fields = '{ token user { id username } }';
  try {
    return (await call<{ signUp: Session }>(`mutation($input: SignUpInput!) { signUp(input: $input) ${fields} }`, { input })).signUp;
  } catch (err) {
    if ((err as { code?: string }).code !== 'BAD_USER_INPUT') throw err;
    return (await call<{ signIn: Session }>(`mutation($input: SignInInput!) { signIn(input: $input) ${fields} }`, { input })).signIn;
  }
}

async function main() {
  const [ada, grace, linus] = [await user('ada'), await user('grace'), await user('linus')];

  const { sections } = await call<{ sections: Array<{ id: string; slug: string }> }>('{ sections { id slug } }', {}, ada.token);
  const sectionId =
    sections.find((s) => s.slug === 'general')?.id ??
    (await call<{ createSection: { id: string } }>('mutation { createSection(input: { name: "General", slug: "general" }) { id } }', {}, ada.token))
      .createSection.id;
  const posts = [
    { by: ada, content: 'Welcome to Plaza! Previews fill in live.', links: ['https://example.com/'] },
    { by: grace, content: 'Reading list for the week', links: ['https://www.wikipedia.org/', 'https://developer.mozilla.org/'] },
    { by: linus, content: 'No links in this one.', links: [] },
  ];
  const created: string[] = [];
  for (const post of posts) {
    const { createPost } = await call<{ createPost: { id: string } }>(
      'mutation($input: CreatePostInput!) { createPost(input: $input) { id } }',
      { input: { sectionId, content: post.content, links: post.links } },
      post.by.token,
    );
    created.push(createPost.id);
  }
  await call('mutation($input: ReactionInput!) { addReaction(input: $input) { id } }', { input: { postId: created[0], emoji: '🎉' } }, grace.token);

  const { createStory } = await call<{ createStory: { id: string } }>(
    'mutation { createStory(input: { mediaUrl: "https://example.com/story.jpg", caption: "Behind the scenes" }) { id } }',
    {},
    ada.token,
  );
  await call('mutation($id: ID!) { viewStory(storyId: $id) { id } }', { id: createStory.id }, grace.token);

  const { createChannel } = await call<{ createChannel: { id: string } }>('mutation { createChannel(input: { name: "Friday drop" }) { id } }', {}, ada.token);
  const products: string[] = [];
  for (const [name, priceCents] of [['Plaza mug', 1200], ['Sticker pack', 500], ['Hoodie', 4500]] as const) {
    const { addProduct } = await call<{ addProduct: { id: string } }>(
      'mutation($input: AddProductInput!) { addProduct(input: $input) { id } }',
      { input: { channelId: createChannel.id, name, priceCents, currency: 'EUR' } },
      ada.token,
    );
    products.push(addProduct.id);
  }
  await call('mutation($input: HighlightProductInput!) { highlightProduct(input: $input) { version } }', { input: { channelId: createChannel.id, productId: products[0] } }, ada.token);

  const out = {
    server: url,
    password: PASSWORD,
    users: Object.fromEntries([ada, grace, linus].map((s) => [s.user.username, { id: s.user.id, token: s.token }])),
    sectionId,
    posts: created,
    storyId: createStory.id,
    channelId: createChannel.id,
    productIds: products,
  };
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  process.stderr.write(
    `\nSeeded. In GraphiQL (${url}) set the header {"Authorization": "Bearer <a token above>"}; ada is the seller of the channel and the story's author.\n`,
  );
}

main().catch((err: Error) => {
  process.stderr.write(`seed failed: ${err.message}\nIs Plaza running at ${url}? (npm start, or set PLAZA_URL)\n`);
  process.exit(1);
});
