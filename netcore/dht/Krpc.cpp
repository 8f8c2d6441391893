#include "dht/Krpc.h"

#include "bencode/Bencode.h"

#include <QtEndian>

namespace swarmscope {

namespace {

// A KRPC message nests at most a dictionary of a dictionary of a list of strings.
const BencodeLimits kLimits{8, 512};

const BencodeValue* findString(const BencodeValue& dict, const char* key) {
    const BencodeValue* value = dict.find(QByteArray(key));
    return value && value->isString() ? value : nullptr;
}

bool usableEndpoint(const DhtEndpoint& endpoint) {
    return endpoint.port != 0 && !endpoint.address.isNull() && endpoint.address != QHostAddress::AnyIPv4;
}

KrpcParseResult refuse(KrpcParseResult result, const QString& error, int code = krpc::kProtocolError) {
    result.message.reset();
    result.error = error;
    result.errorCode = code;
    return result;
}

std::optional<KrpcMethod> methodFromName(const QByteArray& name) {
    if (name == "ping")
        return KrpcMethod::Ping;
    if (name == "find_node")
        return KrpcMethod::FindNode;
    if (name == "get_peers")
        return KrpcMethod::GetPeers;
    if (name == "announce_peer")
        return KrpcMethod::AnnouncePeer;
    return std::nullopt;
}

QByteArray printable(const QByteArray& bytes) {
    QByteArray out;
    for (char c : bytes.left(32))
        out += (c >= 0x20 && c < 0x7f) ? c : '?';
    return out;
}

} // namespace

QByteArray krpcMethodName(KrpcMethod method) {
    switch (method) {
    case KrpcMethod::Ping:
        return "ping";
    case KrpcMethod::FindNode:
        return "find_node";
    case KrpcMethod::GetPeers:
        return "get_peers";
    case KrpcMethod::AnnouncePeer:
        return "announce_peer";
    }
    return {};
}

QByteArray encodeCompactPeer(const DhtEndpoint& peer) {
    QByteArray out(krpc::kCompactPeerSize, '\0');
    qToBigEndian(peer.address.toIPv4Address(), out.data());
    qToBigEndian(peer.port, out.data() + 4);
    return out;
}

std::optional<DhtEndpoint> decodeCompactPeer(const QByteArray& data, QString* error) {
    if (data.size() != krpc::kCompactPeerSize) {
        if (error)
            *error = QStringLiteral("compact peer info is %1 bytes, not 6").arg(data.size());
        return std::nullopt;
    }
    DhtEndpoint peer;
    peer.address = QHostAddress(qFromBigEndian<quint32>(data.constData()));
    peer.port = qFromBigEndian<quint16>(data.constData() + 4);
    if (!usableEndpoint(peer)) {
        if (error)
            *error = QStringLiteral("compact peer info names address 0 or port 0");
        return std::nullopt;
    }
    return peer;
}

QByteArray encodeCompactNodes(const QList<CompactNode>& nodes) {
    QByteArray out;
    for (const CompactNode& node : nodes.mid(0, krpc::kMaxNodes)) {
        if (node.id.size() != krpc::kIdSize)
            continue;
        out += node.id;
        out += encodeCompactPeer(node.endpoint);
    }
    return out;
}

std::optional<QList<CompactNode>> decodeCompactNodes(const QByteArray& data, QString* error) {
    if (data.size() % krpc::kCompactNodeSize != 0) {
        if (error)
            *error = QStringLiteral("\"nodes\" is %1 bytes, not a multiple of 26").arg(data.size());
        return std::nullopt;
    }
    if (data.size() / krpc::kCompactNodeSize > krpc::kMaxNodes) {
        if (error)
            *error = QStringLiteral("\"nodes\" holds %1 nodes, more than %2")
                         .arg(data.size() / krpc::kCompactNodeSize)
                         .arg(krpc::kMaxNodes);
        return std::nullopt;
    }
    QList<CompactNode> nodes;
    for (qsizetype at = 0; at < data.size(); at += krpc::kCompactNodeSize) {
        CompactNode node;
        node.id = data.mid(at, krpc::kIdSize);
        const std::optional<DhtEndpoint> endpoint =
            decodeCompactPeer(data.mid(at + krpc::kIdSize, krpc::kCompactPeerSize), nullptr);
        if (!endpoint)
            continue; // one unusable entry does not spoil the others
        node.endpoint = *endpoint;
        nodes.append(node);
    }
    return nodes;
}

KrpcParseResult parseKrpc(const QByteArray& datagram) {
    KrpcParseResult result;
    if (datagram.size() > krpc::kMaxDatagram)
        return refuse(result, QStringLiteral("datagram of %1 bytes, more than %2")
                                  .arg(datagram.size())
                                  .arg(krpc::kMaxDatagram));
    const BencodeDecodeResult decoded = bencodeDecode(datagram, kLimits);
    if (!decoded.ok())
        return refuse(result, QStringLiteral("not bencoded: %1").arg(decoded.errorString()));
    const BencodeValue& root = *decoded.value;
    if (!root.isDictionary())
        return refuse(result, QStringLiteral("the message is not a dictionary"));

    const BencodeValue* t = findString(root, "t");
    if (!t)
        return refuse(result, QStringLiteral("no transaction id \"t\" (or not a string)"));
    if (t->toByteArray().isEmpty() || t->toByteArray().size() > krpc::kMaxTransactionId)
        return refuse(result, QStringLiteral("transaction id of %1 bytes (1 to %2 allowed)")
                                  .arg(t->toByteArray().size())
                                  .arg(krpc::kMaxTransactionId));
    result.transactionId = t->toByteArray();

    const BencodeValue* y = findString(root, "y");
    if (!y)
        return refuse(result, QStringLiteral("no message type \"y\" (or not a string)"));
    KrpcMessage message;
    message.transactionId = result.transactionId;
    const QByteArray type = y->toByteArray();

    if (type == "q") {
        result.wasQuery = true;
        message.kind = KrpcKind::Query;
        const BencodeValue* q = findString(root, "q");
        if (!q)
            return refuse(result, QStringLiteral("a query without a method name \"q\""));
        const std::optional<KrpcMethod> method = methodFromName(q->toByteArray());
        if (!method)
            return refuse(result,
                          QStringLiteral("unknown query method \"%1\"")
                              .arg(QString::fromLatin1(printable(q->toByteArray()))),
                          krpc::kMethodUnknown);
        message.method = *method;
        const BencodeValue* a = root.find("a");
        if (!a || !a->isDictionary())
            return refuse(result, QStringLiteral("a query without an argument dictionary \"a\""));
        const BencodeValue* id = findString(*a, "id");
        if (!id || id->toByteArray().size() != krpc::kIdSize)
            return refuse(result, QStringLiteral("the querying node's \"id\" is missing or not 20 bytes"));
        message.id = id->toByteArray();
        switch (message.method) {
        case KrpcMethod::Ping:
            break;
        case KrpcMethod::FindNode: {
            const BencodeValue* target = findString(*a, "target");
            if (!target || target->toByteArray().size() != krpc::kIdSize)
                return refuse(result, QStringLiteral("find_node without a 20-byte \"target\""));
            message.target = target->toByteArray();
            break;
        }
        case KrpcMethod::GetPeers:
        case KrpcMethod::AnnouncePeer: {
            const BencodeValue* infoHash = findString(*a, "info_hash");
            if (!infoHash || infoHash->toByteArray().size() != krpc::kIdSize)
                return refuse(result, QStringLiteral("%1 without a 20-byte \"info_hash\"")
                                          .arg(QString::fromLatin1(krpcMethodName(message.method))));
            message.infoHash = infoHash->toByteArray();
            if (message.method == KrpcMethod::GetPeers)
                break;
            const BencodeValue* implied = a->find("implied_port");
            if (implied && (!implied->isInteger() || implied->toInteger() < 0 || implied->toInteger() > 1))
                return refuse(result, QStringLiteral("announce_peer \"implied_port\" is not 0 or 1"));
            message.impliedPort = implied && implied->toInteger() == 1;
            const BencodeValue* port = a->find("port");
            if (!message.impliedPort) {
                if (!port || !port->isInteger() || port->toInteger() < 1 || port->toInteger() > 65535)
                    return refuse(result, QStringLiteral("announce_peer without a \"port\" from 1 to 65535"));
                message.port = quint16(port->toInteger());
            }
            const BencodeValue* token = findString(*a, "token");
            if (!token || token->toByteArray().isEmpty() || token->toByteArray().size() > krpc::kMaxToken)
                return refuse(result, QStringLiteral("announce_peer without a \"token\" of 1 to %1 bytes")
                                          .arg(krpc::kMaxToken));
            message.token = token->toByteArray();
            break;
        }
        }
        result.message = message;
        return result;
    }

    if (type == "r") {
        message.kind = KrpcKind::Response;
        const BencodeValue* r = root.find("r");
        if (!r || !r->isDictionary())
            return refuse(result, QStringLiteral("a response without a dictionary \"r\""));
        const BencodeValue* id = findString(*r, "id");
        if (!id || id->toByteArray().size() != krpc::kIdSize)
            return refuse(result, QStringLiteral("the responding node's \"id\" is missing or not 20 bytes"));
        message.id = id->toByteArray();
        if (const BencodeValue* nodes = r->find("nodes")) {
            if (!nodes->isString())
                return refuse(result, QStringLiteral("\"nodes\" is not a string"));
            QString error;
            const std::optional<QList<CompactNode>> list = decodeCompactNodes(nodes->toByteArray(), &error);
            if (!list)
                return refuse(result, error);
            message.nodes = *list;
        }
        if (const BencodeValue* values = r->find("values")) {
            if (!values->isList())
                return refuse(result, QStringLiteral("\"values\" is not a list"));
            if (values->toList().size() > krpc::kMaxValues)
                return refuse(result, QStringLiteral("\"values\" holds %1 peers, more than %2")
                                          .arg(values->toList().size())
                                          .arg(krpc::kMaxValues));
            for (const BencodeValue& value : values->toList()) {
                if (!value.isString())
                    return refuse(result, QStringLiteral("a \"values\" entry is not a string"));
                QString error;
                const std::optional<DhtEndpoint> peer = decodeCompactPeer(value.toByteArray(), &error);
                if (!peer) {
                    if (value.toByteArray().size() != krpc::kCompactPeerSize)
                        return refuse(result, QStringLiteral("\"values\": %1").arg(error));
                    continue; // address 0 or port 0: skipped
                }
                message.values.append(*peer);
            }
        }
        if (const BencodeValue* token = r->find("token")) {
            if (!token->isString() || token->toByteArray().size() > krpc::kMaxToken)
                return refuse(
                    result,
                    QStringLiteral("\"token\" is not a string of at most %1 bytes").arg(krpc::kMaxToken));
            message.token = token->toByteArray();
        }
        result.message = message;
        return result;
    }

    if (type == "e") {
        message.kind = KrpcKind::Error;
        const BencodeValue* e = root.find("e");
        if (!e || !e->isList() || e->toList().size() != 2 || !e->toList().at(0).isInteger() ||
            !e->toList().at(1).isString())
            return refuse(result,
                          QStringLiteral("an error whose \"e\" is not a list of a code and a message"));
        const qint64 code = e->toList().at(0).toInteger();
        if (code < 0 || code > 999)
            return refuse(result, QStringLiteral("error code %1 is out of range").arg(code));
        message.errorCode = int(code);
        message.errorMessage = e->toList().at(1).toByteArray().left(krpc::kMaxErrorMessage);
        result.message = message;
        return result;
    }

    return refuse(result, QStringLiteral("message type \"y\" is \"%1\", not q, r or e")
                              .arg(QString::fromLatin1(printable(type))));
}

QByteArray encodeKrpc(const KrpcMessage& message) {
    BencodeValue root = BencodeValue::dictionary();
    root.insert("t", message.transactionId.left(krpc::kMaxTransactionId));
    switch (message.kind) {
    case KrpcKind::Query: {
        root.insert("y", "q");
        root.insert("q", krpcMethodName(message.method));
        BencodeValue a = BencodeValue::dictionary();
        a.insert("id", message.id);
        switch (message.method) {
        case KrpcMethod::Ping:
            break;
        case KrpcMethod::FindNode:
            a.insert("target", message.target);
            break;
        case KrpcMethod::GetPeers:
            a.insert("info_hash", message.infoHash);
            break;
        case KrpcMethod::AnnouncePeer:
            a.insert("info_hash", message.infoHash);
            a.insert("implied_port", message.impliedPort ? 1 : 0);
            a.insert("port", int(message.port));
            a.insert("token", message.token.left(krpc::kMaxToken));
            break;
        }
        root.insert("a", a);
        break;
    }
    case KrpcKind::Response: {
        root.insert("y", "r");
        BencodeValue r = BencodeValue::dictionary();
        r.insert("id", message.id);
        if (!message.nodes.isEmpty())
            r.insert("nodes", encodeCompactNodes(message.nodes));
        if (!message.values.isEmpty()) {
            BencodeValue values = BencodeValue::list();
            for (const DhtEndpoint& peer : message.values.mid(0, krpc::kMaxValues))
                values.append(encodeCompactPeer(peer));
            r.insert("values", values);
        }
        if (!message.token.isEmpty())
            r.insert("token", message.token.left(krpc::kMaxToken));
        root.insert("r", r);
        break;
    }
    case KrpcKind::Error: {
        root.insert("y", "e");
        BencodeValue e = BencodeValue::list();
        e.append(message.errorCode);
        e.append(message.errorMessage.left(krpc::kMaxErrorMessage));
        root.insert("e", e);
        break;
    }
    }
    return bencodeEncode(root);
}

QByteArray encodeKrpcError(const QByteArray& transactionId, int code, const QByteArray& message) {
    KrpcMessage error;
    error.kind = KrpcKind::Error;
    error.transactionId = transactionId;
    error.errorCode = code;
    error.errorMessage = message;
    return encodeKrpc(error);
}

} // namespace swarmscope
