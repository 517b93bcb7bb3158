"""``leerpad pack`` and ``leerpad unpack``: a module as one file to share (for example on
KlasCement), with its metadata, licence and attribution.

A package is a zip file ``<id>.leerpad.zip``::

    leerpad.json            format, module id, every file with its size and SHA-256
    <id>/module.yml         metadata: title, authors, licence, ...
    <id>/module.md          (or <id>/<id>.ipynb)
    <id>/LICENSE.txt        licence and attribution, written from module.yml
    <id>/...                images and other files of the module

``unpack`` checks everything (paths, sizes, checksums, metadata, ids, the Markdown) in a
temporary folder outside the catalogue before it writes anything; then the module folder
appears in the course in one rename.
"""

import datetime as dt
import hashlib
import json
import os
import shutil
import stat
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from leerpad.catalogue import ID, Catalogue, Module, check_module_meta, load_yaml

FORMAT = 1
MANIFEST = "leerpad.json"
SUFFIX = ".leerpad.zip"
LICENCE_FILE = "LICENSE.txt"
MAX_FILES = 500
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_TOTAL_BYTES = 100 * 1024 * 1024
MAX_RATIO = 200  # uncompressed / compressed: more is a zip bomb, not a module
LICENCE_URLS = {
    "CC-BY-4.0": "https://creativecommons.org/licenses/by/4.0/deed.nl",
    "CC-BY-SA-4.0": "https://creativecommons.org/licenses/by-sa/4.0/deed.nl",
    "CC0-1.0": "https://creativecommons.org/publicdomain/zero/1.0/deed.nl",
}


REPACK = " Oplossing: vraag de auteur het pakket opnieuw te maken met leerpad pack."


class PackageError(ValueError):
    """Why a module cannot be packed or a package not unpacked; one line per problem."""

    def __init__(self, problems):
        self.problems = [str(p) for p in problems]
        super().__init__("\n".join(self.problems))


# -- pack -----------------------------------------------------------------------------------
def attribution(meta: dict) -> str:
    """The licence and attribution text, in Dutch, from module.yml."""
    authors = ", ".join(
        a.get("name", "") + (f" ({a['organisation']})" if a.get("organisation") else "")
        for a in meta.get("authors", [])
        if isinstance(a, dict)
    )
    licence = meta.get("licence", "")
    return "\n".join(
        [
            f"{meta.get('title', meta.get('id'))}",
            "",
            f"Module-id: {meta.get('id')}",
            f"Auteurs: {authors}",
            f"Licentie: {licence} ({LICENCE_URLS.get(licence, '')})",
            f"Laatst nagekeken: {meta.get('last_reviewed')}",
            "",
            "Naamsvermelding bij hergebruik:",
            f'  "{meta.get("title")}" door {authors}, {licence}.',
            "",
            "Je mag deze module delen en aanpassen onder de voorwaarden van de licentie.",
            "Gemaakt en verpakt met leerpad.",
            "",
        ]
    )


def find_module(catalogue: Catalogue, name: str) -> Module:
    """A module by id, or by its folder."""
    if name in catalogue.modules:
        return catalogue.modules[name]
    folder = Path(name).resolve()
    for module in catalogue.modules.values():
        if module.folder.resolve() == folder:
            return module
    raise PackageError(
        [
            f"{name}: geen module met deze id of map. Oplossing: kies een module-id uit "
            "`leerpad check` of de map van een module."
        ]
    )


def pack(name: str, out: Path | None = None, catalogue: Catalogue | None = None) -> Path:
    from leerpad.check import check

    catalogue = catalogue or Catalogue()
    module = find_module(catalogue, name)
    problems = [p for p in check(module.folder, catalogue) if not p.warning]
    if problems:
        raise PackageError(
            [
                *problems,
                "Oplossing: los eerst deze problemen op; leerpad verpakt alleen een "
                "module die `leerpad check` doorstaat.",
            ]
        )
    out = Path(out) if out else Path.cwd()
    target = out / f"{module.id}{SUFFIX}" if out.is_dir() else out
    if target.exists():
        raise PackageError([f"{target}: bestaat al. Oplossing: kies een ander doel met --naar."])
    files = {}
    for path in sorted(p for p in module.folder.rglob("*") if p.is_file()):
        relative = path.relative_to(module.folder).as_posix()
        hidden = any(part.startswith(".") or part == "__pycache__" for part in relative.split("/"))
        if relative == LICENCE_FILE or hidden:
            continue
        files[f"{module.id}/{relative}"] = path.read_bytes()
    files[f"{module.id}/{LICENCE_FILE}"] = attribution(module.meta).encode("utf-8")
    manifest = {
        "format": FORMAT,
        "module": module.id,
        "title": module.title,
        "licence": module.meta.get("licence"),
        "packed": dt.date.today().isoformat(),
        "files": {
            name: {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            for name, data in files.items()
        },
    }
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}-", dir=target.parent)
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False))
            for name, data in files.items():
                archive.writestr(name, data)
        os.link(tmp, target)
    finally:
        os.unlink(tmp)
    return target


# -- unpack ---------------------------------------------------------------------------------
def _unsafe(name: str) -> str | None:
    """Why a name in the zip may not be written, or None."""
    path = PurePosixPath(name)
    if "\\" in name or name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return "is een absoluut pad"
    if any(part in ("..", "") for part in path.parts) or ".." in name.split("/"):
        return "wijst buiten de module (..)"
    return None


def read_package(file: Path) -> tuple[dict, dict[str, bytes]]:
    """The manifest and the files of a package, after every check on the zip itself."""
    where = file.name
    if not file.is_file():
        raise PackageError(
            [f"{file}: bestand niet gevonden. Oplossing: geef het pad van een {SUFFIX}-bestand."]
        )
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError) as err:
        raise PackageError(
            [
                f"{where}: geen geldig zip-bestand ({err}). Oplossing: maak het pakket opnieuw "
                "met leerpad pack."
            ]
        ) from err
    with archive:
        infos = archive.infolist()
        problems = []
        if len(infos) > MAX_FILES:
            problems.append(f"{where}: {len(infos)} bestanden, meer dan {MAX_FILES}.{REPACK}")
        total = 0
        for info in infos:
            reason = _unsafe(info.filename)
            if reason:
                problems.append(
                    f"{where}: '{info.filename}' {reason}. Oplossing: gebruik alleen "
                    "een pakket van leerpad pack."
                )
            if stat.S_ISLNK(info.external_attr >> 16):
                problems.append(
                    f"{where}: '{info.filename}' is een symbolische link; die "
                    "worden niet uitgepakt. Oplossing: zet het bestand zelf in de module en verpak "
                    "opnieuw met leerpad pack."
                )
            total += info.file_size
            if info.file_size > MAX_FILE_BYTES:
                problems.append(
                    f"{where}: '{info.filename}' is groter dan "
                    f"{MAX_FILE_BYTES // 2**20} MB. Oplossing: verklein het bestand."
                )
            elif info.compress_size and info.file_size / info.compress_size > MAX_RATIO:
                problems.append(
                    f"{where}: '{info.filename}' pakt verdacht sterk uit (zip-bom?).{REPACK}"
                )
        if total > MAX_TOTAL_BYTES:
            problems.append(
                f"{where}: samen {total // 2**20} MB, meer dan {MAX_TOTAL_BYTES // 2**20} MB."
                + " Oplossing: verklein de afbeeldingen en video's."
            )
        if problems:
            raise PackageError(problems)
        names = [i.filename for i in infos if not i.is_dir()]
        if MANIFEST not in names:
            raise PackageError(
                [
                    f"{where}: {MANIFEST} ontbreekt; dit is geen leerpad-pakket. "
                    "Oplossing: maak het pakket met leerpad pack."
                ]
            )
        try:
            manifest = json.loads(archive.read(MANIFEST))
            files = {n: archive.read(n) for n in names if n != MANIFEST}
        except (ValueError, zipfile.BadZipFile, OSError) as err:
            raise PackageError(
                [f"{where}: {MANIFEST} of een bestand is beschadigd ({err}).{REPACK}"]
            ) from err
    return manifest, files


def _check_manifest(where: str, manifest, files: dict) -> str:
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise PackageError(
            [
                f"{where}: {MANIFEST}: onbekend formaat. Oplossing: maak het "
                "pakket opnieuw met deze versie van leerpad pack."
            ]
        )
    module_id = manifest.get("module")
    if not isinstance(module_id, str) or not ID.match(module_id):
        raise PackageError(
            [f"{where}: {MANIFEST}: '{module_id}' is geen geldige module-id.{REPACK}"]
        )
    listed = manifest.get("files") if isinstance(manifest.get("files"), dict) else {}
    problems = []
    for name, data in files.items():
        if not name.startswith(f"{module_id}/"):
            problems.append(f"{where}: '{name}' ligt niet in de map {module_id}/.{REPACK}")
        elif name not in listed:
            problems.append(f"{where}: '{name}' staat niet in {MANIFEST}.{REPACK}")
        elif listed[name].get("sha256") != hashlib.sha256(data).hexdigest():
            problems.append(
                f"{where}: '{name}' is gewijzigd of beschadigd (controlesom klopt "
                "niet). Oplossing: vraag het pakket opnieuw aan de auteur."
            )
    for name in set(listed) - set(files):
        problems.append(f"{where}: '{name}' ontbreekt in het pakket.{REPACK}")
    if f"{module_id}/module.yml" not in files:
        problems.append(f"{where}: {module_id}/module.yml ontbreekt.{REPACK}")
    if problems:
        raise PackageError(problems)
    return module_id


def _target_course(catalogue: Catalogue, course_id: str | None):
    courses = {c.id: c for c in catalogue.courses}
    if course_id is None and len(courses) == 1:
        return next(iter(courses.values()))
    if course_id not in courses:
        known = ", ".join(sorted(courses))
        raise PackageError(
            [f"--naar: cursus '{course_id}' bestaat niet. Oplossing: kies --naar uit {known}."]
            if course_id
            else [f"ontbreekt: --naar. Oplossing: kies de cursus, uit {known}."]
        )
    return courses[course_id]


def unpack(file: Path, course_id: str | None = None, catalogue: Catalogue | None = None) -> Path:
    """Check a package completely, then add it to a course in one rename."""
    from leerpad.check import check_module

    file = Path(file)
    catalogue = catalogue or Catalogue()
    course = _target_course(catalogue, course_id)
    manifest, files = read_package(file)
    module_id = _check_manifest(file.name, manifest, files)
    target = course.folder / module_id
    used = catalogue.modules.get(module_id)
    if used or target.exists():
        shown = (used.folder if used else target).relative_to(catalogue.root.parent)
        raise PackageError(
            [
                f"{file.name}: module '{module_id}' bestaat al in de catalogus ({shown}). "
                "Oplossing: verwijder of hernoem die eerst; unpack overschrijft niets."
            ]
        )
    with tempfile.TemporaryDirectory() as tmp:
        staged = Path(tmp) / module_id
        for name, data in files.items():
            path = Path(tmp) / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        problems = []
        meta = load_yaml(staged / "module.yml", problems)
        if meta is not None:
            problems += check_module_meta(staged / "module.yml", meta, catalogue.frameworks)
            if meta.get("id") != module_id:
                problems.append(
                    f"{module_id}/module.yml: id '{meta.get('id')}' verschilt van "
                    f"de module in {MANIFEST} ('{module_id}').{REPACK}"
                )
        if not problems:
            module = Module(staged, meta, course)
            if not module.markdown_path.exists() and not module.notebook_path.exists():
                problems.append(f"{module_id}: geen module.md en geen {module_id}.ipynb.{REPACK}")
            else:
                seen: dict = {}
                for other in catalogue.modules.values():
                    check_module(other, seen)
                problems += check_module(module, seen)
        if problems:
            raise PackageError([_shown(p, Path(tmp), file.name) for p in problems])
        # Everything checked: copy next to the target, then one rename.
        landing = Path(tempfile.mkdtemp(prefix=f".{module_id}-", dir=course.folder))
        try:
            shutil.copytree(staged, landing, dirs_exist_ok=True)
            landing.chmod(0o755)
            os.rename(landing, target)
        except BaseException:
            shutil.rmtree(landing, ignore_errors=True)
            raise
    return target


def _shown(problem, staging: Path, package: str) -> str:
    text = str(problem)
    return f"{package}: " + text.replace(str(staging) + os.sep, "")
