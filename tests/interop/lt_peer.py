#!/usr/bin/python3
"""A libtorrent peer for the interop suites: seeds or downloads one torrent on 127.0.0.1, TCP only.

Run by the tests with Debian's /usr/bin/python3 and its python3-libtorrent. It talks to the test through
stdout, one JSON object a line:
  {"event": "listening", "port": N}           once the listen socket is up
  {"event": "status", ...}                     every --status-interval seconds (see status() below)
  {"event": "finished", ...}                   once every piece is there and checked
  {"event": "stopped", ...}                    the last line, after SIGTERM or --exit-when-done
Everything libtorrent reports (tracker replies, peer connects and disconnects with their reasons, errors)
goes to stderr, which the tests keep as the log to read when something fails.

The settings follow the one-to-one benchmark: uTP off, several connections from one address allowed (every
peer is on 127.0.0.1), DHT, local discovery, UPnP and NAT-PMP off, so the tracker (or --connect) is the only
way peers meet.
"""

import argparse
import json
import signal
import sys
import time

import libtorrent as lt


def log(text):
    sys.stderr.write("%.3f %s\n" % (time.monotonic(), text))
    sys.stderr.flush()


def emit(event, **fields):
    fields["event"] = event
    sys.stdout.write(json.dumps(fields, sort_keys=True) + "\n")
    sys.stdout.flush()


def status(handle):
    st = handle.status()
    peers = []
    for p in handle.get_peer_info():
        peers.append({
            "ip": p.ip[0],
            "port": p.ip[1],
            "client": p.client if isinstance(p.client, str) else p.client.decode("utf-8", "replace"),
            "pid": bytes(p.pid.to_bytes()).decode("latin-1") if hasattr(p.pid, "to_bytes") else str(p.pid),
            "outgoing": bool(p.flags & lt.peer_info.outgoing_connection),
            "seed": bool(p.flags & lt.peer_info.seed),
            "total_download": p.total_download,
            "total_upload": p.total_upload,
            "rc4": bool(p.flags & lt.peer_info.rc4_encrypted),
        })
    return {
        "state": str(st.state),
        "num_pieces": st.num_pieces,
        "pieces_total": handle.torrent_file().num_pieces() if handle.torrent_file() else 0,
        "is_seeding": st.is_seeding,
        "total_payload_download": st.total_payload_download,
        "total_payload_upload": st.total_payload_upload,
        "total_failed_bytes": st.total_failed_bytes,
        "num_peers": st.num_peers,
        "peers": peers,
        "error": str(st.errc.message()) if st.errc.value() else "",
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["seed", "leech"])
    parser.add_argument("--torrent", help="the .torrent file (or --magnet)")
    parser.add_argument("--magnet", help="leech mode: a magnet link; the metadata comes from the peers")
    parser.add_argument("--save-path", required=True)
    parser.add_argument("--listen-port", type=int, default=0, help="0: any free port")
    parser.add_argument("--connect", action="append", default=[], help="HOST:PORT to dial directly")
    parser.add_argument("--upload-limit", type=int, default=0, help="bytes per second; 0: unlimited")
    parser.add_argument("--status-interval", type=float, default=0.25)
    parser.add_argument("--exit-when-done", action="store_true")
    parser.add_argument("--no-encryption", action="store_true",
                        help="plaintext only (default: libtorrent's own policy, which tries MSE first)")
    parser.add_argument("--force-encryption", action="store_true",
                        help="MSE/PE with RC4 only, both ways (out/in_enc_policy forced, allowed_enc_level rc4)")
    args = parser.parse_args()

    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(True))
    signal.signal(signal.SIGINT, lambda *_: stop.append(True))

    settings = {
        "listen_interfaces": "127.0.0.1:%d" % args.listen_port,
        "outgoing_interfaces": "127.0.0.1",
        "enable_outgoing_utp": False,
        "enable_incoming_utp": False,
        "allow_multiple_connections_per_ip": True,
        "enable_dht": False,
        "enable_lsd": False,
        "enable_upnp": False,
        "enable_natpmp": False,
        "upload_rate_limit": args.upload_limit,
        "alert_mask": (lt.alert.category_t.error_notification | lt.alert.category_t.tracker_notification
                       | lt.alert.category_t.peer_notification | lt.alert.category_t.connect_notification
                       | lt.alert.category_t.status_notification | lt.alert.category_t.storage_notification),
    }
    if args.no_encryption:
        settings["out_enc_policy"] = int(lt.enc_policy.disabled)
        settings["in_enc_policy"] = int(lt.enc_policy.disabled)
    if args.force_encryption:
        settings["out_enc_policy"] = int(lt.enc_policy.forced)
        settings["in_enc_policy"] = int(lt.enc_policy.forced)
        settings["allowed_enc_level"] = int(lt.enc_level.rc4)
    session = lt.session(settings)

    if bool(args.torrent) == bool(args.magnet) or (args.magnet and args.mode == "seed"):
        parser.error("give --torrent, or --magnet in leech mode")
    if args.magnet:
        params = lt.parse_magnet_uri(args.magnet)
    else:
        params = lt.add_torrent_params()
        params.ti = lt.torrent_info(args.torrent)
    params.save_path = args.save_path
    if args.mode == "seed":
        # The test wrote the data; trust it, as our seeder trusts what it just hashed.
        params.flags |= lt.torrent_flags.seed_mode
    handle = session.add_torrent(params)

    port = session.listen_port()
    deadline = time.monotonic() + 10
    while port == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
        port = session.listen_port()
    emit("listening", port=port)

    for endpoint in args.connect:
        host, _, peer_port = endpoint.rpartition(":")
        handle.connect_peer((host, int(peer_port)))

    finished = False
    next_status = 0.0
    while not stop:
        for alert in session.pop_alerts():
            log("%s: %s" % (type(alert).__name__, alert.message()))
        now = time.monotonic()
        st = handle.status()
        if not finished and st.is_seeding:
            finished = True
            emit("finished", **status(handle))
            if args.exit_when_done:
                break
        if now >= next_status:
            emit("status", **status(handle))
            next_status = now + args.status_interval
        session.wait_for_alert(50)

    final = status(handle)
    # Tell the tracker we are gone, as a real client does on quit; bounded by the session's own timeout.
    session.pause()
    for alert in session.pop_alerts():
        log("%s: %s" % (type(alert).__name__, alert.message()))
    emit("stopped", **final)
    return 0


if __name__ == "__main__":
    sys.exit(main())
