"""Computed styles kept between documents of one process.

WeasyPrint 70.0 (pinned) computes an element's style property by property, lazily, every time a
document is rendered: ~10,000 such computations for one Mẫu 02, about 11 % of its instructions
(callgrind). Forms of one kind are the same elements with the same classes, so their styles are
the same. A computed value is a pure function of the parent's computed values, the element's
cascaded declarations, its pseudo-element, the base URL and the fonts: elements that agree in all
of these, and whose ancestors do, have equal styles. So the first such style is computed in full
and kept (a "snapshot"); the next one starts filled from it.

Each style gets a signature: its parent's signature and its own cascade. Values that compare by
content (strings, numbers, tuples of them) key by content; any other object keys by identity and
is kept alive with the snapshot, so its id cannot be reused by another object. A cascade with
viewport units (computed against the first page, which may not exist yet) is never kept.

Only styles made by the cascade (StyleFor.set_computed_styles) and the anonymous styles of those
get snapshots, both taken right when the style is made. WeasyPrint changes styles in place only
on copies or in properties children do not inherit (margins and padding of tables, display), so
a snapshot never holds a changed value. Tests render every kind with and without snapshots,
cold and warm, and compare the PDF bytes.
"""
from __future__ import annotations

import itertools
import threading

KEEP = 20_000  # signatures per process; then all are dropped and kept anew (a Mẫu 02 has ~60)

_PLAIN = frozenset((str, int, float, bool, type(None)))
_signatures: dict = {}      # key → signature number
_snapshots: dict = {}       # signature → (values, specified values, objects kept alive)
_anonymous: dict = {}       # signature of the parent → values
_failed: set = set()        # keys whose full computation failed: not tried again
_numbers = itertools.count()
_lock = threading.Lock()
_installed: dict = {}


class _Unkept(Exception):
    pass


def _value_key(v, alive: list, viewport: frozenset):
    t = type(v)
    if t in _PLAIN:
        # 1, 1.0 and True are equal keys but may compute (and print) differently: typed.
        return v if t is str or v is None else (t.__name__, v)
    if isinstance(v, tuple):
        if getattr(v, "unit", None) in viewport:   # a Dimension in vw, vh …
            raise _Unkept
        return tuple([_value_key(x, alive, viewport) for x in v])
    if t is list:
        return ("[]", *[_value_key(x, alive, viewport) for x in v])
    if _mentions(v, viewport):                     # calc(…vw…) and the like
        raise _Unkept
    alive.append(v)  # keyed by identity: kept alive, so the id stays this object's
    return ("@", id(v))


def _mentions(node, viewport: frozenset) -> bool:
    """Whether a parsed CSS value (tinycss2 tokens) has a viewport unit anywhere inside."""
    unit = getattr(node, "unit", None)
    if isinstance(unit, str) and unit.lower() in viewport:
        return True
    inner = getattr(node, "arguments", None) or getattr(node, "content", None)
    if isinstance(node, (list, tuple)):
        inner = node
    return isinstance(inner, (list, tuple)) and any(_mentions(x, viewport) for x in inner)


def _compute_all(style, names) -> None:
    for name in names:
        style[name]


def _known_values(viewport: frozenset):
    """The key of a declared value, remembered by the value object's identity: the stylesheet's
    values are the same objects in every document, so their keys are computed once. The object
    is kept with its key, so its id cannot pass to another object meanwhile."""
    known: dict = {}

    def key(values, alive: list):
        seen = known.get(id(values))
        if seen is not None and seen[0] is values:
            k, kept = seen[1], seen[2]
        else:
            kept: list = []
            k = _value_key(values, kept, viewport)
            if len(known) >= 8 * KEEP:
                known.clear()
            known[id(values)] = (values, k, kept)
        alive += kept
        return k
    return key


def install() -> None:
    """Wrap WeasyPrint's cascade and anonymous styles with the snapshots (once per process)."""
    from weasyprint import css as C
    from weasyprint.css.properties import INITIAL_VALUES
    from weasyprint.css.units import VIEWPORT_UNITS

    if _installed:
        return
    names = tuple(INITIAL_VALUES)
    viewport = frozenset(VIEWPORT_UNITS)
    known = _known_values(viewport)
    set_computed_styles = C.StyleFor.set_computed_styles
    anonymous_init = C.AnonymousStyle.__init__
    _installed.update(set_computed_styles=set_computed_styles, anonymous_init=anonymous_init)
    C.ComputedStyle.kept_signature = None   # copies and unkept styles

    def kept_set_computed_styles(self, element, parent, root=None, pseudo_type=None,
                                 base_url=None, target_collector=None):
        set_computed_styles(self, element, parent, root, pseudo_type, base_url, target_collector)
        style = self._computed_styles[element, pseudo_type]
        parent_style = style.parent_style
        if parent_style is None:
            above = "root"
        else:
            above = getattr(parent_style, "kept_signature", None)
            if above is None:
                return
        alive: list = [style.font_config]
        try:
            cascade = tuple([(name, known(values, alive), weight[0], weight[1], tuple(weight[2]))
                             for name, (values, weight) in style.cascaded.items()])
        except (_Unkept, TypeError, IndexError, ValueError):   # not a cascade we know to key
            return
        key = (above, pseudo_type, base_url, id(style.font_config), cascade)
        with _lock:
            number = _signatures.get(key)
            kept = _snapshots.get(number)
            if key in _failed:
                return
        if kept is None:
            # Computed in full on a twin, so that a property that cannot be computed here
            # fails only if the document asks for it – as without snapshots.
            twin = C.ComputedStyle(parent_style, style.cascaded, pseudo_type, style.root_style,
                                   style.base_url, style.font_config, style.initial_page_sizes)
            try:
                _compute_all(twin, names)
            except Exception:  # noqa: BLE001 – not kept; WeasyPrint computes lazily as always
                with _lock:
                    _failed.add(key)
                return
            kept = (dict(twin), dict(twin.specified), alive)
            with _lock:
                if len(_snapshots) >= KEEP:
                    _clear()
                number = next(_numbers)
                _signatures[key] = number
                _snapshots[number] = kept
        values, specified, _ = kept
        style.update(values)
        style.specified.update(specified)
        style.kept_signature = number

    def kept_anonymous_init(self, parent_style):
        anonymous_init(self, parent_style)
        number = getattr(parent_style, "kept_signature", None) \
            if type(parent_style) is C.ComputedStyle else None
        if number is None:
            return
        with _lock:
            values = _anonymous.get(number)
        if values is None:
            twin = C.AnonymousStyle.__new__(C.AnonymousStyle)
            anonymous_init(twin, parent_style)
            for name in names:
                try:
                    twin[name]
                except KeyError:  # logical properties anonymous boxes cannot compute
                    pass
                except Exception:  # noqa: BLE001
                    return
            values = dict(twin)
            with _lock:
                if number in _snapshots:
                    _anonymous[number] = values
        self.update(values)

    C.StyleFor.set_computed_styles = kept_set_computed_styles
    C.AnonymousStyle.__init__ = kept_anonymous_init


def uninstall() -> None:
    """Back to WeasyPrint's own (tests compare the two)."""
    from weasyprint import css as C

    if _installed:
        C.StyleFor.set_computed_styles = _installed.pop("set_computed_styles")
        C.AnonymousStyle.__init__ = _installed.pop("anonymous_init")
        _installed.clear()
    clear()


def _clear() -> None:
    _signatures.clear()
    _snapshots.clear()
    _anonymous.clear()
    _failed.clear()


def clear() -> None:
    with _lock:
        _clear()
