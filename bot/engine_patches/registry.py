"""What an engine patch is, and how it is checked against Rasa before it is installed.

A fix that replaces Rasa code is only right for the code it was written against, so every
replacement records a fingerprint of the ORIGINAL it replaces (:class:`Patch`), and so
does every piece of Rasa code a fix relies on without replacing it (:class:`Reliance`:
a method the fix calls, or whose behaviour is the reason for the fix). The fingerprint is
the sha256 of the original's source text as :func:`inspect.getsource` reads it from the
installed Rasa. Any edit to that code (a Rasa upgrade, a local hack in site-packages,
another patch already wrapped around it) changes the fingerprint, and the engine refuses
to start, naming the patch and what differed, instead of running a fix over code it was
never checked against.

The table of patches and their fingerprints is in :mod:`bot.engine_patches`; this module
is only the mechanism, and it imports nothing from Rasa itself.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


class PatchError(RuntimeError):
    """The engine must not start: a patch does not fit the installed Rasa (message says why)."""


@dataclass(frozen=True)
class Patch:
    """One replacement of a Rasa attribute.

    Attributes:
        name: How logs, errors and tests call the patch (``module.what``).
        target: The Rasa object replaced, ``module:Qualified.name``.
        fingerprint: sha256 (hex) of the original's source, recorded when the patch was
            written (``python -m bot.engine_patches`` prints the current ones).
        make: ``module:function`` that, given the original, returns its replacement.
        why: One line: what the patch fixes (the module's docstring has the detail).
    """

    name: str
    target: str
    fingerprint: str
    make: str
    why: str


@dataclass(frozen=True)
class Reliance:
    """Rasa code a fix relies on without replacing it, fingerprinted like a patch's original.

    Attributes:
        name: How errors call it.
        target: The Rasa object, ``module:Qualified.name``.
        fingerprint: sha256 (hex) of its source when the fix was written.
        why: What the fix assumes about it.
    """

    name: str
    target: str
    fingerprint: str
    why: str


@dataclass(frozen=True)
class Tuning:
    """A process setting (not a Rasa attribute): nothing to fingerprint.

    Attributes:
        name: How logs call it.
        apply: ``module:function`` that applies it (no arguments).
        why: One line: what it fixes.
    """

    name: str
    apply: str
    why: str


@dataclass(frozen=True)
class Found:
    """What a target names in the running interpreter."""

    owner: Any
    attribute: str
    value: Any


def resolve(target: str) -> Found:
    """The object ``module:Qualified.name`` names, with the object holding it.

    Raises:
        PatchError: When the module or an attribute on the way does not exist.
    """
    module_name, _, qualname = target.partition(":")
    try:
        owner: Any = importlib.import_module(module_name)
    except ImportError as e:
        raise PatchError(f"module {module_name} cannot be imported ({e})") from e
    *path, attribute = qualname.split(".")
    for part in path:
        if not hasattr(owner, part):
            raise PatchError(f"{module_name} has no {part}")
        owner = getattr(owner, part)
    # The owner's own dictionary, not getattr: what is defined there (no inherited
    # method, no descriptor protocol in between), which is also what setattr replaces.
    space = vars(owner)
    if attribute not in space:
        raise PatchError(f"{module_name}.{qualname} does not exist")
    return Found(owner, attribute, space[attribute])


def fingerprint(obj: Any) -> str:
    """sha256 of the source of ``obj`` (a function: of its own code, never unwrapped).

    :func:`inspect.getsource` follows ``__wrapped__`` on a function; reading the source
    of its code object instead means a wrapper around Rasa's function (someone else's
    patch) is fingerprinted as the wrapper it is, not as the function it wraps.

    Raises:
        PatchError: When there is no source to read (a builtin, code made at run time).
    """
    if isinstance(obj, staticmethod | classmethod):
        obj = obj.__func__
    code = getattr(obj, "__code__", obj)
    try:
        source = inspect.getsource(code)
    except (OSError, TypeError) as e:
        raise PatchError(f"its source cannot be read ({e})") from e
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


def where(obj: Any) -> str:
    """``file:line`` of ``obj``'s code, for messages (empty when unknown)."""
    if isinstance(obj, staticmethod | classmethod):
        obj = obj.__func__
    code = getattr(obj, "__code__", None)
    return f"{code.co_filename}:{code.co_firstlineno}" if code is not None else ""


def mismatch(name: str, kind: str, target: str, recorded: str) -> str | None:
    """Why ``target`` is not what ``name`` was written against, or None when it is.

    Args:
        name: The patch or reliance.
        kind: ``replaces`` or ``relies on``, for the message.
        target: ``module:Qualified.name``.
        recorded: The fingerprint recorded in the code.
    """
    shown = target.replace(":", ".")
    try:
        found = resolve(target)
        actual = fingerprint(found.value)
    except PatchError as e:
        return f"{name} {kind} {shown}, but {e}"
    if actual == recorded:
        return None
    at = where(found.value)
    return (
        f"{name} {kind} {shown}, whose source changed: sha256 {recorded[:16]}… recorded, "
        f"{actual[:16]}… found{f' ({at})' if at else ''}"
    )


def load(spec: str) -> Callable[..., Any]:
    """The function ``module:name`` names (one of ours: a patch's ``make``, a tuning)."""
    module_name, _, name = spec.partition(":")
    function: Callable[..., Any] = getattr(importlib.import_module(module_name), name)
    return function
