#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>

#include <optional>

namespace swarmscope {

using QueryItem = QPair<QByteArray, QByteArray>;

// The value of one hex digit (either case), or -1 for any other character.
int hexDigitValue(char c);

// Decodes %XX escapes into raw bytes. '+' stays a literal '+': BitTorrent query values are binary, and a
// client that left a 0x2B byte unescaped means that byte, not a space. Returns nothing on a malformed escape.
std::optional<QByteArray> percentDecode(const QByteArray& encoded);

// Escapes every byte outside RFC 3986's unreserved set as %XX (upper-case hex), the form trackers expect
// for the binary info_hash and peer_id.
QByteArray percentEncode(const QByteArray& raw);

// Splits "a=1&b=%41&a=2" into decoded pairs in order, keeping repeated keys. Empty items ("&&") are
// skipped and a key without '=' gets an empty value. Returns nothing on a malformed escape.
std::optional<QList<QueryItem>> parseQueryString(const QByteArray& query);

} // namespace swarmscope
