import io
import stat
import zipfile

import pytest

from analysis.archives import InvalidArchive, TooManyFiles, UnsafeArchivePath, ZipBomb, ZipLimits, files_in_zip

LIMITS = ZipLimits(max_entries=5, max_total_bytes=1_000_000, max_ratio=100)


def make_zip(entries: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_files_come_out_in_order_and_junk_is_skipped():
    data = make_zip({"a.jpg": b"1", "dir/b.png": b"22", "__MACOSX/._a.jpg": b"x", "dir/.DS_Store": b"y"})
    assert files_in_zip(data, LIMITS) == [("a.jpg", b"1"), ("dir/b.png", b"22")]


@pytest.mark.parametrize("name", ["../evil.jpg", "/etc/passwd", "a/../../b.jpg", "C:/x.jpg", "..\\x.jpg"])
def test_paths_that_leave_the_folder_are_refused(name):
    with pytest.raises(UnsafeArchivePath):
        files_in_zip(make_zip({name: b"x"}), LIMITS)


def test_too_many_entries():
    with pytest.raises(TooManyFiles):
        files_in_zip(make_zip({f"{i}.jpg": b"x" for i in range(6)}), LIMITS)


def test_a_highly_compressed_entry_is_a_bomb():
    with pytest.raises(ZipBomb):
        files_in_zip(make_zip({"zeros.jpg": bytes(500_000)}), LIMITS)


def test_total_size_over_the_limit_is_a_bomb():
    entries = {f"{i}.bin": bytes(range(256)) * 1500 for i in range(3)}  # 3 × 384 kB, barely compressible
    with pytest.raises(ZipBomb):
        files_in_zip(make_zip(entries, zipfile.ZIP_STORED), LIMITS)


def test_a_header_that_lies_about_size_is_caught_while_reading():
    data = bytearray(make_zip({"a.bin": bytes(range(256)) * 10}, zipfile.ZIP_STORED))
    # Rewrite the declared uncompressed size (central directory) to 10 bytes: reading must not trust it.
    central = data.rfind(b"PK\x01\x02")
    data[central + 24 : central + 28] = (10).to_bytes(4, "little")
    with pytest.raises((ZipBomb, InvalidArchive)):
        files_in_zip(bytes(data), ZipLimits(max_entries=5, max_total_bytes=100, max_ratio=100))


def test_corrupt_zip_is_invalid():
    with pytest.raises(InvalidArchive):
        files_in_zip(b"PK\x03\x04 this is not really a zip", LIMITS)


def test_a_symlink_entry_is_skipped_like_a_folder_and_never_followed():
    link = zipfile.ZipInfo("passwd.jpg")
    link.create_system = 3  # Unix, so the mode bits count
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.jpg", b"1")
        archive.writestr(link, "/etc/passwd")
    assert files_in_zip(buffer.getvalue(), LIMITS) == [("a.jpg", b"1")]
