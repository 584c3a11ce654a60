import type { Principal } from '@app/platform';
import type { UnitDirectory } from './unit-directory.service';

/** A WHERE clause built from optional filters, with its positional parameters. */
export class ListFilter {
  readonly params: unknown[] = [];
  private readonly clauses: string[] = [];

  /** Adds `sql(i)` where `$i` is the value's parameter; skipped when the value is absent. */
  add(sql: (i: number) => string, value: unknown): this {
    if (value === undefined || value === null || value === '') return this;
    this.params.push(value);
    this.clauses.push(sql(this.params.length));
    return this;
  }

  /**
   * Without an explicit unit (already scope-checked by the caller), limits the rows to the units the
   * key may read.
   */
  readableBy(units: UnitDirectory, principal: Principal, column: string, explicitUnit: string | undefined): this {
    if (explicitUnit) return this;
    const f = units.readableFilter(principal, column, this.params.length + 1);
    if (f) {
      this.params.push(...f.params);
      this.clauses.push(f.sql);
    }
    return this;
  }

  get sql(): string {
    return this.clauses.length ? `WHERE ${this.clauses.join(' AND ')}` : '';
  }
}
