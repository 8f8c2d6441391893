#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>

namespace swarmscope {

// One bencoded value. Decoded values remember the byte span they came from, so callers can hash the exact
// bytes of a sub-value (the info dictionary) instead of a re-encoding of it.
class BencodeValue {
public:
    enum class Type { Integer, String, List, Dictionary };
    using List = QList<BencodeValue>;
    // std::map orders keys by raw bytes, which is the order bencode requires.
    using Dictionary = std::map<QByteArray, BencodeValue>;

    BencodeValue() : BencodeValue(qint64(0)) {}
    BencodeValue(qint64 integer) : m_type(Type::Integer), m_integer(integer) {}
    BencodeValue(int integer) : BencodeValue(qint64(integer)) {}
    BencodeValue(const QByteArray& string) : m_type(Type::String), m_string(string) {}
    BencodeValue(const char* string) : BencodeValue(QByteArray(string)) {}
    BencodeValue(const List& list) : m_type(Type::List), m_list(std::make_shared<List>(list)) {}
    BencodeValue(const Dictionary& dict)
        : m_type(Type::Dictionary), m_dict(std::make_shared<Dictionary>(dict)) {}

    static BencodeValue list() { return BencodeValue(List{}); }
    static BencodeValue dictionary() { return BencodeValue(Dictionary{}); }

    Type type() const { return m_type; }
    bool isInteger() const { return m_type == Type::Integer; }
    bool isString() const { return m_type == Type::String; }
    bool isList() const { return m_type == Type::List; }
    bool isDictionary() const { return m_type == Type::Dictionary; }

    qint64 toInteger() const { return m_integer; }
    const QByteArray& toByteArray() const { return m_string; }
    const List& toList() const;
    const Dictionary& toDictionary() const;

    // Mutating access; detaches shared storage.
    List& listRef();
    Dictionary& dictionaryRef();

    // Dictionary lookup; nullptr when this is not a dictionary or the key is absent.
    const BencodeValue* find(const QByteArray& key) const;
    void insert(const QByteArray& key, const BencodeValue& value);
    void append(const BencodeValue& value);

    // Byte span in the decoded input, or -1 when the value was built in code.
    qsizetype rawOffset() const { return m_rawOffset; }
    qsizetype rawLength() const { return m_rawLength; }
    void setRawSpan(qsizetype offset, qsizetype length) {
        m_rawOffset = offset;
        m_rawLength = length;
    }

    bool operator==(const BencodeValue& other) const;
    bool operator!=(const BencodeValue& other) const { return !(*this == other); }

private:
    Type m_type;
    qint64 m_integer = 0;
    QByteArray m_string;
    std::shared_ptr<List> m_list;
    std::shared_ptr<Dictionary> m_dict;
    qsizetype m_rawOffset = -1;
    qsizetype m_rawLength = -1;
};

} // namespace swarmscope
