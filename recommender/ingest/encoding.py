"""Which encoding a text file is in, and a text stream that never turns bytes into mojibake.

UTF-8 (with or without a BOM), UTF-16 and UTF-32 (with a BOM, or detected) are
read as they are. A file that is not UTF-8 goes to charset-normalizer: Western
European single-byte text (Latin-1, Windows-1252) is read as such and the report
says so; any other encoding is refused with its name and the command that
converts it; bytes that are no text at all (a binary file) are refused. UTF-8
and Latin text is decoded with `surrogateescape`, so a stray byte that is not
valid in the encoding only costs its own record (`PaperRecord` refuses it,
naming the byte) instead of the file or a silent U+FFFD.
"""

from __future__ import annotations

import codecs
import gzip
import io
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO

import charset_normalizer

from recommender.ingest.errors import SourceError

SAMPLE = 256 * 1024
BINARY_SHARE = 0.01  # more control characters than this in the sample: not a text file
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),  # before UTF-16: they share a prefix
    (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)
_WIDE = {"utf_16": "utf-16", "utf_16_le": "utf-16-le", "utf_16_be": "utf-16-be",
         "utf_32": "utf-32", "utf_32_le": "utf-32-le", "utf_32_be": "utf-32-be"}
_WESTERN = frozenset({"cp1252", "latin_1", "iso8859_15"})
_CP1252_HOLES = frozenset(b"\x81\x8d\x8f\x90\x9d")


@dataclass(frozen=True)
class Decoding:
    encoding: str
    errors: str = "surrogateescape"
    note: str | None = None  # said in the report when the file was not UTF-8


def _raw(path: Path) -> BinaryIO:
    if path.suffix.lower() == ".gz":
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return path.open("rb")


def _controls(text: str) -> int:
    return sum(1 for ch in text if ch < " " and ch not in "\t\n\r\f") + text.count("\x7f")


def _utf8_prefix(sample: bytes, complete: bool) -> str | None:
    """The sample as UTF-8 text, or None when it is not UTF-8 (a cut last character is fine)."""
    try:
        return sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        if not complete and exc.start >= len(sample) - 3 and exc.reason == "unexpected end of data":
            return sample[: exc.start].decode("utf-8", "strict")
        return None


def detect(sample: bytes, name: str, complete: bool = True) -> Decoding:
    """How to decode a file that starts with `sample` (all of it when `complete`)."""
    for bom, encoding in _BOMS:
        if sample.startswith(bom):
            return Decoding(encoding, "surrogateescape" if encoding == "utf-8-sig" else "strict")
    text = _utf8_prefix(sample, complete)
    if text is not None and _controls(text) <= BINARY_SHARE * max(len(text), 1):
        return Decoding("utf-8")
    if text is None and _mostly_utf8(sample):
        return Decoding("utf-8")  # UTF-8 with a few stray bytes: those records are refused one by one
    results = charset_normalizer.from_bytes(sample)
    best = results.best()
    if best is None:
        raise SourceError(f"{name}: this is not a text file (binary data?); nothing was imported")
    found = best.encoding
    if found in _WIDE:
        return Decoding(_WIDE[found], "strict", f"{name}: read as {_WIDE[found].upper()} (detected)")
    decoded = str(best)
    if text is not None or found in ("utf_8", "ascii") or _controls(decoded) > BINARY_SHARE * max(len(decoded), 1):
        # Valid UTF-8 full of control characters, or bytes the detector could only call "ASCII": no text.
        raise SourceError(f"{name}: this is not a text file (binary data?); nothing was imported")
    close = {m.encoding for m in results if m.chaos <= best.chaos + 0.01}
    if close & _WESTERN or found in _WESTERN or _same_as_cp1252(sample, found):
        encoding = "latin-1" if _CP1252_HOLES & set(sample) else "cp1252"
        return Decoding(encoding, "surrogateescape", (
            f"{name}: not UTF-8; read as {encoding} (Western European, detected; it could also be "
            f"{found}). If accents look wrong, convert the file to UTF-8 and import it again."
        ))
    stem = Path(name).name
    raise SourceError(
        f"{name}: this file looks like {found} text, not UTF-8; nothing was imported. Convert it first, "
        f"e.g. `iconv -f {found} -t UTF-8 {stem} > utf8-{stem}`, and import the converted file."
    )


def _mostly_utf8(sample: bytes) -> bool:
    """UTF-8 text with some invalid bytes: it has real multi-byte characters (other encodings almost never do)."""
    text = sample.decode("utf-8", "surrogateescape")
    wide = sum(1 for ch in text if "\x80" <= ch < "\udc80" or ch > "\udcff")
    stray = sum(1 for ch in text if "\udc80" <= ch <= "\udcff")
    return wide > 0 and stray <= 4 * wide and _controls(text) <= BINARY_SHARE * max(len(text), 1)


def _same_as_cp1252(sample: bytes, found: str) -> bool:
    try:
        return sample.decode(found) == sample.decode("cp1252")
    except (UnicodeDecodeError, LookupError):
        return False


def open_text(path: Path, newline: str | None = None) -> tuple[IO[str], Decoding]:
    """The file as text in the encoding detected from its first bytes (`.gz` files decompressed)."""
    try:
        with _raw(path) as raw:
            sample = raw.read(SAMPLE + 1)
    except (OSError, EOFError) as exc:
        raise SourceError(f"{path}: cannot read the file ({exc})") from None
    complete = len(sample) <= SAMPLE
    decoding = detect(sample[:SAMPLE], str(path), complete)
    stream = io.TextIOWrapper(_raw(path), encoding=decoding.encoding, errors=decoding.errors, newline=newline)
    return stream, decoding
