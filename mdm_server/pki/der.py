"""DER by hand: one tag-length-value written (`der`) or read by its header (`der_header`).

Pure: no Django imports. How the structures the server signs, encrypts and issues are assembled
from their encoded parts, and how plain DER from clients is read where asn1crypto would read the
same (`mdm_server.pki.cms`, `mdm_server.pki.scep`, `mdm_server.pki.certificates`).
"""

from __future__ import annotations


def der(tag: int, content: bytes) -> bytes:
    """One DER tag-length-value (single-byte tag): how the signed and enveloped structures and
    issued certificates are assembled from their encoded parts."""
    size = len(content)
    if size < 0x80:
        return bytes((tag, size)) + content
    length = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes((tag, 0x80 | len(length))) + length + content


def der_header(data: bytes, at: int, end: int) -> tuple[int, int, int]:
    """The tag octet of the element at `at` in `data`, and where its contents start and stop,
    all within `end`: how encoded parts are read by their headers (`der` writes them).
    ValueError for a high tag number, an indefinite length or a long form of more than four
    octets, or an element that does not fit."""
    if at + 2 > end:
        raise ValueError("no room for a header")
    tag, length = data[at], data[at + 1]
    if tag & 0x1F == 0x1F:
        raise ValueError("a high tag number")
    start = at + 2
    if length & 0x80:
        octets = length & 0x7F
        if not 1 <= octets <= 4 or start + octets > end:
            raise ValueError("an indefinite or oversized length")
        length = int.from_bytes(data[start : start + octets], "big")
        start += octets
    if start + length > end:
        raise ValueError("contents longer than their container")
    return tag, start, start + length
