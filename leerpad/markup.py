"""Authored text is text: one place that makes titles, questions, options, feedback and
module pages safe to show.

Modules are shared (``leerpad pack``/``unpack``), so whatever an author writes reaches learners
and pupils. Authors write Markdown; raw HTML is not part of what they may write, except a few
inline tags without attributes (``<sup>``, ``<br>``, ...). ``clean_markdown`` turns every other
``<`` into text, limits link targets to http(s), mailto and relative addresses, and drops
attribute lists (``{: onclick=...}``). The site's Markdown renderer (MkDocs) and the apps
(``markdown_html``) both render cleaned Markdown, so an author sees the same everywhere.

Plain one-line text (a title, a name) is escaped whole: ``html_text`` for HTML,
``markdown_text`` for a Markdown page.
"""

import html
import re
import threading

import markdown
from markdown.extensions.fenced_code import FencedBlockPreprocessor

# Inline tags an author may write, without attributes. No block tag: a raw HTML block would
# switch Markdown off for its lines, and with it the code spans this module leaves alone.
ALLOWED_TAGS = frozenset(
    "b i em strong u s sub sup small mark kbd code br abbr q cite dfn var samp".split()
)
SAFE_SCHEMES = frozenset({"http", "https", "mailto"})

FENCE = re.compile(r"^(?P<fence>`{3,}|~{3,})(?P<info>[^\n]*)$", re.M)
FENCED_BLOCK = FencedBlockPreprocessor.FENCED_BLOCK_RE
# A line that could open a code block in a page where authored text meets other text.
LONE_FENCE = re.compile(r"^(`|~)(?=\1\1)", re.M)
CODE_SPAN = re.compile(r"(?<![\\`])(`+)(?!`).+?(?<!`)\1(?!`)")
TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)\s*/?>")
AUTOLINK = re.compile(r"<(https?://[^\s<>\"'`]+)>")
# The start of a link target: inline `](target` and reference definitions `[id]: target`.
INLINE_TARGET = re.compile(r"(\]\(\s*<?)")
REFERENCE_TARGET = re.compile(r"^([ ]{0,3}\[[^\]\n]+\]:[ \t]*<?)", re.M)
ATTR_LIST = re.compile(r"\{(?=[^}\n]*\})")
CONTROL = re.compile(r"[\x00-\x20\x7f\\]+")
SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")


def markdown_text(value) -> str:
    """One line of plain text for a Markdown page: every mark is shown, nothing is markup."""
    text = " ".join(str(value).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|])", r"\\\1", text)


def html_text(value) -> str:
    """Plain text for HTML (element content or a quoted attribute)."""
    return html.escape(str(value), quote=True)


def clean_markdown(value) -> str:
    """Authored Markdown with raw HTML shown as text, safe link targets only and no
    attribute lists. Fenced code blocks and code spans are left as written: Markdown shows
    them literally anyway."""
    text, out, position = str(value), [], 0
    for start, end in _fenced_blocks(text):
        out.append(_clean_prose(text[position:start]))
        out.append(_clean_fence(text[start:end]))
        position = end
    out.append(_clean_prose(text[position:]))
    return "".join(out)


# One renderer, made when this module is imported: an app's kernel imports it before any
# learner code runs, so drawing an exercise later needs no imports or compiling (a hand-in
# that used up its memory is still graded).
_RENDERER = markdown.Markdown(extensions=["fenced_code", "tables", "sane_lists"])
_RENDERING = threading.Lock()


def markdown_html(value, inline: bool = False) -> str:
    """Authored Markdown as HTML for an app, the feedback page, a report or a trainer page.
    ``inline`` leaves out the paragraph around a single line (an option, a title)."""
    with _RENDERING:
        rendered = _RENDERER.reset().convert(clean_markdown(value))
    if inline and rendered.startswith("<p>") and rendered.endswith("</p>"):
        inner = rendered[3:-4]
        if "<p>" not in inner:
            return inner
    return rendered


def safe_target(target: str) -> bool:
    """True for a link target a browser cannot run: http(s), mailto, or a relative address."""
    bare = CONTROL.sub("", html.unescape(target))
    scheme = SCHEME.match(bare)
    return not scheme or scheme[1].lower() in SAFE_SCHEMES


def _fenced_blocks(text: str):
    """(start, end) of each fenced code block, found with the very expression Python-Markdown
    uses: what it takes for code is left as written, everything else is cleaned."""
    position = 0
    while match := FENCED_BLOCK.search(text, position):
        yield match.start(), match.end()
        position = match.end()


def _clean_fence(block: str) -> str:
    """A code block keeps its code; its opening line keeps the fence and a language only."""
    first, newline, rest = block.partition("\n")
    opening = FENCE.match(first)
    language = re.match(r"\s*\{?\s*\.?([\w#+-]*)", opening["info"])[1]
    return opening["fence"] + language + newline + rest


def _clean_prose(text: str) -> str:
    # A fence that opens no block here could pair with one further on the page and turn
    # cleaned text into code, or code (left as written) into text: it becomes plain text.
    text = LONE_FENCE.sub(lambda m: "&#96;" if m[1] == "`" else "&#126;", text)
    lines = []
    for line in text.split("\n"):
        parts, position = [], 0
        for span in CODE_SPAN.finditer(line):
            parts.append(_clean_inline(line[position : span.start()]))
            parts.append(span.group())
            position = span.end()
        parts.append(_clean_inline(line[position:]))
        lines.append("".join(parts))
    return _clean_targets("\n".join(lines))


def _clean_inline(text: str) -> str:
    """Raw HTML becomes text, except allowed tags without attributes and http(s) autolinks;
    a '{' that could open an attribute list is escaped."""
    kept: list[str] = []

    def keep(match):
        kept.append(match.group())
        return f"\x00{len(kept) - 1}\x00"

    text = text.replace("\x00", "")
    text = TAG.sub(lambda m: keep(m) if m[2].lower() in ALLOWED_TAGS else m.group(), text)
    text = AUTOLINK.sub(keep, text)
    text = text.replace("<", "&lt;")
    text = ATTR_LIST.sub(r"\\{", text)
    return re.sub("\x00([0-9]+)\x00", lambda m: kept[int(m[1])], text)


def _clean_targets(text: str) -> str:
    """A link or image whose target has a scheme other than http(s) or mailto gets a '#' in
    front: it becomes a harmless link within the page."""

    def fix(match):
        start = match.end()
        target = re.match(r"[^\s)>]*", text[start:])[0]
        return match.group() if safe_target(target) else match.group() + "#"

    text = INLINE_TARGET.sub(fix, text)
    return REFERENCE_TARGET.sub(fix, text)
