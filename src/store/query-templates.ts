// Queries compiled once and then run with new values. Kysely builds an operation tree and compiles it
// to SQL on every call: 10–20 µs per query on the benchmark machine, about as much as a point lookup
// in SQLite, on the hottest paths (GET member, the statements of every member write). A template is
// built once with placeholder values, compiled by the store's own dialect, and afterwards only its
// parameter list is rebuilt. Dialect-neutral: it is Kysely's own compiled query, run by
// `executeQuery` on whatever handle the caller has (the store or a transaction).
import type { Compilable, CompiledQuery, Kysely, QueryResult } from 'kysely';
import type { StoreDatabase } from './schema.ts';

const PLACEHOLDER = '\u0000routeplane-template-value-';

/** Where each compiled parameter comes from: a caller value (by index) or a constant of the query. */
type Slot = { index: number } | { constant: unknown };

interface Template {
  compiled: CompiledQuery;
  slots: Slot[];
}

/**
 * One per store (compiled SQL depends on the dialect). Only for queries whose values are plain
 * scalars that Kysely passes through as parameters, never for `in (…)` lists or values it rewrites.
 */
export class QueryTemplates {
  private readonly templates = new Map<string, Template>();

  /**
   * Runs the query `build` makes, `values` taking the place of the placeholders `build` was given.
   * `key` names the query shape: one key, one SQL text.
   */
  execute<R>(
    db: Kysely<StoreDatabase>,
    key: string,
    values: readonly unknown[],
    build: (...placeholders: string[]) => Compilable<R>,
  ): Promise<QueryResult<R>> {
    let template = this.templates.get(key);
    if (template === undefined) {
      template = compileTemplate(key, values.length, build);
      this.templates.set(key, template);
    }
    const parameters = template.slots.map((slot) => ('index' in slot ? values[slot.index] : slot.constant));
    return db.executeQuery<R>({ ...template.compiled, parameters } as CompiledQuery<R>);
  }
}

function compileTemplate(
  key: string,
  arity: number,
  build: (...placeholders: string[]) => Compilable<unknown>,
): Template {
  const placeholders = Array.from({ length: arity }, (_, index) => `${PLACEHOLDER}${index}`);
  const compiled = build(...placeholders).compile();
  const used = new Set<number>();
  const slots = compiled.parameters.map((parameter): Slot => {
    if (typeof parameter === 'string' && parameter.startsWith(PLACEHOLDER)) {
      const index = Number(parameter.slice(PLACEHOLDER.length));
      used.add(index);
      return { index };
    }
    return { constant: parameter };
  });
  if (used.size !== arity) {
    // A value Kysely inlined or transformed: this query cannot be a template.
    throw new Error(`query template ${key}: ${arity - used.size} of ${arity} values are not parameters`);
  }
  return { compiled, slots };
}
