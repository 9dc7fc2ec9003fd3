/** A node of a trie keyed by the tokens of a walk: the next node by token, and what is kept where a walk ends. */
export interface TokenNode<T> {
  next?: Map<unknown, TokenNode<T>>;
  kept?: T;
}

/** A trie of what is kept by the tokens of a walk, and how many entries it holds. */
export interface TokenTrie<T> {
  root: TokenNode<T>;
  size: number;
}

/**
 * Keeps `value` under `tokens` in `trie` (replacing what was kept there).
 *
 * @example
 * const trie: TokenTrie<string> = { root: {}, size: 0 };
 * keepUnder(trie, ["fields", -1, "name"], "shape"); // trie.size === 1
 */
export function keepUnder<T>(trie: TokenTrie<T>, tokens: readonly unknown[], value: T): void {
  let node = trie.root;
  for (const token of tokens) {
    node.next ??= new Map();
    let next = node.next.get(token);
    if (!next) node.next.set(token, (next = {}));
    node = next;
  }
  if (node.kept === undefined) trie.size++;
  node.kept = value;
}
