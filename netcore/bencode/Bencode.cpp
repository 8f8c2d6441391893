#include "bencode/Bencode.h"

#include <limits>

namespace swarmscope {

namespace {

class Decoder {
public:
    Decoder(const QByteArray& input, const BencodeLimits& limits)
        : m_data(input.constData()), m_size(input.size()), m_limits(limits) {}

    BencodeDecodeResult run(qsizetype* consumed, bool requireEnd) {
        BencodeDecodeResult result;
        BencodeValue value;
        if (!parseValue(value, 0)) {
            result.error = m_error;
            result.errorOffset = m_errorOffset;
            return result;
        }
        if (requireEnd && m_pos != m_size) {
            result.error = BencodeError::TrailingData;
            result.errorOffset = m_pos;
            return result;
        }
        if (consumed)
            *consumed = m_pos;
        result.value = std::move(value);
        return result;
    }

private:
    bool fail(BencodeError error, qsizetype offset) {
        m_error = error;
        m_errorOffset = offset;
        return false;
    }

    bool parseValue(BencodeValue& out, int depth) {
        if (++m_tokens > m_limits.maxTokens)
            return fail(BencodeError::TooManyTokens, m_pos);
        if (m_pos >= m_size)
            return fail(BencodeError::UnexpectedEnd, m_pos);
        const qsizetype start = m_pos;
        const char c = m_data[m_pos];
        bool ok = false;
        if (c == 'i') {
            qint64 v = 0;
            ok = parseInteger(v);
            if (ok)
                out = BencodeValue(v);
        } else if (c >= '0' && c <= '9') {
            QByteArray s;
            ok = parseString(s);
            if (ok)
                out = BencodeValue(s);
        } else if (c == 'l' || c == 'd') {
            if (depth + 1 > m_limits.maxDepth)
                return fail(BencodeError::TooDeep, m_pos);
            ok = c == 'l' ? parseList(out, depth + 1) : parseDictionary(out, depth + 1);
        } else {
            return fail(BencodeError::UnexpectedCharacter, m_pos);
        }
        if (ok)
            out.setRawSpan(start, m_pos - start);
        return ok;
    }

    // Reads the digits of a non-negative decimal number ending at terminator.
    bool parseDigits(char terminator, quint64 limit, quint64& value) {
        const qsizetype start = m_pos;
        value = 0;
        while (m_pos < m_size && m_data[m_pos] >= '0' && m_data[m_pos] <= '9') {
            const unsigned digit = unsigned(m_data[m_pos] - '0');
            if (value > (limit - digit) / 10)
                return fail(BencodeError::IntegerOverflow, m_pos);
            value = value * 10 + digit;
            ++m_pos;
        }
        if (m_pos >= m_size)
            return fail(BencodeError::UnexpectedEnd, m_pos);
        if (m_data[m_pos] != terminator)
            return fail(BencodeError::UnexpectedCharacter, m_pos);
        if (m_pos == start)
            return fail(terminator == 'e' ? BencodeError::EmptyInteger : BencodeError::UnexpectedCharacter,
                        m_pos);
        if (m_data[start] == '0' && m_pos - start > 1)
            return fail(BencodeError::LeadingZero, start);
        return true;
    }

    bool parseInteger(qint64& out) {
        ++m_pos; // 'i'
        bool negative = false;
        const qsizetype signPos = m_pos;
        if (m_pos < m_size && m_data[m_pos] == '-') {
            negative = true;
            ++m_pos;
        }
        const quint64 limit = negative ? quint64(std::numeric_limits<qint64>::max()) + 1
                                       : quint64(std::numeric_limits<qint64>::max());
        quint64 magnitude = 0;
        if (!parseDigits('e', limit, magnitude))
            return false;
        if (negative && magnitude == 0)
            return fail(BencodeError::NegativeZero, signPos);
        ++m_pos; // 'e'
        out = negative ? qint64(0 - magnitude) : qint64(magnitude);
        return true;
    }

    bool parseString(QByteArray& out) {
        const qsizetype start = m_pos;
        quint64 length = 0;
        if (!parseDigits(':', quint64(std::numeric_limits<qsizetype>::max()), length))
            return false;
        ++m_pos; // ':'
        if (length > quint64(m_size - m_pos))
            return fail(BencodeError::StringPastEnd, start);
        out = QByteArray(m_data + m_pos, qsizetype(length));
        m_pos += qsizetype(length);
        return true;
    }

    bool parseList(BencodeValue& out, int depth) {
        ++m_pos; // 'l'
        BencodeValue::List items;
        while (true) {
            if (m_pos >= m_size)
                return fail(BencodeError::UnexpectedEnd, m_pos);
            if (m_data[m_pos] == 'e')
                break;
            BencodeValue item;
            if (!parseValue(item, depth))
                return false;
            items.append(std::move(item));
        }
        ++m_pos; // 'e'
        out = BencodeValue(items);
        return true;
    }

    bool parseDictionary(BencodeValue& out, int depth) {
        ++m_pos; // 'd'
        BencodeValue::Dictionary items;
        bool haveLast = false;
        QByteArray lastKey;
        while (true) {
            if (m_pos >= m_size)
                return fail(BencodeError::UnexpectedEnd, m_pos);
            if (m_data[m_pos] == 'e')
                break;
            const qsizetype keyPos = m_pos;
            const char c = m_data[m_pos];
            if (c < '0' || c > '9') {
                if (c == 'i' || c == 'l' || c == 'd')
                    return fail(BencodeError::NonStringKey, keyPos);
                return fail(BencodeError::UnexpectedCharacter, keyPos);
            }
            if (++m_tokens > m_limits.maxTokens)
                return fail(BencodeError::TooManyTokens, m_pos);
            QByteArray key;
            if (!parseString(key))
                return false;
            if (haveLast) {
                if (key == lastKey)
                    return fail(BencodeError::DuplicateKey, keyPos);
                if (key < lastKey)
                    return fail(BencodeError::UnsortedKeys, keyPos);
            }
            BencodeValue value;
            if (!parseValue(value, depth))
                return false;
            // Keys arrive sorted, so inserting at the end is constant time.
            items.emplace_hint(items.end(), key, std::move(value));
            lastKey = std::move(key);
            haveLast = true;
        }
        ++m_pos; // 'e'
        out = BencodeValue(items);
        return true;
    }

    const char* m_data;
    qsizetype m_size;
    BencodeLimits m_limits;
    qsizetype m_pos = 0;
    qsizetype m_tokens = 0;
    BencodeError m_error = BencodeError::None;
    qsizetype m_errorOffset = -1;
};

void encodeInto(const BencodeValue& value, QByteArray& out) {
    switch (value.type()) {
    case BencodeValue::Type::Integer:
        out += 'i';
        out += QByteArray::number(value.toInteger());
        out += 'e';
        break;
    case BencodeValue::Type::String:
        out += QByteArray::number(value.toByteArray().size());
        out += ':';
        out += value.toByteArray();
        break;
    case BencodeValue::Type::List:
        out += 'l';
        for (const BencodeValue& item : value.toList())
            encodeInto(item, out);
        out += 'e';
        break;
    case BencodeValue::Type::Dictionary:
        out += 'd';
        for (const auto& [key, item] : value.toDictionary()) {
            out += QByteArray::number(key.size());
            out += ':';
            out += key;
            encodeInto(item, out);
        }
        out += 'e';
        break;
    }
}

} // namespace

QString bencodeErrorDescription(BencodeError error) {
    switch (error) {
    case BencodeError::None:
        return QStringLiteral("no error");
    case BencodeError::UnexpectedEnd:
        return QStringLiteral("unexpected end of data");
    case BencodeError::UnexpectedCharacter:
        return QStringLiteral("unexpected character");
    case BencodeError::EmptyInteger:
        return QStringLiteral("empty integer");
    case BencodeError::LeadingZero:
        return QStringLiteral("leading zero in number");
    case BencodeError::NegativeZero:
        return QStringLiteral("negative zero");
    case BencodeError::IntegerOverflow:
        return QStringLiteral("integer overflow");
    case BencodeError::StringPastEnd:
        return QStringLiteral("string length runs past the end of data");
    case BencodeError::NonStringKey:
        return QStringLiteral("dictionary key is not a string");
    case BencodeError::UnsortedKeys:
        return QStringLiteral("dictionary keys are not sorted");
    case BencodeError::DuplicateKey:
        return QStringLiteral("duplicate dictionary key");
    case BencodeError::TrailingData:
        return QStringLiteral("trailing data after the value");
    case BencodeError::TooDeep:
        return QStringLiteral("nesting too deep");
    case BencodeError::TooManyTokens:
        return QStringLiteral("too many values");
    }
    return QStringLiteral("unknown error");
}

QString BencodeDecodeResult::errorString() const {
    return QStringLiteral("%1 (byte %2)").arg(bencodeErrorDescription(error)).arg(errorOffset);
}

BencodeDecodeResult bencodeDecode(const QByteArray& input, const BencodeLimits& limits) {
    return Decoder(input, limits).run(nullptr, true);
}

BencodeDecodeResult bencodeDecodePrefix(const QByteArray& input, qsizetype* consumed,
                                        const BencodeLimits& limits) {
    return Decoder(input, limits).run(consumed, false);
}

QByteArray bencodeEncode(const BencodeValue& value) {
    QByteArray out;
    encodeInto(value, out);
    return out;
}

} // namespace swarmscope
