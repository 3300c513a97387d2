"""Media files on disk: named by checksum, private, and a metadata-free copy of every photo to show."""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

from PIL import Image

EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "video/mp4": ".mp4",
    "audio/m4a": ".m4a",
    "audio/x-m4a": ".m4a",
    "audio/mp4": ".m4a",
}


def strip_location(data: bytes) -> bytes | None:
    """A copy of an image without its metadata (EXIF GPS and the rest); None if it is not an image.

    Pillow writes no EXIF, XMP or text chunks unless asked to, so re-encoding the pixels is enough.
    """
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            kind = image.format or "PNG"
            out = io.BytesIO()
            options = {"quality": 95} if kind == "JPEG" else {}
            image.save(out, format=kind, **options)
            return out.getvalue()
    except Exception:  # not an image Pillow can read: there is no shown copy
        return None


class MediaStore:
    """Files under MEDIA_DIR, named by checksum; the shown copy of a photo has no metadata."""

    def __init__(self, directory: str | Path):
        """Use (and create) the directory."""
        self.root = Path(directory)

    def save(self, data: bytes, content_type: str) -> tuple[str, str | None, str]:
        """Write the original and, for images, a metadata-free copy; return both paths and the sha256."""
        digest = hashlib.sha256(data).hexdigest()
        extension = EXTENSIONS.get(content_type.split(";")[0].strip(), ".bin")
        original = self._write(Path("original") / digest[:2] / f"{digest}{extension}", data)
        shown = None
        if content_type.startswith("image/"):
            stripped = strip_location(data)
            if stripped is not None:
                shown = self._write(Path("shown") / digest[:2] / f"{digest}{extension}", stripped)
        return original, shown, digest

    def _write(self, relative: Path, data: bytes) -> str:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temporary = path.with_suffix(path.suffix + ".tmp")
        try:
            with open(temporary, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, path)
        except OSError:
            temporary.unlink(missing_ok=True)  # a full disk leaves no half-written file behind
            raise
        os.chmod(path, 0o600)
        return str(relative)

    def delete(self, relative: str | None) -> None:
        """Remove a stored file (an unsent message's media)."""
        if relative:
            (self.root / relative).unlink(missing_ok=True)

    def path(self, relative: str) -> Path:
        """The absolute path of a stored file."""
        return self.root / relative
