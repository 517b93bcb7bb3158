"""leerpad.markup: authored Markdown is cleaned once, and both renderers (the site's MkDocs
extensions and the apps' markdown_html) then give HTML without script, event attributes or
script links, while emphasis, code, links and a few inline tags still work."""

import html.parser

import markdown
import pytest

from leerpad.markup import clean_markdown, markdown_html, markdown_text, safe_target

SITE_EXTENSIONS = ["attr_list", "md_in_html", "admonition", "fenced_code", "tables", "toc"]
RUN = "window.__xss=1"
# Tags Markdown itself makes, and the inline tags an author may write.
TAGS = set(
    "p a em strong code pre ul ol li blockquote h1 h2 h3 h4 h5 h6 img hr br table thead tbody "
    "tr th td div sup sub kbd mark small b i u s abbr q cite dfn var samp".split()
)

ATTACKS = [
    f'<img src=x onerror="{RUN}">',
    f"<script>{RUN}</script>",
    f'"><svg onload="{RUN}">',
    f"<iframe src='javascript:{RUN}'></iframe>",
    f"[klik](javascript:{RUN})",
    f"[klik]( JaVaScRiPt:{RUN})",
    f"[klik](&#106;avascript:{RUN})",
    f"[klik](java&#x09;script:{RUN})",
    f"[klik](<javascript:{RUN}>)",
    f"[klik](data:text/html,<script>{RUN}</script>)",
    f"[klik][r]\n\n[r]: javascript:{RUN}",
    f"![foto](javascript:{RUN})",
    f'# Kop {{: onclick="{RUN}" }}',
    f'alinea\n{{: onmouseover="{RUN}" }}',
    f'![foto](x.png){{: onerror="{RUN}" }}',
    f'```{{.py onclick="{RUN}"}}\nprint(1)\n```',
    f'<p onclick="{RUN}">tekst</p>',
    f"<div markdown>\n<img src=x onerror={RUN}>\n</div>",
    f"\\`<img src=x onerror={RUN}>`",
    f"<!-- --><img src=x onerror={RUN}>",
    f"<sup onclick={RUN}>2</sup>",
    f"<a href='javascript:{RUN}'>a</a>",
    f'<https://x.be" onclick="{RUN}>',
    f"<javascript:{RUN}>",
    f"```\n<img src=x onerror={RUN}>\n````",
    f"```python met meer woorden\n<img src=x onerror={RUN}>\n```",
    f"~~~\n<img src=x onerror={RUN}>\n```",
]


class Tags(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def assert_safe(rendered: str):
    parser = Tags()
    parser.feed(rendered)
    for tag, attrs in parser.found:
        assert tag in TAGS, (tag, rendered)
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name, rendered)
            if name in ("href", "src"):
                assert safe_target(value or ""), (tag, value, rendered)


@pytest.mark.parametrize("text", ATTACKS)
def test_attacks_render_harmless_on_the_site_and_in_the_apps(text):
    assert_safe(markdown.markdown(clean_markdown(text), extensions=SITE_EXTENSIONS))
    assert_safe(markdown_html(text))
    assert_safe(markdown_html(text, inline=True))
    # plain text (a title) is never markup at all
    assert_safe(markdown.markdown(markdown_text(text), extensions=SITE_EXTENSIONS))


@pytest.mark.parametrize(
    "text, shown",
    [
        ("**vet** en *schuin*", "<strong>vet</strong> en <em>schuin</em>"),
        ("`a < b` en `<img>`", "<code>a &lt; b</code> en <code>&lt;img&gt;</code>"),
        ("[site](https://www.vlaanderen.be)", '<a href="https://www.vlaanderen.be">site</a>'),
        ("[uitleg](uitleg.md#deel)", '<a href="uitleg.md#deel">uitleg</a>'),
        ("[mail](mailto:juf@school.be)", '<a href="mailto:juf@school.be">mail</a>'),
        ("2<sup>8</sup> = 256", "2<sup>8</sup> = 256"),
        ("3 < 5 & 6 > 2", "3 &lt; 5 &amp; 6 &gt; 2"),
        ("<img src=x>", "&lt;img src=x&gt;"),
    ],
)
def test_what_authors_write_still_works(text, shown):
    assert markdown_html(text, inline=True) == shown


def test_code_blocks_keep_their_code():
    text = "```python\nif a < b:\n    print('<b>')\n```"
    assert clean_markdown(text) == text
    assert "if a &lt; b:\n    print('&lt;b&gt;')" in markdown_html(text)


def test_a_title_is_shown_as_written():
    title = "Stap 1. *Kies* [een] <b>robot</b> | # {: x}"
    rendered = markdown.markdown(markdown_text(title), extensions=SITE_EXTENSIONS)
    assert rendered == "<p>Stap 1. *Kies* [een] &lt;b&gt;robot&lt;/b&gt; | # {: x}</p>"


def test_a_lone_fence_cannot_pair_with_a_block_further_on_the_page():
    """The site joins cleaned cells into one page: a fence left open in one cell must not
    turn the next cell's code block (left as written) into text."""
    for code in (f"<script>{RUN}</script>", f"<div><img src=x onerror={RUN}></div>"):
        page = clean_markdown("Tekst\n\n```") + "\n\n" + clean_markdown(f"```\n{code}\n```")
        assert_safe(markdown.markdown(page, extensions=SITE_EXTENSIONS))
