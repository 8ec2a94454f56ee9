import type { ProductState } from './events.ts';
import type { ProductRow } from './tables.ts';

/** A product as its events carry it. */
export function toProductState(product: ProductRow): ProductState {
  return { ...product, createdAt: product.createdAt.toISOString(), removedAt: product.removedAt?.toISOString() ?? null };
}

/** A product back from an event (one recorded before stock existed has unlimited stock). */
export function productFromJson(state: ProductState): ProductRow {
  return {
    ...state,
    stock: state.stock ?? null,
    createdAt: new Date(state.createdAt),
    removedAt: state.removedAt ? new Date(state.removedAt) : null,
  };
}

