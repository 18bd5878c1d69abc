import fc from 'fast-check';

/**
 * A value nested `depth` levels deep, built only when serialised, so that fast-check can print a
 * counterexample holding one (its printer recurses and would overflow the stack).
 */
export class Deep {
  constructor(
    readonly depth: number,
    readonly leaf: unknown = 'x',
  ) {}

  toJSON() {
    let v: unknown = this.leaf;
    for (let i = 0; i < this.depth; i++) v = i % 2 ? [v] : { a: v };
    return v;
  }

  [fc.toStringMethod]() {
    return `Deep(${this.depth})`;
  }
}
