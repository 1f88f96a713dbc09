"""The organisation tree's materialised paths, as infrastructure every app filters by: a
node's path is its parent's plus one step of STEPLEN characters from PATH_ALPHABET
(treebeard's MP_Node, which organisations.Organisation is), so a subtree is every path that
starts with its root's."""

from __future__ import annotations

from django.db.models import Q

PATH_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # treebeard's default
STEPLEN = 4


def subtree_q(path: str, *, via: str = "") -> Q:
    """Rows whose organisation (reached through `via`, e.g. "union__") lies in the subtree at
    `path`, written as a range of paths rather than LIKE 'path%'. Both select the same rows
    (paths use only the tree's alphabet, which every collation sorts in alphabet order; tree
    order relies on it too), but on PostgreSQL LIKE can only use the pattern index, which is
    not in path order, while a range also uses the ordinary path index: a first page in
    tree order stops after its rows instead of filtering the tree from its start, and the
    planner sizes the subtree from the path histogram, so a small subtree is joined by index
    rather than by scanning the whole tree (bench/bench_tree.py)."""
    bounds = {f"{via}path__gte": path}
    after = _path_after(path)
    if after is not None:
        bounds[f"{via}path__lt"] = after
    return Q(**bounds)


def _path_after(path: str) -> str | None:
    """The first string above every path that starts with `path` (None: nothing is above)."""
    alphabet = PATH_ALPHABET
    stem = path.rstrip(alphabet[-1])
    if not stem:
        return None
    return stem[:-1] + alphabet[alphabet.index(stem[-1]) + 1]
