#!/usr/bin/env python3
"""Writes the committed seed corpus, fuzz/corpus/<target>/ (run from anywhere; needs ffmpeg).

Probe seeds are a 4-byte little-endian tail length, then the file's first bytes: the target
reads them as that file followed by zeros (fuzz/src/lib.rs), so a real video header cut
after its `mdat` or Cluster header stands for the whole file in a few hundred bytes.
"""

import shutil
import struct
import subprocess
import tempfile
from pathlib import Path

CORPUS = Path(__file__).resolve().parent / "corpus"
SOURCE = ["-f", "lavfi", "-i", "testsrc=duration=1:size=64x64:rate=10"]
TONE = ["-f", "lavfi", "-i", "sine=duration=1"]
H264 = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]


def ffmpeg(out, *args):
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-bitexact", *args, str(out)],
        check=True,
    )
    return out.read_bytes()


def sparse(data, keep):
    """The first `keep` bytes of `data`, standing for all of it."""
    return struct.pack("<I", len(data) - keep) + data[:keep]


def iso_boxes(data):
    pos, out = 0, []
    while pos < len(data):
        size, kind = struct.unpack(">I4s", data[pos : pos + 8])
        out.append((pos, kind, size))
        pos += size
    return out


def after_header(data, kind, header=8):
    """Offset just past the header of the first top-level box of `kind`."""
    return next(p for p, k, _ in iso_boxes(data) if k == kind) + header


def vint(data, pos, marker):
    """An EBML variable-length integer at `pos`: (value, length)."""
    length = 9 - data[pos].bit_length()
    value = data[pos] & ((1 << (8 - length)) - 1) if marker else data[pos]
    for b in data[pos + 1 : pos + length]:
        value = value << 8 | b
    return value, length


def mkv_cluster_body(data):
    """Offset just past the first Cluster's ID and size (walking the EBML header and the
    Segment's children)."""
    _, id_len = vint(data, 0, False)
    size, size_len = vint(data, id_len, True)
    pos = id_len + size_len + size
    _, id_len = vint(data, pos, False)
    _, size_len = vint(data, pos + id_len, True)
    pos += id_len + size_len
    while True:
        element, id_len = vint(data, pos, False)
        size, size_len = vint(data, pos + id_len, True)
        if element == 0x1F43B675:
            return pos + id_len + size_len
        pos += id_len + size_len + size


def element(element_id, body, size=None):
    """An EBML element with an 8-byte size (`size` may exceed the body: the rest is zeros)."""
    size = len(body) if size is None else size
    return element_id + bytes([1]) + size.to_bytes(7, "big") + body


def huge_codec_private(mkv, size):
    _, id_len = vint(mkv, 0, False)
    ebml_size, size_len = vint(mkv, id_len, True)
    ebml = mkv[: id_len + size_len + ebml_size]
    children, pos = {}, len(ebml) + 12  # the Segment's ID and 8-byte size
    while 0x1F43B675 not in children:
        element_id, id_len = vint(mkv, pos, False)
        length, size_len = vint(mkv, pos + id_len, True)
        children[element_id] = (pos + id_len + size_len, length)
        pos += id_len + size_len + length
    start, length = children[0x1549A966]
    info = element(b"\x15\x49\xa9\x66", mkv[start : start + length])
    start, length = children[0x1654AE6B]
    # The first TrackEntry (the video) without its own CodecPrivate, then the huge one.
    element_id = None
    while element_id != 0xAE:
        element_id, id_len = vint(mkv, start, False)
        entry_length, size_len = vint(mkv, start + id_len, True)
        start += 0 if element_id == 0xAE else id_len + size_len + entry_length
    entry, pos = b"", start + id_len + size_len
    while pos < start + id_len + size_len + entry_length:
        element_id, id_len2 = vint(mkv, pos, False)
        length, size_len2 = vint(mkv, pos + id_len2, True)
        end = pos + id_len2 + size_len2 + length
        if element_id != 0x63A2:
            entry += mkv[pos:end]
        pos = end
    private = element(b"\x63\xa2", b"", size)
    track = element(b"\xae", entry + private, len(entry) + len(private) + size)
    tracks = element(b"\x16\x54\xae\x6b", track, len(track) + size)
    head = ebml + b"\x18\x53\x80\x67\x01" + b"\xff" * 7 + info + tracks
    return struct.pack("<I", size) + head


def write(target, name, data):
    folder = CORPUS / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data.encode() if isinstance(data, str) else data)


def main():
    shutil.rmtree(CORPUS, ignore_errors=True)
    tmp = Path(tempfile.mkdtemp())
    try:
        fast = ffmpeg(tmp / "fast.mp4", *SOURCE, *H264, "-movflags", "+faststart")
        moov_last = ffmpeg(tmp / "last.mp4", *SOURCE, *H264)
        mov = ffmpeg(tmp / "av.mov", *SOURCE, *TONE, *H264, "-c:a", "aac", "-movflags", "+faststart")
        webm = ffmpeg(tmp / "front.webm", *SOURCE, "-c:v", "libvpx", "-b:v", "50k", "-cues_to_front", "1")
        webm_cues_last = ffmpeg(tmp / "last.webm", *SOURCE, "-c:v", "libvpx", "-b:v", "20k")
        mkv = ffmpeg(tmp / "av.mkv", *SOURCE, *TONE, *H264, "-c:a", "libopus", "-cues_to_front", "1")
    finally:
        shutil.rmtree(tmp)

    mdat = after_header(fast, b"mdat")
    write("probe_mp4", "faststart", sparse(fast, mdat))
    write("probe_mp4", "moov_last", sparse(moov_last, len(moov_last)))
    write("probe_mp4", "quicktime_with_audio", sparse(mov, after_header(mov, b"mdat")))
    write("probe_mp4", "cut_in_moov", sparse(fast[:400], 400))
    # The same header with a 64-bit `mdat` size, 300 MiB of (virtual) video data.
    big = 300 << 20
    head = fast[: mdat - 8] + struct.pack(">I4sQ", 1, b"mdat", 16 + big)
    write("probe_mp4", "largesize_mdat", struct.pack("<I", big) + head)
    write("probe_mp4", "text", sparse(b"just some notes, not a video", 28))
    # A `moov` declaring more than its bytes, the rest zeros: 8 MiB (under the probe's cap)
    # and 200 MiB (over it). A parser that reads a declared size into memory meets the heap cap.
    moov_at, _, moov_size = next(b for b in iso_boxes(fast) if b[1] == b"moov")
    for mib in (8, 200):
        head = bytearray(fast[: moov_at + moov_size])
        head[moov_at : moov_at + 4] = struct.pack(">I", mib << 20)
        write("probe_mp4", f"moov_{mib}mib", struct.pack("<I", moov_at + (mib << 20) - len(head)) + head)

    cluster = mkv_cluster_body(webm)
    write("probe_matroska", "webm", sparse(webm, cluster))
    write("probe_matroska", "webm_cues_last", sparse(webm_cues_last, len(webm_cues_last)))
    write("probe_matroska", "mkv_with_audio", sparse(mkv, mkv_cluster_body(mkv)))
    write("probe_matroska", "cut_in_tracks", sparse(mkv[:300], 300))
    # A live-written Segment: its size is "unknown" (all ones).
    segment = webm.index(b"\x18\x53\x80\x67") + 4
    live = bytearray(webm[:cluster])
    live[segment : segment + 8] = b"\x01" + b"\xff" * 7
    write("probe_matroska", "unknown_segment_size", struct.pack("<I", len(webm) - cluster) + live)

    # The same with a live-written Segment holding Info and Tracks only, whose track's
    # CodecPrivate declares 200 MiB (zeros): the demuxer must not read it into memory.
    write("probe_matroska", "codec_private_200mib", huge_codec_private(mkv, 200 << 20))

    for i, header in enumerate([
        "filename bGVjdHVyZS5tcDQ=,filetype dmlkZW8vbXA0,chapter_id YWJj,title SGkg8J+Ogw==",
        "is_private,filename bGVjdHVyZS5tcDQ=",
        "a YQ==,a YQ==",
        "filename !!!",
    ]):
        write("tus_metadata", f"seed{i}", header)
    for i, header in enumerate([
        "sha1 qZk+NkcGgWq6PiVxeFDCbJzQ2J0=",
        "sha256 ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=",
        "MD5 kAFQmDzST7DWlj99KOF/cg==",
        "crc32 AAAA",
    ]):
        write("tus_checksum", f"seed{i}", header)
    # The last two are crashes the target found (signs that `str::parse` takes), kept as seeds.
    for i, value in enumerate(["0", "1048576", " 42 ", "9223372036854775807", "9223372036854775808", "-1", "-0", "+5"]):
        write("tus_byte_count", f"seed{i}", value)
    for i, (length, header) in enumerate([
        (10, "bytes=0-0"), (10, "bytes=3-5"), (10, "bytes=-4"), (10, "bytes=7-"),
        (1 << 40, "bytes=1099511627775-"), (0, "bytes=0-"), (10, "bytes=0-1,4-5"),
        (1 << 40, "bytes=+0-"),  # a crash the target found: a sign is not a digit
    ]):
        write("range", f"seed{i}", struct.pack("<Q", length) + header.encode())
    # (video ID, clock, replace flags, exp shift, check time, other ID, other sig): a UUID-like
    # ID; the fuzzer shapes the rest.
    write("signed_url", "seed0", b"0b8f3a52-3e0c-4d5e-9a4b-6f1c2d3e4f50" + bytes(40))


if __name__ == "__main__":
    main()
