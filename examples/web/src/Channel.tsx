import { useMutation, useQuery, useSubscription } from 'urql';
import { Chat } from './Chat.tsx';
import { graphql } from './gql/index.ts';

const ChannelQuery = graphql(`
  query ChannelPage($id: ID!) {
    channel(id: $id) { id name seller { id username } products { id name priceCents currency stock available } }
  }
`);

const Highlighted = graphql(`
  subscription OnHighlight($id: ID!) {
    productHighlighted(channelId: $id) { version isSnapshot product { id name priceCents currency } }
  }
`);

const Presence = graphql(`
  subscription OnPresence($id: ID!) {
    channelPresence(channelId: $id) { viewerCount sellerLive }
  }
`);

const Highlight = graphql(`
  mutation Highlight($input: HighlightProductInput!) { highlightProduct(input: $input) { version } }
`);

const ProductUpdates = graphql(`
  subscription OnProductUpdated($id: ID!) {
    productUpdated(channelId: $id) { removed product { id priceCents currency stock available } }
  }
`);

const Claim = graphql(`
  mutation Claim($input: ClaimProductInput!) { claimProduct(input: $input) { id quantity } }
`);

const Unhighlight = graphql(`
  mutation Unhighlight($input: UnhighlightProductInput!) { unhighlightProduct(input: $input) { version } }
`);

const price = (cents: number, currency: string) => new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(cents / 100);

/** A live channel: the highlighted product for everyone (the current one first), controls for its seller. */
export function Channel({ channelId, me }: { channelId: string; me: string }) {
  const [{ data, error }] = useQuery({ query: ChannelQuery, variables: { id: channelId } });
  const [live] = useSubscription({ query: Highlighted, variables: { id: channelId } });
  const [presence] = useSubscription({ query: Presence, variables: { id: channelId } });
  const [, highlight] = useMutation(Highlight);
  const [, unhighlight] = useMutation(Unhighlight);
  const [claiming, claim] = useMutation(Claim);
  // The latest state of each product changed since the page opened (stock moving with every claim).
  const [updates] = useSubscription({ query: ProductUpdates, variables: { id: channelId } }, (changed: Record<string, { stock?: number | null; available: boolean; priceCents: number; removed: boolean }> | undefined, data) => {
    const { product, removed } = data.productUpdated;
    return { ...changed, [product.id]: { stock: product.stock, available: product.available, priceCents: product.priceCents, removed } };
  });
  if (error) return <p role="alert">{error.message}</p>;
  if (!data) return <p>Loading…</p>;
  if (!data.channel) return <p role="alert">No such channel</p>;
  const { channel } = data;
  const current = live.data?.productHighlighted.product;
  const isSeller = channel.seller.id === me;
  return (
    <section>
      <h2>{channel.name}</h2>
      <p>by {channel.seller.username}</p>
      {presence.data && (
        <p data-testid="presence">
          {presence.data.channelPresence.viewerCount} watching · {presence.data.channelPresence.sellerLive ? 'seller is live' : 'seller is away'}
        </p>
      )}
      <div className="card highlight" data-testid="highlight">
        {current ? (
          <>
            Now showing: <b data-testid="highlight-name">{current.name}</b> {price(current.priceCents, current.currency)}
          </>
        ) : (
          'Nothing highlighted'
        )}
      </div>
      <ul>
        {channel.products.map((listed) => ({ ...listed, ...updates.data?.[listed.id] })).filter((product) => !('removed' in product && product.removed)).map((product) => (
          <li key={product.id} data-testid={`product-${product.name}`}>
            {product.name} {price(product.priceCents, product.currency)}{' '}
            <span data-testid="stock">{product.stock == null ? 'in stock' : product.stock === 0 ? 'Sold out' : `${product.stock} left`}</span>{' '}
            {!isSeller && (
              <button onClick={() => claim({ input: { productId: product.id, quantity: 1 } })} disabled={!product.available || claiming.fetching} data-testid="claim">
                Claim
              </button>
            )}
            {isSeller && (
              <button onClick={() => highlight({ input: { channelId, productId: product.id } })} data-testid={`highlight-${product.name}`}>
                Highlight
              </button>
            )}
          </li>
        ))}
      </ul>
      {isSeller && current && <button onClick={() => unhighlight({ input: { channelId } })}>Clear highlight</button>}
      {claiming.error && <p role="alert">{claiming.error.graphQLErrors[0]?.message ?? claiming.error.message}</p>}
      {claiming.data && <p data-testid="claimed">Claimed {claiming.data.claimProduct.quantity}</p>}
      <Chat channelId={channelId} me={me} />
    </section>
  );
}
