import { z } from 'zod';

/** `MAX_BODY_BYTES` -> `maxBodyBytes`. */
type Camel<S extends string> = S extends `${infer Head}_${infer Tail}` ? `${Lowercase<Head>}${Capitalize<Camel<Tail>>}` : Lowercase<S>;
type Strip<K extends string, P extends string> = K extends `${P}${infer Rest}` ? Rest : K;

/** A section's settings, validated, under their names in code: the variable's, camel-cased, its prefix dropped. */
export type Values<S extends z.ZodRawShape, P extends string> = { [K in keyof S & string as Camel<Strip<K, P>>]: z.output<S[K]> };

/** Every validated setting by variable name, for what one section takes from another (the rate-limit multiplier). */
export type Settings = Record<string, unknown>;

export interface Section<Out> {
  /** The variables, each declared once: its schema, default and description (`.describe()`). */
  readonly shape: z.ZodRawShape;
  /** The section's part of the Config, out of every validated setting. */
  read(settings: Settings): Out;
}

const camel = (name: string) => name.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/**
 * A concern's settings (server, database, links, …): each variable declared
 * once, with its schema, default and description. What code sees is the
 * variable's name camel-cased, without the section's `prefix`
 * (`LINK_WORKERS` -> `workers`), unless `derive` makes something else of
 * the values (units, lists, a switch).
 */
export function section<S extends z.ZodRawShape, P extends string = '', Out = Values<S, P>>(
  shape: S,
  options: { prefix?: P; derive?: (values: Values<S, P>, settings: Settings) => Out } = {},
): Section<Out> {
  const prefix = options.prefix ?? '';
  return {
    shape,
    read(settings) {
      const values = Object.fromEntries(
        Object.keys(shape).map((name) => [camel(name.startsWith(prefix) ? name.slice(prefix.length) : name), settings[name]]),
      ) as Values<S, P>;
      return options.derive ? options.derive(values, settings) : (values as unknown as Out);
    },
  };
}

/** `true`/`false` (also `1`/`0`, `yes`/`no`) as a boolean. */
export const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** An optional URL whose scheme is one of `protocols`. */
export const optionalUrl = (protocols: string[]) =>
  z
    .string()
    .trim()
    .min(1)
    .refine(
      (v) => {
        try {
          return protocols.includes(new URL(v).protocol);
        } catch {
          return false;
        }
      },
      `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`,
    )
    .optional();

/** "a, b,,c" -> ["a", "b", "c"]. */
export const commaList = (value: string) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

/** A whole number of at least `min` (from text). */
export const int = (min: number) => z.coerce.number().int().min(min);
