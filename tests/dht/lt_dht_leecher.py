#!/usr/bin/python3
"""A libtorrent leecher that knows one DHT node and nothing else: no tracker, no local discovery, no PEX.

    lt_dht_leecher.py TORRENT SAVE_DIR BOOTSTRAP_HOST:PORT TIMEOUT_S

Exits 0 once every piece is there and checked, 1 on timeout; stdout says which and how long it took, stderr
carries libtorrent's DHT and peer alerts for a failure's log. Run with Debian's /usr/bin/python3 and its
python3-libtorrent.
"""

import sys
import time

import libtorrent as lt


def main():
    torrent, save_dir, bootstrap, timeout = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
    settings = {
        "listen_interfaces": "127.0.0.1:0",
        "enable_dht": True,
        "dht_bootstrap_nodes": bootstrap,
        "enable_lsd": False,
        "enable_upnp": False,
        "enable_natpmp": False,
        "enable_incoming_utp": False,
        "enable_outgoing_utp": False,
        "allow_multiple_connections_per_ip": True,
        "dht_restrict_routing_ips": False,
        "dht_restrict_search_ips": False,
        "dht_prefer_verified_node_ids": False,
        "alert_mask": lt.alert.category_t.dht_notification | lt.alert.category_t.peer_notification
        | lt.alert.category_t.error_notification | lt.alert.category_t.connect_notification,
    }
    session = lt.session(settings)
    params = lt.add_torrent_params()
    params.ti = lt.torrent_info(torrent)
    params.save_path = save_dir
    handle = session.add_torrent(params)
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        for alert in session.pop_alerts():
            sys.stderr.write("%.3f %s: %s\n" % (time.monotonic() - start, alert.what(), alert.message()))
        status = handle.status()
        if status.is_seeding:
            print("finished in %.3f s" % (time.monotonic() - start))
            sys.stdout.flush()
            return 0
        time.sleep(0.1)
    print("timed out at %.0f%%" % (handle.status().progress * 100))
    return 1


if __name__ == "__main__":
    sys.exit(main())
