#include "metainfo/PercentEncoding.h"

namespace swarmscope {

namespace {

bool isUnreserved(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

} // namespace

int hexDigitValue(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

std::optional<QByteArray> percentDecode(const QByteArray& encoded) {
    QByteArray out;
    out.reserve(encoded.size());
    for (qsizetype i = 0; i < encoded.size(); ++i) {
        const char c = encoded.at(i);
        if (c != '%') {
            out.append(c);
            continue;
        }
        if (i + 2 >= encoded.size())
            return std::nullopt;
        const int hi = hexDigitValue(encoded.at(i + 1));
        const int lo = hexDigitValue(encoded.at(i + 2));
        if (hi < 0 || lo < 0)
            return std::nullopt;
        out.append(char(hi * 16 + lo));
        i += 2;
    }
    return out;
}

QByteArray percentEncode(const QByteArray& raw) {
    static const char digits[] = "0123456789ABCDEF";
    QByteArray out;
    out.reserve(raw.size() * 3);
    for (const char c : raw) {
        if (isUnreserved(c)) {
            out.append(c);
        } else {
            const auto byte = static_cast<unsigned char>(c);
            out.append('%');
            out.append(digits[byte >> 4]);
            out.append(digits[byte & 0x0F]);
        }
    }
    return out;
}

std::optional<QList<QueryItem>> parseQueryString(const QByteArray& query) {
    QList<QueryItem> items;
    qsizetype start = 0;
    while (start <= query.size()) {
        qsizetype end = query.indexOf('&', start);
        if (end < 0)
            end = query.size();
        const QByteArray item = query.mid(start, end - start);
        start = end + 1;
        if (item.isEmpty())
            continue;
        const qsizetype eq = item.indexOf('=');
        const auto key = percentDecode(eq < 0 ? item : item.left(eq));
        const auto value = percentDecode(eq < 0 ? QByteArray() : item.mid(eq + 1));
        if (!key || !value)
            return std::nullopt;
        items.append({*key, *value});
    }
    return items;
}

} // namespace swarmscope
