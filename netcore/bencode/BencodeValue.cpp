#include "bencode/BencodeValue.h"

namespace swarmscope {

namespace {
const BencodeValue::List& emptyList() {
    static const BencodeValue::List empty;
    return empty;
}
const BencodeValue::Dictionary& emptyDictionary() {
    static const BencodeValue::Dictionary empty;
    return empty;
}
} // namespace

const BencodeValue::List& BencodeValue::toList() const {
    return m_type == Type::List && m_list ? *m_list : emptyList();
}

const BencodeValue::Dictionary& BencodeValue::toDictionary() const {
    return m_type == Type::Dictionary && m_dict ? *m_dict : emptyDictionary();
}

BencodeValue::List& BencodeValue::listRef() {
    Q_ASSERT(m_type == Type::List);
    if (!m_list)
        m_list = std::make_shared<List>();
    else if (m_list.use_count() > 1)
        m_list = std::make_shared<List>(*m_list);
    return *m_list;
}

BencodeValue::Dictionary& BencodeValue::dictionaryRef() {
    Q_ASSERT(m_type == Type::Dictionary);
    if (!m_dict)
        m_dict = std::make_shared<Dictionary>();
    else if (m_dict.use_count() > 1)
        m_dict = std::make_shared<Dictionary>(*m_dict);
    return *m_dict;
}

const BencodeValue* BencodeValue::find(const QByteArray& key) const {
    if (m_type != Type::Dictionary || !m_dict)
        return nullptr;
    auto it = m_dict->find(key);
    return it == m_dict->end() ? nullptr : &it->second;
}

void BencodeValue::insert(const QByteArray& key, const BencodeValue& value) {
    dictionaryRef()[key] = value;
}

void BencodeValue::append(const BencodeValue& value) {
    listRef().append(value);
}

bool BencodeValue::operator==(const BencodeValue& other) const {
    if (m_type != other.m_type)
        return false;
    switch (m_type) {
    case Type::Integer:
        return m_integer == other.m_integer;
    case Type::String:
        return m_string == other.m_string;
    case Type::List:
        return toList() == other.toList();
    case Type::Dictionary:
        return toDictionary() == other.toDictionary();
    }
    return false;
}

} // namespace swarmscope
