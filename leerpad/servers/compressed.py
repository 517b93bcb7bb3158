"""The apps' static files, gzip-compressed once. An app page loads about 5 MB of Voilà's and
JupyterLab's JavaScript and CSS; compressed it is a quarter of that, which counts when a
class opens its apps over one classroom Wi-Fi. Tornado's ``compress_response`` would
compress them again for every browser (about 0.15 s of CPU per page on a laptop, 4 s for a
class); here each file is compressed the first time it is asked for, kept next to the
server's other files (``var/gzip``), and sent as it is after that.

The handlers are Voilà's own (its template files, its front-end, the JupyterLab extensions),
served the same way otherwise: the same paths, headers and checks."""

import gzip
import hashlib
import mimetypes
import os
from pathlib import Path

from jupyter_server.base.handlers import FileFindHandler
from voila.static_file_handler import MultiStaticFileHandler, TemplateStaticFileHandler

from leerpad.paths import var_dir

TEXT = ("text/", "application/javascript", "application/json", "image/svg+xml")
SMALL = 1024  # bytes: not worth a Content-Encoding


def gzipped_copy(path: str) -> str:
    """The compressed copy of `path` (made once; a changed file gets a new one)."""
    stat = os.stat(path)
    key = hashlib.sha256(f"{path}\0{stat.st_mtime_ns}\0{stat.st_size}".encode()).hexdigest()
    copy = var_dir() / "gzip" / f"{key}.gz"
    if not copy.exists():
        copy.parent.mkdir(parents=True, exist_ok=True)
        partial = copy.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(gzip.compress(Path(path).read_bytes(), compresslevel=6, mtime=0))
        os.utime(partial, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        partial.replace(copy)  # another request may be writing it too: both are equal
    return str(copy)


class Compressed:
    """A StaticFileHandler that sends the gzip copy of a text file to a browser that takes
    gzip. Tornado then serves that copy (its size, ETag and ranges), with the original's
    content type and modification time."""

    original: str | None = None

    def wants_gzip(self, path: str) -> bool:
        kind = mimetypes.guess_type(path)[0] or ""
        return (
            "gzip" in self.request.headers.get("Accept-Encoding", "")
            and kind.startswith(TEXT)
            and os.path.getsize(path) > SMALL
        )

    def validate_absolute_path(self, root, absolute_path):
        path = super().validate_absolute_path(root, absolute_path)
        if path is None or not os.path.isfile(path) or not self.wants_gzip(path):
            return path
        self.original = path
        return gzipped_copy(path)

    def set_headers(self):
        super().set_headers()
        self.add_header("Vary", "Accept-Encoding")
        if self.original:
            self.set_header("Content-Encoding", "gzip")

    def get_content_size(self):
        # Tornado keeps the stat of the file it validated: the original
        if self.original:
            return os.path.getsize(self.absolute_path)
        return super().get_content_size()

    def get_content_type(self):
        if self.original:
            return mimetypes.guess_type(self.original)[0] or "application/octet-stream"
        return super().get_content_type()


class CompressedTemplateFiles(Compressed, TemplateStaticFileHandler):
    """Voilà's template files (its styles and leerpad's)."""


class CompressedFrontEnd(Compressed, MultiStaticFileHandler):
    """Voilà's front-end (``/voila/static``)."""


class CompressedExtensions(Compressed, FileFindHandler):
    """The JupyterLab extensions an app loads (``/voila/labextensions``)."""


COMPRESSED = {
    TemplateStaticFileHandler: CompressedTemplateFiles,
    MultiStaticFileHandler: CompressedFrontEnd,
    FileFindHandler: CompressedExtensions,
}
