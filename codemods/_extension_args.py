"""Where an extension's arguments go when `Ext(app, ...)` becomes `Ext(...)` + `init_app`.

Shared by the extensions codemod (instances in the app module) and the view modules the
blueprints codemod converts (an instance a sibling module binds to the app at import time).
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst
import libcst.matchers as m

from flaskmod.knowledge import ALL, Extension


def is_app(arg: cst.Arg, app: str) -> bool:
    """`app` passed positionally or as `app=`."""
    return m.matches(arg.value, m.Name(app)) and (arg.keyword is None or arg.keyword.value == "app")


def split_arguments(
    args: Sequence[cst.Arg], app: str, known: Extension
) -> tuple[tuple[cst.Arg, ...], tuple[cst.Arg, ...]]:
    """The arguments besides the app: (constructor's, init_app's), as the extension takes them."""
    takes = known.init_takes
    ctor: list[cst.Arg] = []
    init: list[cst.Arg] = []
    for arg in args:
        if is_app(arg, app):
            continue
        goes_to_init = takes == ALL or (
            isinstance(takes, frozenset) and arg.keyword is not None and arg.keyword.value in takes
        )
        (init if goes_to_init else ctor).append(arg)
    return tuple(ctor), tuple(init)


def call_with(func: cst.BaseExpression, args: Sequence[cst.Arg]) -> cst.Call:
    """`func(args)`, the arguments' trailing commas normalised."""
    return cst.Call(func, [arg.with_changes(comma=cst.MaybeSentinel.DEFAULT) for arg in args])
