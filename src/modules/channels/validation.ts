import { badInput } from '../../lib/errors.ts';
import { requireHttpUrl, requireText } from '../../lib/validate.ts';

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));
const MAX_PRICE_CENTS = 2_147_483_647;

/** Products one channel may hold: `Channel.products` is not paged. */
export const MAX_PRODUCTS_PER_CHANNEL = 100;

export interface NewProduct {
  name: string;
  description: string | null;
  priceCents: number;
  currency: string;
  imageUrl: string | null;
  stock: number | null;
}

/** Stock one product may hold: a bound on input, not on any real shop. */
const MAX_STOCK = 1_000_000_000;

/** Units to sell: a whole number from 0, or null for unlimited. */
export function validateStock(stock: number | null | undefined): number | null {
  if (stock === null || stock === undefined) return null;
  if (!Number.isSafeInteger(stock) || stock < 0 || stock > MAX_STOCK) throw badInput('stock must be a whole number from 0, or null for unlimited', 'stock');
  return stock;
}

const name = (raw: string) => requireText(raw, 'name', { max: 200 });
const description = (raw: string | null | undefined) => (raw?.trim() ? requireText(raw, 'description', { max: 2_000 }) : null);

function price(priceCents: number): number {
  if (!Number.isSafeInteger(priceCents) || priceCents < 0 || priceCents > MAX_PRICE_CENTS) {
    throw badInput('priceCents must be a non-negative whole number of minor units', 'priceCents');
  }
  return priceCents;
}

function currencyOf(raw: string): string {
  const currency = raw.trim();
  if (!/^[A-Z]{3}$/.test(currency) || !CURRENCIES.has(currency)) throw badInput('currency must be an ISO 4217 code such as EUR', 'currency');
  return currency;
}

/** What `updateProduct` may change; a field left out (undefined) stays as it is, `stock: null` makes it unlimited. */
export interface ProductChanges {
  name?: string | null;
  description?: string | null;
  priceCents?: number | null;
  currency?: string | null;
  stock?: number | null;
}

export function validateProductChanges(input: ProductChanges): Partial<Omit<NewProduct, 'imageUrl'>> {
  const changes: Partial<Omit<NewProduct, 'imageUrl'>> = {};
  if (input.name !== undefined && input.name !== null) changes.name = name(input.name);
  if (input.description !== undefined) changes.description = description(input.description);
  if (input.priceCents !== undefined && input.priceCents !== null) changes.priceCents = price(input.priceCents);
  if (input.currency !== undefined && input.currency !== null) changes.currency = currencyOf(input.currency);
  if (input.stock !== undefined) changes.stock = validateStock(input.stock);
  return changes;
}

export function validateNewProduct(input: {
  name: string;
  description?: string | null;
  priceCents: number;
  currency: string;
  imageUrl?: string | null;
  stock?: number | null;
}): NewProduct {
  const imageUrl = input.imageUrl?.trim() ? requireHttpUrl(input.imageUrl, 'imageUrl') : null;
  return {
    name: name(input.name),
    description: description(input.description),
    priceCents: price(input.priceCents),
    currency: currencyOf(input.currency),
    imageUrl,
    stock: validateStock(input.stock),
  };
}
