"""Sphinx configuration: `make docs` builds docs/_build/html with warnings as errors.

The API reference is generated from each public module's ``__all__`` (see
``_api.py``), so a name added to ``__all__`` appears without editing a page, and
nothing private does. The gallery executes every script in ``examples/``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _api import write_api_pages  # noqa: E402

import prioritize  # noqa: E402

project = "prioritize"
author = "The prioritize maintainers"
copyright = "2026, the prioritize maintainers"
release = prioritize.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py", "**/*.zip"]
templates_path = ["_templates"]

myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

# -- API reference -------------------------------------------------------------
write_api_pages(HERE / "api")
autosummary_generate = True
autosummary_imported_members = True
autodoc_default_options = {"members": False}
autodoc_typehints = "none"  # numpydoc sections carry the types; signatures stay readable
autodoc_member_order = "bysource"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

# -- Gallery ---------------------------------------------------------------------
# Every script in examples/ runs at build time: a broken example breaks the build.
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    # fairness_test_example.py is a pytest file that runs pytest on itself (it needs
    # __file__, which the gallery does not set): shown, not executed here; the test
    # suite runs it (tests/test_examples.py).
    "filename_pattern": r"/(?!fairness_test_example\.py)[^/]+\.py$",
    "ignore_pattern": r"__init__\.py",
    "abort_on_example_error": True,
    "plot_gallery": "True",
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "image_scrapers": ("matplotlib",),
    "matplotlib_animations": False,
    "show_memory": False,
    "min_reported_time": 1,
}
os.environ.setdefault("MPLBACKEND", "Agg")

# -- HTML ------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"prioritize {release}"
html_static_path: list[str] = []
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "header_links_before_dropdown": 7,
    "secondary_sidebar_items": ["page-toc"],
}
html_show_sourcelink = False


def _short_signature(app, what, name, obj, options, signature, return_annotation):  # type: ignore[no-untyped-def]
    """Pydantic models: keyword fields with short defaults, not the full nested reprs."""
    import inspect

    from pydantic import BaseModel

    if what != "class" or not (inspect.isclass(obj) and issubclass(obj, BaseModel)):
        return None
    parts = []
    for field, info in obj.model_fields.items():
        if info.is_required():
            parts.append(field)
        elif info.default_factory is not None:
            parts.append(f"{field}=...")
        else:
            text = repr(info.default)
            parts.append(f"{field}={text if len(text) <= 30 else '...'}")
    return f"(*, {', '.join(parts)})" if parts else "()", return_annotation


def setup(app):  # type: ignore[no-untyped-def]
    app.connect("autodoc-process-signature", _short_signature)
