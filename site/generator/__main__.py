"""python -m leerpad.site [--docs build/docs] [--apps-url URL] [--lab-url URL]"""

import argparse
import sys
from pathlib import Path

from leerpad.paths import build_dir
from leerpad.settings import settings

from .pages import DEFAULT_APPS_URL, DEFAULT_LAB_URL, generate


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m leerpad.site",
        description="Schrijf de Markdown-pagina's van de leerpad-site (daarna: mkdocs build).",
    )
    parser.add_argument(
        "--docs",
        type=Path,
        default=build_dir() / "docs",
        help="map voor de pagina's (standaard build/docs)",
    )
    parser.add_argument(
        "--apps-url",
        default=settings().apps_url or DEFAULT_APPS_URL,
        help=f"adres van de Voilà-apps (standaard {DEFAULT_APPS_URL})",
    )
    parser.add_argument(
        "--lab-url",
        default=settings().lab_url or DEFAULT_LAB_URL,
        help=f"adres van JupyterLab voor cursisten (standaard {DEFAULT_LAB_URL})",
    )
    args = parser.parse_args(argv)
    written = generate(args.docs, args.apps_url, args.lab_url)
    pages = sum(1 for p in written if p.suffix == ".md")
    print(f"{pages} pagina's geschreven in {args.docs}. Bouw de site met: mkdocs build --strict")
    return 0


if __name__ == "__main__":
    sys.exit(main())
