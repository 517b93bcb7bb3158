"""leerpad.site: the MkDocs site generated from the catalogue.

``generate(docs_dir, apps_url, lab_url)`` writes Markdown pages; ``mkdocs build`` renders them.
"""

from .pages import DEFAULT_APPS_URL, DEFAULT_LAB_URL, generate

__all__ = ["DEFAULT_APPS_URL", "DEFAULT_LAB_URL", "generate"]
