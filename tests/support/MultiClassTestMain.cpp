#include "MultiClassTestMain.h"

#include <QMetaMethod>
#include <QTest>

namespace swarmscope::testsupport {

namespace {

// Options of QTest that take a value, so their value is not mistaken for a test function name.
bool takesValue(const QByteArray& option) {
    static const QList<QByteArray> options = {"-o",        "-maxwarnings",  "-eventdelay",
                                              "-keydelay", "-mousedelay",   "-iterations",
                                              "-median",   "-minimumvalue", "-minimumtotal"};
    return options.contains(option);
}

// True when the command line names no test function, or names one this class has.
bool selected(const QObject& test, int argc, char** argv) {
    bool anyNamed = false;
    for (int i = 1; i < argc; ++i) {
        const QByteArray arg = argv[i];
        if (arg.startsWith('-')) {
            i += takesValue(arg) ? 1 : 0;
            continue;
        }
        anyNamed = true;
        const qsizetype colon = arg.indexOf(':');
        const QByteArray function = colon < 0 ? arg : arg.left(colon);
        const QMetaObject* meta = test.metaObject();
        for (int m = meta->methodOffset(); m < meta->methodCount(); ++m)
            if (meta->method(m).name() == function)
                return true;
    }
    return !anyNamed;
}

} // namespace

int runTestClasses(int argc, char** argv, std::initializer_list<TestClassFactory> classes) {
    int failures = 0;
    bool ranAny = false;
    for (const TestClassFactory& create : classes) {
        const std::unique_ptr<QObject> test = create();
        if (selected(*test, argc, argv)) {
            ranAny = true;
            failures += QTest::qExec(test.get(), argc, argv);
        }
    }
    if (!ranAny) {
        qWarning("No test class has the test functions named on the command line");
        return 1;
    }
    return failures;
}

} // namespace swarmscope::testsupport
