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
}

export function validateNewProduct(input: {
  name: string;
  description?: string | null;
  priceCents: number;
  currency: string;
  imageUrl?: string | null;
}): NewProduct {
  const name = requireText(input.name, 'name', { max: 200 });
  const description = input.description?.trim() ? requireText(input.description, 'description', { max: 2_000 }) : null;
  if (!Number.isSafeInteger(input.priceCents) || input.priceCents < 0 || input.priceCents > MAX_PRICE_CENTS) {
    throw badInput('priceCents must be a non-negative whole number of minor units', 'priceCents');
  }
  const currency = input.currency.trim();
  if (!/^[A-Z]{3}$/.test(currency) || !CURRENCIES.has(currency)) {
    throw badInput('currency must be an ISO 4217 code such as EUR', 'currency');
  }
  const imageUrl = input.imageUrl?.trim() ? requireHttpUrl(input.imageUrl, 'imageUrl') : null;
  return { name, description, priceCents: input.priceCents, currency, imageUrl };
}
