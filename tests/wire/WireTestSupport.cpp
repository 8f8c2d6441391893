#include "WireTestSupport.h"

#include <QTest>
#include <QtEndian>

namespace swarmscope {

char* toString(const WireMessage& m) {
    const QByteArray text =
        "WireMessage(type " + QByteArray::number(int(m.type)) + " id " + QByteArray::number(m.id) +
        " index " + QByteArray::number(m.index) + " begin " + QByteArray::number(m.begin) + " length " +
        QByteArray::number(m.length) + " port " + QByteArray::number(m.port) + " payload " +
        QByteArray::number(m.payload.size()) + " bytes " + m.payload.left(16).toHex() + ")";
    return qstrdup(text.constData());
}

char* toString(WireError error) {
    return qstrdup(wireErrorDescription(error).toUtf8().constData());
}

namespace wiretest {

FramedStream frameWithCuts(const QByteArray& stream, const QList<qsizetype>& cuts,
                           const MessageFramer& framer) {
    MessageFramer reader = framer;
    FramedStream out;
    qsizetype start = 0;
    QList<qsizetype> ends = cuts;
    ends.append(stream.size());
    for (qsizetype end : ends) {
        QByteArrayView slice = QByteArrayView(stream).sliced(start, end - start);
        qsizetype offset = start;
        while (!slice.isEmpty()) {
            MessageFramer::Step step = reader.feed(slice);
            offset += step.consumed;
            slice = slice.sliced(step.consumed);
            if (step.hasMessage())
                out.messages.append(std::move(step.message));
            if (step.isError()) {
                out.error = reader.error();
                out.errorString = reader.errorString();
                out.consumedAtError = offset;
                return out;
            }
        }
        start = end;
    }
    return out;
}

FramedStream frameInSlices(const QByteArray& stream, qsizetype size, const MessageFramer& framer) {
    QList<qsizetype> cuts;
    if (size > 0)
        for (qsizetype at = size; at < stream.size(); at += size)
            cuts.append(at);
    return frameWithCuts(stream, cuts, framer);
}

QByteArray be32(quint32 value) {
    QByteArray out(4, Qt::Uninitialized);
    qToBigEndian(value, out.data());
    return out;
}

} // namespace wiretest

} // namespace swarmscope
