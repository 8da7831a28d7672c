"""Which encoding a file is in: UTF-8 (BOM or not), UTF-16/32, Western Latin with a note, the rest refused."""

from __future__ import annotations

import codecs
import gzip
import random

import pytest

from recommender.ingest.encoding import detect, open_text
from recommender.ingest.errors import SourceError

TEXT = '{"id": "2705.00001", "title": "Crème brûlée networks über alles"}\n'


@pytest.mark.parametrize(("data", "encoding"), [
    (TEXT.encode("utf-8"), "utf-8"),
    (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
    (TEXT.encode("utf-16"), "utf-16"),
    (TEXT.encode("utf-32"), "utf-32"),
    (TEXT.encode("utf-16-le") * 3, "utf-16-le"),  # no BOM: detected
    (b"", "utf-8"),
])
def test_unicode_files_are_read_as_they_are(data: bytes, encoding: str) -> None:
    assert detect(data, "f").encoding == encoding


def test_utf8_with_a_stray_byte_stays_utf8_so_only_that_record_is_refused() -> None:
    assert detect(TEXT.encode() + b'{"title": "Cr\xe8me"}\n', "f").encoding == "utf-8"


def test_latin1_is_read_and_said() -> None:
    decoding = detect(TEXT.encode("latin-1"), "papers.jsonl")
    assert decoding.encoding == "cp1252" and "not UTF-8; read as cp1252" in (decoding.note or "")


@pytest.mark.parametrize(("text", "codec", "named"), [
    ("Żółć gęślą jaźń, Dvořák Černý, Łódź\n", "cp1250", "cp1250"),
    ("Глубокое обучение нейронных сетей\n", "cp1251", "cp1251"),
    ("日本語のタイトルです。深層学習について\n", "shift_jis", "cp932"),
])
def test_other_encodings_are_refused_naming_them_and_how_to_convert(text: str, codec: str, named: str) -> None:
    with pytest.raises(SourceError, match=rf"looks like {named} text, not UTF-8.*iconv -f {named} -t UTF-8 p.csv"):
        detect(text.encode(codec), "p.csv")


def test_binary_data_is_refused() -> None:
    noise = random.Random(7)
    for data in (bytes(noise.randrange(256) for _ in range(4000)), b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8,
                 b"a\x00b\x01" * 500):
        with pytest.raises(SourceError, match="not a text file"):
            detect(data, "f")


def test_open_text_reads_gzip_and_the_bom(tmp_path) -> None:
    path = tmp_path / "p.jsonl.gz"
    path.write_bytes(gzip.compress(codecs.BOM_UTF8 + TEXT.encode()))
    stream, decoding = open_text(path)
    with stream:
        assert stream.read() == TEXT and decoding.encoding == "utf-8-sig"
