"""Import CompressAI's entropy models, coder and layers without its point-cloud stack.

``import compressai`` runs ``compressai/__init__.py``, which imports every subpackage, among
them the point-cloud datasets and the transform registry that pull in torch_geometric and, with
it, torch's compile stack: about 10 s of a 14 s start on a 2-core machine, none of it used by
aecodec. Importing a submodule (``compressai.entropy_models``) always runs the package's
``__init__`` first, so ``load()`` registers the package module *before* anything imports it:
created from CompressAI's own import spec (same ``__path__``, same files) but with its
``__init__`` deferred. Submodules then import normally. The two functions the entropy models
ask the package for are defined as CompressAI defines them (the default "ans" coder); the first
access to any other package attribute (``compressai.datasets``, ``compressai.zoo``, ...) runs
the real ``__init__`` in place (PEP 562 ``__getattr__``), so code that wants all of CompressAI
still gets it, unchanged.

The entropy models also ``import scipy.stats`` at the top, for one call (``norm.ppf``) that only
``update()`` makes, never the coding path: the largest import of the coding path after torch
itself (``bench/cli_timing.py`` times the command line). A finder on ``sys.meta_path`` hands
out ``scipy.stats`` through
``importlib.util.LazyLoader`` when something imports it: the module exists at once, and its real
``__init__`` runs on the first attribute anyone asks of it. Until then nothing of scipy is
imported (commands without a model never import it).
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import sys
from types import ModuleType

__all__ = ["load"]


def _deferred_package(name: str, light: dict[str, str]) -> ModuleType:
    """The package ``name`` as a module whose ``__init__`` runs on first attribute access,
    except for the attributes in ``light``, each served by importing only the module named."""
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ImportError(f"{name} is not installed")
    package = importlib.util.module_from_spec(spec)
    state = {"initialised": False}

    def complete(attribute: str):
        if attribute in light and not state["initialised"]:
            source = importlib.import_module(light[attribute])
            value = getattr(source, attribute, source)
            setattr(package, attribute, value)
            return value
        if attribute.startswith("__") or state["initialised"]:
            raise AttributeError(attribute)
        state["initialised"] = True
        spec.loader.exec_module(package)  # the real __init__, in this same module object
        return getattr(package, attribute)

    package.__getattr__ = complete
    return package


class _LazyScipyStats(importlib.abc.MetaPathFinder):
    """Finds ``scipy.stats`` as the other finders do, with its loader wrapped in LazyLoader."""

    def find_spec(self, name, path, target=None):  # noqa: ANN001, ANN201 (finder protocol)
        if name != "scipy.stats":
            return None
        for finder in sys.meta_path:
            find = getattr(finder, "find_spec", None)
            spec = None if finder is self or find is None else find(name, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = importlib.util.LazyLoader(spec.loader)
                return spec
        return None


def load() -> None:
    """Make ``import compressai.<submodule>`` skip the eager ``__init__`` of ``compressai``,
    ``compressai.models`` and ``compressai.latent_codecs``, and ``import scipy.stats`` defer its
    ``__init__`` to first use. Imports nothing itself (no torch); a no-op if compressai is
    already imported or not installed."""
    if "compressai" in sys.modules or importlib.util.find_spec("compressai") is None:
        return
    # the entropy models do `from compressai import ans`: served without the package __init__
    root = _deferred_package("compressai", {"ans": "compressai.ans"})
    root._entropy_coder = "ans"  # as compressai/__init__.py: the default (and only) coder
    root.get_entropy_coder = lambda: root._entropy_coder
    root.available_entropy_coders = lambda: ["ans"]
    sys.modules["compressai"] = root
    if "scipy.stats" not in sys.modules:
        sys.meta_path.insert(0, _LazyScipyStats())
    sys.modules["compressai.models"] = _deferred_package("compressai.models", {})
    # compressai.models.base asks its sibling package for the latent-codec base class only
    sys.modules["compressai.latent_codecs"] = _deferred_package(
        "compressai.latent_codecs", {"LatentCodec": "compressai.latent_codecs.base"}
    )
