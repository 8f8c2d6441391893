#include "tracker/ScrapeResponse.h"

#include "bencode/Bencode.h"

namespace swarmscope {

QByteArray encodeScrapeResponse(const ScrapeResponse& response) {
    BencodeValue dict = BencodeValue::dictionary();
    if (!response.failureReason.isEmpty()) {
        dict.insert("failure reason", response.failureReason.toUtf8());
        return bencodeEncode(dict);
    }
    BencodeValue::Dictionary files;
    for (const auto& [infoHash, counts] : response.files) {
        BencodeValue entry = BencodeValue::dictionary();
        entry.insert("complete", counts.complete);
        entry.insert("downloaded", counts.downloaded);
        entry.insert("incomplete", counts.incomplete);
        files.emplace(infoHash, entry);
    }
    dict.insert("files", BencodeValue(files));
    return bencodeEncode(dict);
}

ScrapeResponseParseResult parseScrapeResponse(const QByteArray& body) {
    ScrapeResponseParseResult result;
    auto fail = [&result](const QString& why) {
        result.error = why;
        return result;
    };
    const BencodeDecodeResult decoded = bencodeDecode(body);
    if (!decoded.ok())
        return fail(QStringLiteral("response is not valid bencode: ") + decoded.errorString());
    if (!decoded.value->isDictionary())
        return fail(QStringLiteral("response is not a dictionary"));
    ScrapeResponse response;
    if (const BencodeValue* failure = decoded.value->find("failure reason")) {
        if (!failure->isString())
            return fail(QStringLiteral("failure reason is not a string"));
        response.failureReason = QString::fromUtf8(failure->toByteArray());
        result.response = response;
        return result;
    }
    const BencodeValue* files = decoded.value->find("files");
    if (!files || !files->isDictionary())
        return fail(QStringLiteral("missing files dictionary"));
    for (const auto& [infoHash, entry] : files->toDictionary()) {
        if (infoHash.size() != 20)
            return fail(QStringLiteral("files key is not a 20-byte info-hash"));
        if (!entry.isDictionary())
            return fail(QStringLiteral("files entry is not a dictionary"));
        ScrapeCounts counts;
        struct Field {
            const char* key;
            qint64* target;
        };
        for (const Field& field :
             {Field{"complete", &counts.complete}, Field{"incomplete", &counts.incomplete},
              Field{"downloaded", &counts.downloaded}}) {
            const BencodeValue* v = entry.find(field.key);
            if (!v)
                continue;
            if (!v->isInteger() || v->toInteger() < 0)
                return fail(QStringLiteral("invalid ") + QLatin1String(field.key));
            *field.target = v->toInteger();
        }
        response.files.emplace(infoHash, counts);
    }
    result.response = response;
    return result;
}

} // namespace swarmscope
