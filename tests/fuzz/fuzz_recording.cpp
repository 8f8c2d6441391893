// libFuzzer target for Recording::fromBytes, what File > Open Recording and --replay read.
//
// Beyond "no crash" and bounded memory: a refused file says why; an accepted one reads back every frame
// (it was checked whole on the way in), its moments are in time order, and written out again it reads
// back to the same bytes.

#include "FuzzCheck.h"

#include "record/Recording.h"

#include <cstddef>
#include <cstdint>

using namespace swarmscope;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const QByteArray bytes(reinterpret_cast<const char*>(data), qsizetype(size));
    const QString detail = QString::fromLatin1(bytes.left(64).toHex());
    QString error;
    std::optional<Recording> recording = Recording::fromBytes(bytes, &error);
    if (!recording) {
        FUZZ_CHECK(!error.isEmpty(), detail);
        return 0;
    }
    for (int k = 0; k < recording->frameCount(); ++k) {
        const SwarmSnapshotPtr moment = recording->snapshot(k);
        FUZZ_CHECK(moment != nullptr, detail);
        FUZZ_CHECK(moment->timeMs == recording->frameTimeMs(k), detail);
        if (k > 0)
            FUZZ_CHECK(recording->frameTimeMs(k) >= recording->frameTimeMs(k - 1), detail);
    }
    const QByteArray again = recording->toBytes();
    std::optional<Recording> back = Recording::fromBytes(again, &error);
    FUZZ_CHECK(back.has_value(), detail);
    FUZZ_CHECK(back->toBytes() == again, detail);
    return 0;
}
