"""What a file is by its first bytes, for the kinds that are not images."""

# Documents, archives and programs: PDF, zip (with entries or empty), gzip, 7-Zip, RAR, ELF.
OTHER_SIGNATURES = (b"%PDF-", b"PK\x03\x04", b"PK\x05\x06", b"\x1f\x8b", b"7z\xbc\xaf\x27\x1c", b"Rar!", b"\x7fELF")


def looks_like_video(head: bytes) -> bool:
    """MP4/MOV (an ``ftyp`` or QuickTime atom), AVI (RIFF…AVI) or WebM/Matroska (EBML), by their first bytes."""
    return (
        head[4:8] in {b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip"}
        or (head[:4] == b"RIFF" and head[8:12] == b"AVI ")
        or head[:4] == b"\x1a\x45\xdf\xa3"
    )


def looks_like_non_image(head: bytes) -> bool:
    """A video, document, archive or program: sent as an image, it is the wrong type rather than a corrupt image."""
    return head.startswith(OTHER_SIGNATURES) or looks_like_video(head)
