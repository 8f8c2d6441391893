#include "tracker/HttpUrl.h"

namespace swarmscope {

namespace {

std::optional<HttpUrl> fail(QString* error, const char* why) {
    if (error)
        *error = QString::fromLatin1(why);
    return std::nullopt;
}

} // namespace

std::optional<HttpUrl> parseHttpUrl(const QString& url, QString* error) {
    for (const QChar c : url)
        if (c.unicode() <= 0x20 || c.unicode() >= 0x7F)
            return fail(error, "URL contains spaces, control or non-ASCII characters");
    QByteArray text = url.toLatin1();
    const qsizetype schemeEnd = text.indexOf("://");
    if (schemeEnd < 0)
        return fail(error, "not an http:// URL");
    const QByteArray scheme = text.left(schemeEnd).toLower();
    if (scheme == "https")
        return fail(error, "https trackers are not supported");
    if (scheme == "udp")
        return fail(error, "a udp:// tracker has no HTTP interface");
    if (scheme != "http")
        return fail(error, "not an http:// URL");
    text = text.mid(schemeEnd + 3);
    const qsizetype hash = text.indexOf('#');
    if (hash >= 0)
        text.truncate(hash);

    qsizetype authorityEnd = text.size();
    for (const char stop : {'/', '?'}) {
        const qsizetype at = text.indexOf(stop);
        if (at >= 0 && at < authorityEnd)
            authorityEnd = at;
    }
    HttpUrl out;
    out.authority = text.left(authorityEnd);
    out.target = text.mid(authorityEnd);
    if (out.target.isEmpty() || out.target.at(0) != '/')
        out.target.prepend('/');
    if (out.authority.contains('@'))
        return fail(error, "user info in URLs is not supported");

    QByteArray portText;
    if (out.authority.startsWith('[')) {
        const qsizetype close = out.authority.indexOf(']');
        if (close < 0)
            return fail(error, "unterminated IPv6 address in URL");
        out.host = QString::fromLatin1(out.authority.mid(1, close - 1));
        const QByteArray rest = out.authority.mid(close + 1);
        if (!rest.isEmpty() && !rest.startsWith(':'))
            return fail(error, "malformed host in URL");
        portText = rest.mid(1);
    } else {
        const qsizetype colon = out.authority.indexOf(':');
        out.host = QString::fromLatin1(colon < 0 ? out.authority : out.authority.left(colon));
        if (colon >= 0)
            portText = out.authority.mid(colon + 1);
    }
    if (out.host.isEmpty())
        return fail(error, "URL has no host");
    if (!portText.isEmpty()) {
        bool ok = false;
        const uint port = portText.toUInt(&ok);
        if (!ok || port < 1 || port > 65535 || portText.startsWith('+'))
            return fail(error, "invalid port in URL");
        out.port = quint16(port);
    }
    return out;
}

QString appendQuery(const QString& url, const QByteArray& query) {
    QString base = url;
    const qsizetype hash = base.indexOf(QLatin1Char('#'));
    if (hash >= 0)
        base.truncate(hash);
    if (query.isEmpty())
        return base;
    const qsizetype question = base.indexOf(QLatin1Char('?'));
    if (question < 0)
        return base + QLatin1Char('?') + QString::fromLatin1(query);
    if (base.endsWith(QLatin1Char('?')) || base.endsWith(QLatin1Char('&')))
        return base + QString::fromLatin1(query);
    return base + QLatin1Char('&') + QString::fromLatin1(query);
}

std::optional<QString> scrapeUrlFor(const QString& announceUrl) {
    const qsizetype schemeEnd = announceUrl.indexOf(QStringLiteral("://"));
    const qsizetype pathStart = announceUrl.indexOf(QLatin1Char('/'), schemeEnd < 0 ? 0 : schemeEnd + 3);
    if (schemeEnd < 0 || pathStart < 0)
        return std::nullopt;
    qsizetype pathEnd = announceUrl.indexOf(QLatin1Char('?'), pathStart);
    if (pathEnd < 0)
        pathEnd = announceUrl.size();
    const qsizetype lastSlash = announceUrl.lastIndexOf(QLatin1Char('/'), pathEnd - 1);
    const QStringView last = QStringView(announceUrl).mid(lastSlash + 1, pathEnd - lastSlash - 1);
    if (!last.startsWith(QStringLiteral("announce")))
        return std::nullopt;
    QString out = announceUrl;
    out.replace(lastSlash + 1, 8, QStringLiteral("scrape"));
    return out;
}

std::optional<QString> urlOrigin(const QString& url) {
    const auto parsed = parseHttpUrl(url);
    if (!parsed)
        return std::nullopt;
    return QStringLiteral("http://") + QString::fromLatin1(parsed->authority);
}

} // namespace swarmscope
