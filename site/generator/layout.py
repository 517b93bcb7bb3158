"""The site's templates (``templates/``) and the filters its pages use besides the shared
ones of ``leerpad.templating``."""

from pathlib import Path

from leerpad.templating import Templates


def slug(value) -> str:
    """A competence or eindterm id as a file name: 2.1 -> 2-1."""
    return str(value).replace(".", "-")


def minutes(total: int) -> str:
    hours, rest = divmod(total, 60)
    if not hours:
        return f"{rest} minuten"
    text = f"{hours} uur"
    return text + (f" {rest} minuten" if rest else "")


def fence(code: str, lang: str = "python") -> str:
    """A fenced code block that a ``` in the code cannot close."""
    marker = "~~~~" if "```" in code else "```"
    return f"{marker}{lang}\n{code}\n{marker}"


TEMPLATES = Templates(
    Path(__file__).resolve().parent / "templates", slug=slug, minutes=minutes, fence=fence
)
