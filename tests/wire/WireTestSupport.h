#pragma once

#include "wire/MessageFramer.h"
#include "wire/WireError.h"
#include "wire/WireMessage.h"

#include <QByteArray>
#include <QList>
#include <QObject>

#include <memory>

namespace swarmscope {

// Readable QCOMPARE failures for the wire types (found through argument-dependent lookup).
char* toString(const WireMessage& message);
char* toString(WireError error);

namespace wiretest {

// What a framer made of a whole stream.
struct FramedStream {
    QList<WireMessage> messages;
    WireError error = WireError::None;
    QString errorString;
    qsizetype consumedAtError = -1; // offset in the stream where the framer stopped, when it failed
};

// Feeds stream to a fresh copy of framer in slices that end at the given cut offsets (ascending).
FramedStream frameWithCuts(const QByteArray& stream, const QList<qsizetype>& cuts,
                           const MessageFramer& framer);
// Slices of a fixed size (1, 7, ...); size 0 means the whole stream at once.
FramedStream frameInSlices(const QByteArray& stream, qsizetype size, const MessageFramer& framer);

// Four big-endian bytes.
QByteArray be32(quint32 value);

} // namespace wiretest

// The test classes of the suite, one per file; tst_main.cpp runs them all in one executable.
std::unique_ptr<QObject> createBitfieldTests();
std::unique_ptr<QObject> createHandshakeTests();
std::unique_ptr<QObject> createMessageTests();
std::unique_ptr<QObject> createFramerTests();
std::unique_ptr<QObject> createExtensionTests();
std::unique_ptr<QObject> createFastExtensionTests();
std::unique_ptr<QObject> createMetadataMessageTests();
std::unique_ptr<QObject> createPexMessageTests();

} // namespace swarmscope
