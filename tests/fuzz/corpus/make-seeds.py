#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into tests/fuzz/corpus/<target>/.

The seeds are small valid and near-valid inputs, so that libFuzzer starts from the interesting parts of each
format instead of discovering "d8:interval" byte by byte. The small .torrent fixtures come from
../shared/fixtures/webtorrent (MIT, see its LICENSE). Run it again after changing a target's input layout:

    python3 tests/fuzz/corpus/make-seeds.py [path/to/shared]

It removes and rewrites only the files it generates (names starting with "seed-") and the fixture copies.
"""

import hashlib
import os
import shutil
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "..", "..", "shared")
FIXTURES = os.path.join(SHARED, "fixtures", "webtorrent")
SMALL_TORRENTS = ["alice", "corrupt", "folder", "leaves", "leaves-metadata", "lots-of-numbers", "numbers"]


def bencode(value):
    if isinstance(value, int):
        return b"i%de" % value
    if isinstance(value, str):
        value = value.encode()
    if isinstance(value, bytes):
        return b"%d:%s" % (len(value), value)
    if isinstance(value, list):
        return b"l" + b"".join(bencode(v) for v in value) + b"e"
    if isinstance(value, dict):
        items = sorted((k.encode() if isinstance(k, str) else k, v) for k, v in value.items())
        return b"d" + b"".join(bencode(k) + bencode(v) for k, v in items) + b"e"
    raise TypeError(value)


def write_seeds(target, seeds):
    folder = os.path.join(HERE, target)
    os.makedirs(folder, exist_ok=True)
    for name in os.listdir(folder):
        if name.startswith("seed-") or name.endswith(".torrent"):
            os.remove(os.path.join(folder, name))
    for name, data in seeds.items():
        with open(os.path.join(folder, "seed-" + name), "wb") as f:
            f.write(data)


def copy_fixtures(target):
    folder = os.path.join(HERE, target)
    os.makedirs(folder, exist_ok=True)
    for name in SMALL_TORRENTS:
        shutil.copyfile(os.path.join(FIXTURES, name + ".torrent"), os.path.join(folder, name + ".torrent"))


# --- bencode and metainfo

def torrent(info, **outer):
    root = {"info": info}
    root.update(outer)
    return bencode(root)


def pieces_for(total, piece_length):
    return b"".join(hashlib.sha1(b"%d" % i).digest() for i in range((total + piece_length - 1) // piece_length))


single = {"length": 40000, "name": "file.bin", "piece length": 16384, "pieces": pieces_for(40000, 16384)}
multi = {
    "files": [
        {"length": 10, "path": ["a", "b.txt"]},
        {"length": 16374, "path": [".pad", "16374"], "attr": "p"},
        {"length": 20000, "path": ["c"]},
    ],
    "name": "dir",
    "piece length": 16384,
    "pieces": pieces_for(36384, 16384),
    "private": 1,
}
hybrid = dict(single, **{"meta version": 2, "file tree": {"file.bin": {"": {"length": 40000}}}})
hostile = {
    "files": [
        {"length": 1, "path": ["../../etc/passwd"]},
        {"length": 1, "path": ["C:\\x"]},
        {"length": 1, "path": [":res", ". ."]},
        {"length": 1, "path": ["x" * 300 + ".mkv"]},
        {"length": 1, "path": [b"\xc0\xaf\xff"]},
    ],
    "name": "root",
    "piece length": 16384,
    "pieces": pieces_for(5, 16384),
}

metainfo_seeds = {
    "single.torrent": torrent(single, announce="http://127.0.0.1:6969/announce"),
    "multi.torrent": torrent(multi, **{"announce-list": [["http://a/announce"], ["udp://b:1", "http://c/"]],
                                       "url-list": "http://w/", "creation date": 1700000000,
                                       "comment": "seed", "created by": "make-seeds"}),
    "hybrid.torrent": torrent(hybrid),
    "hostile-paths.torrent": torrent(hostile),
    "collision.torrent": torrent(dict(multi, files=[{"length": 5, "path": ["a"]}, {"length": 5, "path": ["a", "b"]}],
                                      pieces=pieces_for(10, 16384))),
    "v2-only.torrent": torrent({"meta version": 2, "name": "x", "piece length": 16384,
                                "file tree": {"x": {"": {"length": 1, "pieces root": b"\0" * 32}}}}),
    "bad-pieces.torrent": torrent(dict(single, pieces=b"\0" * 19)),
}

bencode_seeds = {
    "int": b"i-42e",
    "zero": b"i0e",
    "max": b"i9223372036854775807e",
    "string": b"4:spam",
    "empty-string": b"0:",
    "list": b"l4:spami42ee",
    "dict": b"d3:bar4:spam3:fooi42ee",
    "nested": b"d1:ad1:bl1:cd1:di1eeeee",
    "deep": b"l" * 20 + b"e" * 20,
    "leading-zero": b"i03e",
    "unsorted": b"d1:bi1e1:ai2ee",
    "trailing": b"i1ei2e",
    "torrent": metainfo_seeds["multi.torrent"],
}

# --- magnet links

HASH_HEX = "c12fe1c06bba254a9dc9f519b335aa7c1367a88a"
HASH_B32 = "YEX6DQDLXISUVHOJ6UM3GNNKPQJWPKEK"
magnet_seeds = {
    "hex": "magnet:?xt=urn:btih:%s" % HASH_HEX,
    "base32": "magnet:?xt=urn:btih:%s&dn=alice.txt" % HASH_B32,
    "full": "magnet:?xt=urn:btih:%s&dn=Leaves+of%%20Grass&tr=http%%3A%%2F%%2F127.0.0.1%%3A6969%%2Fannounce"
            "&tr=udp://tracker:80&tr.1=http://x/&x.pe=1.2.3.4:5" % HASH_HEX,
    "numbered": "magnet:?xt.1=urn:btih:%s&xt.2=urn:btmh:1220%s&dn.1=a" % (HASH_HEX, "00" * 32),
    "v2-only": "magnet:?xt=urn:btmh:1220%s" % ("ab" * 32),
    "two-hashes": "MAGNET:?XT=urn:BTIH:%s&xt=urn:btih:%s#frag" % (HASH_HEX, "0" * 40),
    "bad-escape": "magnet:?xt=urn:btih:%s&dn=%%4" % HASH_HEX,
    "utf8": "  magnet:?xt=urn:btih:%s&dn=%%E2%%82%%AC-\u00e9t\u00e9  " % HASH_HEX,
}
magnet_seeds = {k: v.encode("utf-8") for k, v in magnet_seeds.items()}

# --- wire: flags, piece length, total size, max length, four chunk sizes, then the stream

def frame(msg_id=None, payload=b""):
    if msg_id is None:
        return struct.pack(">I", 0)
    return struct.pack(">IB", 1 + len(payload), msg_id) + payload


INFO_HASH = bytes.fromhex(HASH_HEX)
handshake = b"\x13BitTorrent protocol" + b"\0" * 5 + b"\x10\0\x05" + INFO_HASH + b"-FZ0001-000000000001"
messages = b"".join([
    frame(5, b"\xff\xf0"),                       # bitfield of 12 pieces
    frame(2), frame(1), frame(None),
    frame(4, struct.pack(">I", 3)),
    frame(6, struct.pack(">III", 1, 16384, 16384)),
    frame(8, struct.pack(">III", 1, 16384, 16384)),
    frame(7, struct.pack(">II", 11, 0) + b"\xab" * 64),
    frame(9, struct.pack(">H", 6881)),
    frame(20, b"\0" + bencode({"m": {"ut_metadata": 1}})),
    frame(3), frame(0),
])


def wire_header(flags, piece_length, total, max_length=0, chunks=(1, 7, 3, 0)):
    return struct.pack(">BIQH4B", flags, piece_length, total, max_length, *chunks)


# 12 pieces of 32 KiB with a short last one: total = 11 * 32768 + 100
GEOMETRY = dict(piece_length=32768 - 1, total=11 * 32768 + 100 - 1)  # the target adds 1 to each
wire_seeds = {
    "handshake-and-messages": wire_header(1, **GEOMETRY) + handshake + messages,
    "messages-no-geometry": wire_header(0, 0, 0) + messages,
    "messages-small-limit": wire_header(3, max_length=20, **GEOMETRY) + messages,
    "handshake-only": wire_header(0, 0, 0, chunks=(68, 0, 0, 0)) + handshake,
    "bad-protocol": wire_header(0, 0, 0) + b"\x13BitTorrent protocoX",
    "too-long": wire_header(1, **GEOMETRY) + struct.pack(">I", 1 << 20) + b"\x07",
    "bad-bitfield": wire_header(1, **GEOMETRY) + frame(5, b"\xff\xff"),
    "index-out-of-range": wire_header(1, **GEOMETRY) + frame(4, struct.pack(">I", 12)),
    "short-last-block": wire_header(1, **GEOMETRY) + frame(6, struct.pack(">III", 11, 0, 100)),
}

# --- tracker requests

INFO_HASH_Q = "".join("%%%02X" % b for b in INFO_HASH)
announce = ("/announce?info_hash=%s&peer_id=-FZ0001-000000000001&port=6881&uploaded=0&downloaded=0&left=1000"
            "&event=started&compact=1&numwant=50&key=abc&no_peer_id=1" % INFO_HASH_Q)
tracker_http_seeds = {
    "announce": "GET %s HTTP/1.1\r\nHost: 127.0.0.1:6969\r\nUser-Agent: seed\r\n\r\n" % announce,
    "announce-1.0": "GET %s&ip=10.0.0.1&trackerid=t1 HTTP/1.0\n\n" % announce.replace("&event=started", ""),
    "scrape": "GET /scrape?info_hash=%s&info_hash=%s HTTP/1.1\r\nConnection: close\r\n\r\n" % (INFO_HASH_Q, "%41" * 20),
    "post": "POST /torrents?name=a%20b HTTP/1.1\r\nContent-Length: 5\r\nContent-Type: x\r\n\r\nhello",
    "pipelined": "GET / HTTP/1.1\r\n\r\nGET /announce HTTP/1.1\r\n\r\n",
    "chunked": "POST /torrents HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    "repeated-key": "GET /announce?port=1&port=2 HTTP/1.1\r\n\r\n",
    "folded": "GET / HTTP/1.1\r\nA: b\r\n  folded\r\n\r\n",
}
tracker_http_seeds = {k: v.encode() for k, v in tracker_http_seeds.items()}

# --- announce responses: bodies, and whole HTTP responses

compact = bytes([127, 0, 0, 1, 0x1a, 0xe1, 10, 0, 0, 2, 0xc8, 0xd5])
compact6 = bytes(15) + b"\x01" + b"\x1a\xe1" + bytes.fromhex("20010db8000000000000000000000001") + b"\xc8\xd5"
body_compact = bencode({"interval": 1800, "min interval": 900, "complete": 2, "incomplete": 3, "peers": compact,
                        "peers6": compact6, "tracker id": "t1"})
body_dict = bencode({"interval": 60, "peers": [
    {"ip": "127.0.0.1", "port": 6881, "peer id": "-FZ0001-000000000001"},
    {"ip": "::1", "port": 6882},
    {"ip": "tracker.example", "port": 6883},
]})
announce_response_seeds = {
    "compact": body_compact,
    "dict": body_dict,
    "failure": bencode({"failure reason": "unregistered torrent"}),
    "warning": bencode({"interval": 10, "peers": b"", "warning message": "slow down"}),
    "http-length": b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s"
                   % (len(body_compact), body_compact),
    "http-chunked": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n%x;ext=1\r\n%s\r\n0\r\nX-T: 1\r\n\r\n"
                    % (len(body_dict), body_dict),
    "http-close": b"HTTP/1.0 200 OK\r\n\r\n" + body_compact,
    "http-continue": b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nlee",
    "http-404": b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n",
    # "::" is IPv4 0.0.0.0 to Qt's toIPv4Address(), so the compact encoder moves it from peers6 to peers.
    "peers6-unspecified": bencode({"interval": 0, "peers6": compact6[:18] + bytes(16) + b"\x06\xd5"}),
}

# --- peer connection scripts (see fuzz_peer_connection.cpp for the opcodes)

def send(data):
    out = b""
    while data:
        part, data = data[:256], data[256:]
        out += bytes([0, len(part) - 1]) + part
    return out


def send_big(data):
    return bytes([1]) + struct.pack(">H", len(data)) + data


WAIT, BITFIELD, UNCHOKE, INTERESTED = b"\x02", b"\x04", b"\x05", b"\x06"


def answer(mode):
    return bytes([3, mode])


def request(index, block, length=0):
    return bytes([7, index, block, length])


peer_connection_seeds = {
    "seeder-download": b"\x00" + INTERESTED + WAIT + request(0, 0) + request(3, 0) + request(1, 1, 200) + WAIT,
    "seeder-cancel": b"\x00" + INTERESTED + WAIT + request(2, 1) + send(frame(8, struct.pack(">III", 2, 16384, 16384))) + WAIT,
    "seeder-garbage": b"\x00" + send(frame(5, b"\xf0") + frame(4, struct.pack(">I", 9)) + frame(20, b"\0de")),
    "leecher-download": b"\x01" + BITFIELD + UNCHOKE + WAIT + answer(0) + WAIT + answer(0) + WAIT,
    "leecher-corrupt": b"\x01" + BITFIELD + UNCHOKE + WAIT + answer(1) + WAIT,
    "leecher-short": b"\x01" + send(frame(4, struct.pack(">I", 0))) + UNCHOKE + WAIT + answer(2) + answer(3) + WAIT,
    "leecher-choke": b"\x03" + b"\0" * 5 + b"\x10\0\x05" + BITFIELD + UNCHOKE + WAIT + send(frame(0)) + answer(0) + WAIT,
    "leecher-bitfield-late": b"\x01" + UNCHOKE + BITFIELD + WAIT,
    "piece-unrequested": b"\x01" + send_big(frame(7, struct.pack(">II", 0, 0) + b"\0" * 16384)) + WAIT,
}


def extension_seeds():
    def frame(ext_id, payload):
        return struct.pack(">IBB", len(payload) + 2, 20, ext_id) + payload

    lt = bencode({"m": {"lt_donthave": 7, "ut_metadata": 2, "ut_pex": 1}, "metadata_size": 5187,
                  "reqq": 500, "v": "libtorrent/2.0.10", "yourip": b"\x7f\0\0\x01", "p": 6881})
    return {
        "libtorrent-handshake": lt,
        "handshake-frame": frame(0, lt),
        "unknown-and-disabled": frame(0, bencode({"m": {"ut_pex": 0, "zz": 9}, "e": 1})),
        "malformed": frame(0, b"d1:mi1ee") + frame(0, b"d1:md1:xi300eee"),
        "metadata-messages": frame(1, bencode({"msg_type": 0, "piece": 0}))
        + frame(1, bencode({"msg_type": 1, "piece": 0, "total_size": 3}) + b"abc"),
    }


# --- BEP 15 datagrams (fuzz_udp_tracker reads each as a request and as a response)

def udp_announce_request(event=2, extra=b""):
    return (struct.pack(">QII", 0x1122334455667788, 1, 42) + INFO_HASH + b"-FZ0001-000000000001"
            + struct.pack(">qqqIIIiH", 100, 1000, 50, event, 0, 0xDEADBEEF, -1, 6881) + extra)


udp_tracker_seeds = {
    "connect-request": struct.pack(">QII", 0x41727101980, 0, 7),
    "announce-request": udp_announce_request(),
    "announce-request-bep41": udp_announce_request(0, b"\x02\x09/announce"),
    "announce-request-short": udp_announce_request()[:97],
    "scrape-request": struct.pack(">QII", 1, 2, 9) + INFO_HASH + b"A" * 20,
    "connect-response": struct.pack(">IIQ", 0, 7, 0x0102030405060708),
    "announce-response": struct.pack(">IIIII", 1, 42, 1800, 2, 1)
    + bytes([127, 0, 0, 1]) + struct.pack(">H", 6881) + bytes([10, 0, 0, 2]) + struct.pack(">H", 0),
    "announce-response-v6": struct.pack(">IIIII", 1, 42, 60, 0, 1) + bytes(15) + b"\x01" + struct.pack(">H", 80),
    "scrape-response": struct.pack(">II", 2, 9) + struct.pack(">III", 1, 5, 2) + struct.pack(">III", 0, 0, 0),
    "error-response": struct.pack(">II", 3, 9) + b"connection id expired",
}


def main():
    write_seeds("fuzz_bencode", bencode_seeds)
    write_seeds("fuzz_metainfo", metainfo_seeds)
    copy_fixtures("fuzz_bencode")
    copy_fixtures("fuzz_metainfo")
    write_seeds("fuzz_magnet", magnet_seeds)
    write_seeds("fuzz_wire", wire_seeds)
    write_seeds("fuzz_tracker_http", tracker_http_seeds)
    write_seeds("fuzz_announce_response", announce_response_seeds)
    write_seeds("fuzz_peer_connection", peer_connection_seeds)
    write_seeds("fuzz_extension", extension_seeds())
    write_seeds("fuzz_udp_tracker", udp_tracker_seeds)


if __name__ == "__main__":
    main()
