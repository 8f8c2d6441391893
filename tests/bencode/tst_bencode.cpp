#include "bencode/Bencode.h"

#include <QTest>

using namespace swarmscope;

class TestBencode : public QObject {
    Q_OBJECT
private slots:
    void decodesSimple() {
        auto r = bencodeDecode("d3:cow3:moo4:spami42ee");
        QVERIFY(r.ok());
        QCOMPARE(r.value->find("cow")->toByteArray(), QByteArray("moo"));
    }
};

QTEST_GUILESS_MAIN(TestBencode)
#include "tst_bencode.moc"
