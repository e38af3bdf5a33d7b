"""Specialised structure functions for flat attrs records: the decoding hot path.

cattrs' generated code calls two hooks per present field (the Optional wrapper, then the
scalar one) and builds a dict for ``cls(**res)``. For a listing of transactions that is most
of the decoding time. :func:`record_hook` generates, once per model, one function that
reads each field with ``dict.get`` and inlines the common cases (a string that is already a
``str``; ``null`` and ``""`` as None); anything else goes through the very same hook the
converter would use, so every tolerance and every error is unchanged. On any error the
caller re-decodes with the detailed converter to name the failing field, exactly as before.

Building the record. A keyword call of a 33-field frozen class costs about as much as
reading all its fields. When attrs itself reports (:func:`attrs.inspect`, public since attrs
25.4) that it wrote the class's ``__init__``, that the class is slotted, not an exception
and does not cache its hash, and no field has a validator or converter and the class no
``__attrs_pre_init__``/``__attrs_post_init__`` hook, then that ``__init__`` does nothing but
store each argument in its slot, as attrs documents. The record is then built the same way
minus the keyword-argument call: ``object.__new__`` and one store per field through the slot's
descriptor (Python's own ``__slots__`` mechanism, the ``object.__setattr__`` route attrs
documents for frozen classes), about a third less time per record. Equality, hashing and
repr read the same slots, so they are unchanged. Any other class, and every class on an
attrs without :func:`attrs.inspect`, is built by calling it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from types import MemberDescriptorType, NoneType, UnionType
from typing import Any, Union, get_args, get_origin

import attrs

from ._dates import parse_fixed_width

__all__ = ["record_hook"]

Hook = Callable[[Any, Any], Any]


def _optional_inner(tp: Any) -> Any | None:
    if get_origin(tp) in (Union, UnionType):
        args = [arg for arg in get_args(tp) if arg is not NoneType]
        if len(args) == 1 and len(get_args(tp)) == 2:
            return args[0]
    return None


def record_hook(
    model: type[Any], scalar_hooks: dict[Any, Hook], hook_for: Callable[[Any], Hook]
) -> Hook | None:
    """One structure function for ``model``, or None when it is not a flat attrs record.

    ``scalar_hooks`` maps scalar types to the converter's hooks for them; ``hook_for(tp)``
    returns the converter's hook for any other field type.
    """
    if not attrs.has(model):
        return None
    fields = attrs.fields(attrs.resolve_types(model))  # "str | None" -> str | None
    if any(not f.init or f.alias != f.name or not f.name.isidentifier() for f in fields):
        return None
    namespace: dict[str, Any] = {"__model": model, "__fixed_width": parse_fixed_width}
    # lt/ld: the record's last timestamp text and its datetime (see _read_timestamp).
    lines = ["def structure(o, _=None):", "    get = o.get", "    lt = ld = None"]
    for index, field in enumerate(fields):
        field_lines = _read_field(index, field, namespace, scalar_hooks, hook_for)
        if field_lines is None:
            return None  # a non-None default: leave it to cattrs
        lines += field_lines
    lines += _build_record(model, fields, namespace)
    exec("\n".join(lines), namespace)  # noqa: S102 - code built above from field names only
    return namespace["structure"]  # type: ignore[no-any-return]


def _read_field(
    index: int,
    field: Any,
    namespace: dict[str, Any],
    scalar_hooks: dict[Any, Hook],
    hook_for: Callable[[Any], Hook],
) -> list[str] | None:
    """Lines that read field ``index`` of ``o`` into ``v{index}`` (None: cannot inline it)."""
    value, hook = f"v{index}", f"h{index}"
    inner = _optional_inner(field.type)
    if inner is datetime and field.default is None and inner in scalar_hooks:
        namespace[hook] = scalar_hooks[inner]
        return _read_timestamp(field.name, value, hook)
    if inner is not None and field.default is None and inner in scalar_hooks:
        namespace[hook] = scalar_hooks[inner]
        return _read_optional_scalar(field.name, value, hook, inline_str=inner is str)
    if field.default is None or field.default is attrs.NOTHING:
        # As cattrs: an absent field keeps its default (a required one raises KeyError,
        # and the detailed converter explains); a present one goes through its hook.
        tp = f"t{index}"
        namespace[hook], namespace[tp] = hook_for(field.type), field.type
        call = f"{hook}(o[{field.name!r}], {tp})"
        if field.default is None:
            call = f"{call} if {field.name!r} in o else None"
        return [f"    {value} = {call}"]
    return None


def _read_optional_scalar(name: str, value: str, hook: str, *, inline_str: bool) -> list[str]:
    """Lines for an optional scalar: ``null`` and ``""`` are None, anything else goes through
    the hook, except a ``str`` for a ``str`` field, kept as it is (tested first: most are).
    An ``int`` is not inlined: the hook also checks its bounds."""
    if inline_str:
        return [
            f"    {value} = get({name!r})",
            f"    if {value}.__class__ is str:",
            f"        if not {value}:",
            f"            {value} = None",
            f"    elif {value} is not None:",
            f"        {value} = {hook}({value})",
        ]
    return [
        f"    {value} = get({name!r})",
        f"    if {value} is None or {value} == '':",
        f"        {value} = None",
        "    else:",
        f"        {value} = {hook}({value})",
    ]


def _read_timestamp(name: str, value: str, hook: str) -> list[str]:
    """Lines for an optional timestamp: the fixed-width fast path first (anything else goes
    through the converter's hook, which also words the errors), and a record's repeated text
    (``approved_time`` is often ``created_time``) is parsed once; datetimes are immutable."""
    return [
        f"    {value} = get({name!r})",
        f"    if {value} is None or {value} == '':",
        f"        {value} = None",
        f"    elif {value} == lt:",
        f"        {value} = ld",
        "    else:",
        f"        lt = {value}",
        f"        ld = __fixed_width({value}) if {value}.__class__ is str else None",
        "        if ld is None:",
        f"            ld = {hook}({value})",
        f"        {value} = ld",
    ]


def _build_record(model: type[Any], fields: Any, namespace: dict[str, Any]) -> list[str]:
    """Lines that return the record built from ``v0``, ``v1``, …"""
    setters = _slot_setters(model, fields)
    if setters is None:
        arguments = ", ".join(f"{field.name}=v{index}" for index, field in enumerate(fields))
        return [f"    return __model({arguments})"]
    namespace["__new"] = object.__new__
    lines = ["    self = __new(__model)"]
    for index, setter in enumerate(setters):
        namespace[f"s{index}"] = setter
        lines.append(f"    s{index}(self, v{index})")
    return [*lines, "    return self"]


def _slot_setters(model: type[Any], fields: Any) -> list[Hook] | None:
    """Each field's slot-descriptor ``__set__``, when storing them is all ``__init__`` does."""
    if not _init_only_stores(model, fields):
        return None
    setters: list[Hook] = []
    for field in fields:
        descriptor = next(
            (klass.__dict__[field.name] for klass in model.__mro__ if field.name in klass.__dict__),
            None,
        )
        if not isinstance(descriptor, MemberDescriptorType):
            return None  # shadowed by something else: only __init__ knows how to store it
        setters.append(descriptor.__set__)
    return setters


def _init_only_stores(model: type[Any], fields: Any) -> bool:
    """Does attrs report an ``__init__`` of its own that only stores its arguments?"""
    if hasattr(model, "__attrs_pre_init__") or hasattr(model, "__attrs_post_init__"):
        return False
    if any(field.validator is not None or field.converter is not None for field in fields):
        return False
    props = _class_props(model)
    try:
        return (
            props is not None
            and props.added_init  # not a hand-written __init__
            and props.is_slotted
            and not props.is_exception  # whose __init__ also calls BaseException's
            # cache_hash=True: __init__ also resets the cached hash
            and props.hashability is not attrs.ClassProps.Hashability.HASHABLE_CACHED
        )
    except AttributeError:  # attrs.inspect is experimental: should its answer change shape,
        return False  # build by calling (a test fails, the decoding does not)


def _class_props(model: type[Any]) -> attrs.ClassProps | None:
    """attrs' own account of how it built ``model`` (None on attrs before 25.4, or for a
    class attrs did not decorate itself, such as a plain subclass of an attrs class)."""
    inspect = getattr(attrs, "inspect", None)
    if inspect is None:
        return None
    try:
        return inspect(model)  # type: ignore[no-any-return]
    except attrs.exceptions.NotAnAttrsClassError:
        return None
