"""Reading the images inside an uploaded zip without trusting it: entry count, sizes, ratio and names checked."""

import io
import stat
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from faceapi.errors import ApiError

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # a first entry, or the end record of a zip with no entry
IGNORED_PREFIXES = ("__MACOSX/",)
IGNORED_NAMES = (".DS_Store", "Thumbs.db")
UNIX_SYSTEM = 3  # ZipInfo.create_system of an archive made on Unix, whose external_attr holds the mode bits


class InvalidArchive(ApiError):
    code = "invalid_zip"
    status = 400
    default_message = "The zip file is corrupt or unreadable."


class UnsafeArchivePath(ApiError):
    code = "unsafe_zip_path"
    status = 400
    default_message = "The zip file holds a path that leaves its folder."


class TooManyFiles(ApiError):
    code = "too_many_files"
    status = 413
    default_message = "Too many files in one job."


class ZipBomb(ApiError):
    code = "zip_bomb"
    status = 413
    default_message = "The zip file expands to more data than allowed."


@dataclass(frozen=True)
class ZipLimits:
    max_entries: int
    max_total_bytes: int
    max_ratio: int


def is_zip(data: bytes) -> bool:
    return data.startswith(ZIP_MAGIC)


def _unsafe(name: str) -> bool:
    path = PurePosixPath(name.replace("\\", "/"))
    return path.is_absolute() or ".." in path.parts or (len(name) > 1 and name[1] == ":")


def _is_link(info: zipfile.ZipInfo) -> bool:
    """A Unix symlink entry: its content is the link's target path, not a file to read (never followed)."""
    return info.create_system == UNIX_SYSTEM and stat.S_ISLNK(info.external_attr >> 16)


def _wanted(info: zipfile.ZipInfo) -> bool:
    """Files only: folders, links and the junk macOS and Windows add are skipped."""
    name = info.filename
    return (
        not info.is_dir()
        and not _is_link(info)
        and not name.startswith(IGNORED_PREFIXES)
        and PurePosixPath(name).name not in IGNORED_NAMES
    )


def _read_bounded(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """Read at most ``limit`` bytes: a header can lie about the size, the stream cannot."""
    with archive.open(info) as stream:
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise ZipBomb(entry=info.filename)
    return data


def files_in_zip(data: bytes, limits: ZipLimits) -> list[tuple[str, bytes]]:
    """``(name, bytes)`` of each file in the archive, in archive order, or an error naming what is wrong."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = [info for info in archive.infolist() if _wanted(info)]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        raise InvalidArchive() from None
    if len(entries) > limits.max_entries:
        raise TooManyFiles(count=len(entries), max_files=limits.max_entries)
    if unsafe := [info.filename for info in entries if _unsafe(info.filename)]:
        raise UnsafeArchivePath(entries=unsafe[:10])
    declared = sum(info.file_size for info in entries)
    if declared > limits.max_total_bytes:
        raise ZipBomb(uncompressed_bytes=declared, max_total_bytes=limits.max_total_bytes)
    if any(info.file_size > limits.max_ratio * max(info.compress_size, 1) for info in entries):
        raise ZipBomb("A file in the zip is compressed suspiciously well.", max_ratio=limits.max_ratio)
    files, total = [], 0
    try:
        for info in entries:
            content = _read_bounded(archive, info, limits.max_total_bytes - total)
            total += len(content)
            files.append((info.filename, content))
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError):
        raise InvalidArchive() from None
    return files
