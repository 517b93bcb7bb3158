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

from leerpad.authoring import invisible_character
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
        raise PackageError([f"{target}: bestaat al. Oplossing: kies een ander doel met --out."])
    files, links = {}, []
    for path in sorted(p for p in module.folder.rglob("*") if p.is_file() or p.is_symlink()):
        relative = path.relative_to(module.folder).as_posix()
        hidden = any(part.startswith(".") or part in HIDDEN for part in relative.split("/"))
        if relative == LICENCE_FILE or hidden:
            continue
        if path.is_symlink() or any(p.is_symlink() for p in path.parents):
            links.append(
                f"{path}: is een link; een pakket bevat alleen gewone bestanden. Oplossing: "
                "vervang de link door het bestand zelf."
            )
            continue
        if _unsafe(relative):
            links.append(f"{path}: {_unsafe(relative)}. Oplossing: hernoem het bestand.")
            continue
        files[f"{module.id}/{relative}"] = path.read_bytes()
    if links:
        raise PackageError(links)
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
MAX_DEPTH = 8  # folders inside the module folder
MAX_NAME = 200  # characters of one file or folder name


def _unsafe(name: str) -> str | None:
    """Why a name in the zip may not be written, or None. Only plain names of regular files
    in the module folder: no hidden files or folders (.git/hooks), no control characters."""
    path = PurePosixPath(name)
    if "\\" in name or name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return "is een absoluut pad"
    if any(part in ("..", "") for part in path.parts) or ".." in name.split("/"):
        return "wijst buiten de module (..)"
    if invisible_character(name, allowed=""):
        return "bevat een onzichtbaar teken (een regeleinde of stuurcode) in de naam"
    if any(part.startswith(".") or part in HIDDEN for part in path.parts):
        return "is een verborgen bestand of map (zoals .git); die horen niet in een module"
    if len(path.parts) > MAX_DEPTH + 1 or any(len(part) > MAX_NAME for part in path.parts):
        return f"is te diep genest of heeft een te lange naam (hoogstens {MAX_DEPTH} mappen)"
    return None


HIDDEN = {"__pycache__", "__MACOSX", "Thumbs.db", "desktop.ini"}


def _kind(info: zipfile.ZipInfo) -> str | None:
    """Why an entry is not a regular file or a folder, or None."""
    mode = info.external_attr >> 16
    if info.create_system != 3 or not stat.S_IFMT(mode):  # no file type: a plain file
        return None
    if stat.S_ISLNK(mode):
        return "is een symbolische link; die worden niet uitgepakt"
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        return "is geen gewoon bestand (een apparaat of pijp)"
    return None


def _entry_problems(where: str, infos) -> list[str]:
    """Everything wrong with the zip's entries, from what the zip declares."""
    problems, seen = [], set()
    if len(infos) > MAX_FILES:
        problems.append(f"{where}: {len(infos)} bestanden, meer dan {MAX_FILES}.{REPACK}")
        return problems
    total = 0
    for info in infos:
        shown = info.filename.encode("unicode_escape").decode("ascii")
        reason = _unsafe(info.filename) or _kind(info)
        if reason:
            fix = (
                " Oplossing: zet het bestand zelf in de module en verpak opnieuw met leerpad pack."
                if "link" in reason
                else " Oplossing: gebruik alleen een pakket van leerpad pack."
            )
            problems.append(f"{where}: '{shown}' {reason}.{fix}")
        if info.flag_bits & 0x1:
            problems.append(f"{where}: '{shown}' is versleuteld.{REPACK}")
        if info.filename in seen:
            problems.append(f"{where}: '{shown}' staat twee keer in het pakket.{REPACK}")
        seen.add(info.filename)
        total += info.file_size
        if info.file_size > MAX_FILE_BYTES:
            problems.append(
                f"{where}: '{shown}' is groter dan "
                f"{MAX_FILE_BYTES // 2**20} MB. Oplossing: verklein het bestand."
            )
        elif info.compress_size and info.file_size / info.compress_size > MAX_RATIO:
            problems.append(f"{where}: '{shown}' pakt verdacht sterk uit (zip-bom?).{REPACK}")
    if total > MAX_TOTAL_BYTES:
        problems.append(
            f"{where}: samen {total // 2**20} MB, meer dan {MAX_TOTAL_BYTES // 2**20} MB."
            + " Oplossing: verklein de afbeeldingen en video's."
        )
    return problems


def _read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, where: str) -> bytes:
    """An entry's bytes, never more than it declares: a zip can lie about its sizes."""
    chunks, size = [], 0
    with archive.open(info) as stream:
        while chunk := stream.read(2**16):
            size += len(chunk)
            if size > info.file_size or size > MAX_FILE_BYTES:
                raise PackageError(
                    [f"{where}: '{info.filename}' pakt groter uit dan het zegt (zip-bom?).{REPACK}"]
                )
            chunks.append(chunk)
    return b"".join(chunks)


def read_package(file: Path) -> tuple[dict, dict[str, bytes]]:
    """The manifest and the files of a package, after every check on the zip itself."""
    where = file.name
    if not file.is_file():
        raise PackageError(
            [f"{file}: bestand niet gevonden. Oplossing: geef het pad van een {SUFFIX}-bestand."]
        )
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as err:
        raise PackageError(
            [
                f"{where}: geen geldig zip-bestand ({err}). Oplossing: maak het pakket opnieuw "
                "met leerpad pack."
            ]
        ) from err
    with archive:
        infos = archive.infolist()
        problems = _entry_problems(where, infos)
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
            data = {i.filename: _read_entry(archive, i, where) for i in infos if not i.is_dir()}
            manifest = json.loads(data.pop(MANIFEST))
        except (ValueError, RecursionError, zipfile.BadZipFile, OSError, EOFError) as err:
            reason = "te diep genest" if isinstance(err, RecursionError) else err
            raise PackageError(
                [f"{where}: {MANIFEST} of een bestand is beschadigd ({reason}).{REPACK}"]
            ) from err
        except NotImplementedError as err:  # a compression method zipfile cannot read
            raise PackageError([f"{where}: onbekende compressie ({err}).{REPACK}"]) from err
    return manifest, data


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
        elif not isinstance(listed.get(name), dict):
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
            [f"--course: cursus '{course_id}' bestaat niet. Oplossing: kies --course uit {known}."]
            if course_id
            else [f"ontbreekt: --course. Oplossing: kies de cursus, uit {known}."]
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
        try:
            for name, data in files.items():
                path = Path(tmp) / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
        except OSError as err:  # a name that is a file and a folder at once, ...
            raise PackageError(
                [f"{file.name}: kan niet uitgepakt worden ({err}).{REPACK}"]
            ) from err
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
        # beside the courses, not in one: a copy stopped halfway is never read as a module
        landing = Path(tempfile.mkdtemp(prefix=f".uitpakken-{module_id}-", dir=catalogue.root))
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
