"""The Jinja2 environment for leerpad's pages: the site's Markdown pages, the report and the
trainer pages. Python gathers what goes on a page; a template in the package's
``templates/`` folder holds the markup.

HTML templates (``*.html.j2``) are autoescaped. Markdown templates (``*.md.j2``) are not (a
page is Markdown, and HTML escaping would show ``&gt;`` for a quote): they mark authored text
with the filters ``esc`` (plain text), ``prose`` (Markdown on one line), ``md`` (Markdown)
and ``attr`` (HTML inside the Markdown). Words come from the one catalogue: ``t``.
"""

from pathlib import Path

import jinja2

from leerpad.i18n import t
from leerpad.markup import clean_markdown, html_text, markdown_text


def prose(text) -> str:
    """Authored Markdown on one line (a summary, a goal)."""
    return clean_markdown(" ".join(str(text).split()))


def count(number: int, one: str, many: str) -> str:
    """'1 module', '3 modules': Dutch singular and plural."""
    return f"{number} {one if number == 1 else many}"


class Templates:
    """The templates of one folder, with the filters its pages need besides the shared ones.
    Made once per package (at import), so each template compiles once."""

    def __init__(self, folder: Path, **filters):
        self.folder = Path(folder)
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(self.folder),
            autoescape=jinja2.select_autoescape(["html", "html.j2"], default_for_string=False),
            undefined=jinja2.StrictUndefined,  # a misspelt name fails, never an empty page
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.filters.update(
            esc=markdown_text, prose=prose, md=clean_markdown, attr=html_text, **filters
        )
        self.env.globals.update(t=t, count=count)

    def names(self) -> list[str]:
        """The templates a page can be made from (not the shared parts, named _*)."""
        return [n for n in self.env.list_templates() if not n.split("/")[-1].startswith("_")]

    def render(self, name: str, /, **data) -> str:
        """Template `name` filled with `data`."""
        return self.env.get_template(name).render(**data)
