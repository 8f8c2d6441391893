#include "TorrentBuilder.h"

#include "metainfo/Metainfo.h"
#include "metainfo/PathSanitizer.h"

#include <QDir>
#include <QTest>

#include <random>

using namespace swarmscope;
using namespace swarmscope::testtorrents;

namespace {

// Checks the promise of docs/PATHS.md: joined under any directory, the path stays inside it, and nothing
// about it depends on which platform later interprets it.
bool staysInside(const QString& path, QString* why) {
    auto no = [why](const QString& reason) {
        *why = reason;
        return false;
    };
    if (path.isEmpty())
        return no(QStringLiteral("empty path"));
    if (path.startsWith(u'/') || QDir::isAbsolutePath(path))
        return no(QStringLiteral("absolute"));
    if (path.contains(u'\\'))
        return no(QStringLiteral("backslash"));
    for (const QString& component : path.split(u'/')) {
        if (component.isEmpty() || component == QStringLiteral(".") || component == QStringLiteral(".."))
            return no(QStringLiteral("component '%1'").arg(component));
        if (std::all_of(component.cbegin(), component.cend(), [](QChar c) { return c == u'.' || c == u' '; }))
            return no(QStringLiteral("only dots and spaces"));
        if (component.size() >= 2 && component.at(1) == u':' && component.at(0).isLetter() &&
            component.at(0).unicode() < 0x80)
            return no(QStringLiteral("drive letter"));
        if (component.startsWith(u':'))
            return no(QStringLiteral("resource path"));
        if (component.toUtf8().size() > PathSanitizer::maxComponentBytes)
            return no(QStringLiteral("component longer than 255 bytes"));
        for (const QChar c : component)
            if (c.unicode() < 0x20 || c.unicode() == 0x7f)
                return no(QStringLiteral("control character"));
    }
    for (const QString& base : {QStringLiteral("/srv/downloads"), QStringLiteral("/tmp/a b/c"),
                                QStringLiteral("relative/dir"), QStringLiteral("/")}) {
        const QString root = QDir::cleanPath(base);
        const QString joined = QDir::cleanPath(base + u'/' + path);
        const QString prefix = root.endsWith(u'/') ? root : root + u'/';
        if (!joined.startsWith(prefix) || joined.size() <= prefix.size())
            return no(QStringLiteral("leaves %1 as %2").arg(base, joined));
    }
    return true;
}

QList<QByteArray> hostileComponents() {
    QList<QByteArray> out{
        "..",
        ".",
        "",
        "../../etc/passwd",
        "/etc/passwd",
        "/",
        "\\",
        "C:\\x",
        "C:",
        "c:foo",
        ":",
        ":/x",
        "a\\..\\..\\b",
        "..\\",
        "../",
        "\\\\server\\share",
        "//server/share",
        "~",
        "~root",
        "$HOME",
        ". .",
        ".. ",
        " ..",
        "...",
        " ",
        "\xc0\xae\xc0\xae", // overlong "..": invalid UTF-8
        "\xc0\xaf",         // overlong "/"
        "\xe2\x80\xae"
        "exe.txt",      // right-to-left override
        "\xef\xbc\x8f", // fullwidth solidus
        "\xff\xfe",
        "\xed\xa0\x80", // an encoded surrogate
        "CON",
        "a:b",
        "\x1b[31mred",
        "tab\there",
        "new\nline",
        "\x7f",
        "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e",
        "\xf0\x9f\x8e\x89",
        QByteArray(300, 'a'),
        QByteArray(300, '.'),
        QByteArray(100, '\xe6') + QByteArray(200, '\x97'),
        QByteArray("a\0b", 3),
        QByteArray("\0", 1),
    };
    return out;
}

} // namespace

class TestPathSanitizer : public QObject {
    Q_OBJECT
private slots:
    void component_isSanitised_data();
    void component_isSanitised();
    void component_isRejected_data();
    void component_isRejected();
    void longComponent_isShortenedToAWholeCharacter();
    void torrentPaths_data();
    void torrentPaths();
    void hostileComponents_stayInside();
    void hostilePathLists_stayInside();
    void randomTorrents_stayInside();
};

void TestPathSanitizer::component_isSanitised_data() {
    QTest::addColumn<QByteArray>("raw");
    QTest::addColumn<QString>("expected");
    const auto s = [](const char* text) { return QString::fromUtf8(text); };
    QTest::newRow("plain") << QByteArray("file.txt") << s("file.txt");
    QTest::newRow("spaces kept") << QByteArray("My File (1).txt") << s("My File (1).txt");
    QTest::newRow("hidden file") << QByteArray(".hidden") << s(".hidden");
    QTest::newRow("dots inside") << QByteArray("a..b") << s("a..b");
    QTest::newRow("leading dots") << QByteArray("..a") << s("..a");
    QTest::newRow("traversal as one component") << QByteArray("../../etc/passwd") << s(".._.._etc_passwd");
    QTest::newRow("absolute as one component") << QByteArray("/etc/passwd") << s("_etc_passwd");
    QTest::newRow("windows drive") << QByteArray("C:\\x") << s("C__x");
    QTest::newRow("drive-relative") << QByteArray("c:foo") << s("c_foo");
    QTest::newRow("colon elsewhere") << QByteArray("Title: Part 1") << s("Title: Part 1");
    QTest::newRow("digit colon") << QByteArray("1:x") << s("1:x");
    QTest::newRow("leading colon") << QByteArray(":x") << s("_x");
    QTest::newRow("colon alone") << QByteArray(":") << s("_");
    QTest::newRow("backslash traversal") << QByteArray("a\\..\\..\\b") << s("a_.._.._b");
    QTest::newRow("unc") << QByteArray("\\\\server\\share") << s("__server_share");
    QTest::newRow("control characters") << QByteArray("a\x01"
                                                      "b\tc\nd\x1f"
                                                      "e\x7f")
                                        << s("a_b_c_d_e_");
    QTest::newRow("escape sequence") << QByteArray("\x1b[31m") << s("_[31m");
    QTest::newRow("three dots") << QByteArray("...") << s("___");
    QTest::newRow("dot space dot") << QByteArray(". .") << s("___");
    QTest::newRow("dot-dot space") << QByteArray(".. ") << s("___");
    QTest::newRow("single space") << QByteArray(" ") << s("_");
    QTest::newRow("invalid UTF-8") << QByteArray("a\xff"
                                                 "b")
                                   << s("a\xef\xbf\xbd"
                                        "b");
    QTest::newRow("unicode") << QByteArray("\xc3\x9c"
                                           "bung \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x8e\x89.txt")
                             << s("\xc3\x9c"
                                  "bung \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x8e\x89.txt");
    QTest::newRow("255 bytes unchanged") << QByteArray(255, 'x') << QString(255, u'x');
    QTest::newRow("long keeps extension") << QByteArray(300, 'a') + ".txt" << QString(251, u'a') + s(".txt");
    QTest::newRow("long two-byte characters")
        << QByteArray("\xc3\xa9").repeated(200) + ".mkv" << QString(125, QChar(0xe9)) + s(".mkv");
    QTest::newRow("long extension is not kept")
        << QByteArray(300, 'a') + "." + QByteArray(40, 'b') << QString(255, u'a');
    QTest::newRow("long dots") << QByteArray(300, '.') << QString(255, u'_');
}

void TestPathSanitizer::component_isSanitised() {
    QFETCH(QByteArray, raw);
    QFETCH(QString, expected);
    QString why;
    const std::optional<QString> result = PathSanitizer::sanitizeComponent(raw, &why);
    QVERIFY2(result, qPrintable(why));
    QCOMPARE(*result, expected);
}

void TestPathSanitizer::component_isRejected_data() {
    QTest::addColumn<QByteArray>("raw");
    QTest::addColumn<QString>("reason");
    QTest::newRow("empty") << QByteArray() << QStringLiteral("must not be empty");
    QTest::newRow("dot") << QByteArray(".") << QStringLiteral("must not be '.'");
    QTest::newRow("dot-dot") << QByteArray("..") << QStringLiteral("must not be '..'");
    QTest::newRow("NUL inside") << QByteArray("a\0b", 3) << QStringLiteral("must not contain a NUL byte");
    QTest::newRow("NUL alone") << QByteArray(1, '\0') << QStringLiteral("must not contain a NUL byte");
    QTest::newRow("NUL after dots") << QByteArray("..\0", 3) << QStringLiteral("must not contain a NUL byte");
}

void TestPathSanitizer::component_isRejected() {
    QFETCH(QByteArray, raw);
    QFETCH(QString, reason);
    QString why;
    QVERIFY(!PathSanitizer::sanitizeComponent(raw, &why));
    QCOMPARE(why, reason);
}

void TestPathSanitizer::longComponent_isShortenedToAWholeCharacter() {
    // 70 four-byte characters (surrogate pairs in UTF-16): 63 of them fill 252 bytes, a 64th would not fit.
    const QByteArray emoji("\xf0\x9f\x8e\x89");
    const std::optional<QString> result = PathSanitizer::sanitizeComponent(emoji.repeated(70), nullptr);
    QVERIFY(result);
    QCOMPARE(result->toUtf8(), emoji.repeated(63));
    QVERIFY(!result->back().isHighSurrogate());
}

void TestPathSanitizer::torrentPaths_data() {
    // Whole torrents: the name plus path lists. expected holds the paths, or the error message.
    QTest::addColumn<QByteArray>("name");
    QTest::addColumn<QList<QByteArrayList>>("paths");
    QTest::addColumn<QByteArrayList>("attrs");
    QTest::addColumn<QStringList>("expected");
    QTest::addColumn<QString>("error");
    const auto s = [](const char* text) { return QString::fromUtf8(text); };
    const QByteArrayList none;
    QTest::newRow("nested") << QByteArray("root")
                            << QList<QByteArrayList>{{"a", "b.txt"}, {"a", "c.txt"}, {"d"}} << none
                            << QStringList{s("root/a/b.txt"), s("root/a/c.txt"), s("root/d")} << QString();
    QTest::newRow("hostile one-component paths")
        << QByteArray("root")
        << QList<QByteArrayList>{{"../../etc/passwd"}, {"/etc/passwd"}, {"C:\\x"}, {"a\\..\\..\\b"}} << none
        << QStringList{s("root/.._.._etc_passwd"), s("root/_etc_passwd"), s("root/C__x"), s("root/a_.._.._b")}
        << QString();
    QTest::newRow("hostile name") << QByteArray("../../x") << QList<QByteArrayList>{{"f"}} << none
                                  << QStringList{s(".._.._x/f")} << QString();
    QTest::newRow("dot-dot components")
        << QByteArray("root") << QList<QByteArrayList>{{"ok"}, {"..", "..", "etc"}} << none << QStringList()
        << s("path component 0 must not be '..' (info.files[1].path)");
    QTest::newRow("dot component") << QByteArray("root") << QList<QByteArrayList>{{"a", ".", "b"}} << none
                                   << QStringList()
                                   << s("path component 1 must not be '.' (info.files[0].path)");
    QTest::newRow("empty component") << QByteArray("root") << QList<QByteArrayList>{{"a", "", "b"}} << none
                                     << QStringList()
                                     << s("path component 1 must not be empty (info.files[0].path)");
    QTest::newRow("NUL component") << QByteArray("root") << QList<QByteArrayList>{{QByteArray("a\0.txt", 6)}}
                                   << none << QStringList()
                                   << s("path component 0 must not contain a NUL byte (info.files[0].path)");
    QTest::newRow("empty path list") << QByteArray("root") << QList<QByteArrayList>{{"a"}, {}} << none
                                     << QStringList()
                                     << s("path list must not be empty (info.files[1].path)");
    QTest::newRow("same path twice") << QByteArray("root")
                                     << QList<QByteArrayList>{{"a", "b"}, {"c"}, {"a", "b"}} << none
                                     << QStringList()
                                     << s("path 'root/a/b' is also the path of file 0 (info.files[2].path)");
    // Placeholders in a hostile path must not be filled in by the message's own arguments.
    QTest::newRow("same path with placeholders")
        << QByteArray("root") << QList<QByteArrayList>{{"%1%2"}, {"%1%2"}} << none << QStringList()
        << s("path 'root/%1%2' is also the path of file 0 (info.files[1].path)");
    QTest::newRow("same path after sanitising")
        << QByteArray("root") << QList<QByteArrayList>{{"a/b"}, {"a_b"}} << none << QStringList()
        << s("path 'root/a_b' is also the path of file 0 (info.files[1].path)");
    QTest::newRow("file then directory")
        << QByteArray("root") << QList<QByteArrayList>{{"a"}, {"a", "b"}} << none << QStringList()
        << s("directory 'root/a' on this path is the path of file 0 (info.files[1].path)");
    QTest::newRow("directory then file")
        << QByteArray("root") << QList<QByteArrayList>{{"a", "b", "c"}, {"a", "b"}} << none << QStringList()
        << s("path 'root/a/b' is also a directory on the path of file 0 "
             "(info.files[1].path)");
    QTest::newRow("padding files may share a path")
        << QByteArray("root") << QList<QByteArrayList>{{"a"}, {".pad", "3"}, {"b"}, {".pad", "3"}}
        << QByteArrayList{"", "p", "", "p"}
        << QStringList{s("root/a"), s("root/.pad/3"), s("root/b"), s("root/.pad/3")} << QString();
    QTest::newRow("padding files still may not escape")
        << QByteArray("root") << QList<QByteArrayList>{{"a"}, {"..", "3"}} << QByteArrayList{"", "p"}
        << QStringList() << s("path component 0 must not be '..' (info.files[1].path)");
}

void TestPathSanitizer::torrentPaths() {
    QFETCH(QByteArray, name);
    QFETCH(QList<QByteArrayList>, paths);
    QFETCH(QByteArrayList, attrs);
    QFETCH(QStringList, expected);
    QFETCH(QString, error);
    QList<FileSpec> files;
    for (qsizetype i = 0; i < paths.size(); ++i)
        files.append({paths.at(i), 3, attrs.isEmpty() ? QByteArray() : attrs.at(i)});
    const MetainfoParseResult result = parseMetainfo(torrentWith(multiFileInfo(files, name)));
    if (!error.isEmpty()) {
        QVERIFY(!result.ok());
        QCOMPARE(result.error, MetainfoError::BadPath);
        QCOMPARE(result.message, error);
        return;
    }
    QVERIFY2(result.ok(), qPrintable(result.message));
    QStringList actual;
    for (const TorrentFile& file : result.metainfo->files) {
        actual.append(file.path);
        QString why;
        QVERIFY2(staysInside(file.path, &why), qPrintable(file.path + QStringLiteral(": ") + why));
    }
    QCOMPARE(actual, expected);
}

void TestPathSanitizer::hostileComponents_stayInside() {
    int accepted = 0;
    for (const QByteArray& raw : hostileComponents()) {
        QString why;
        const std::optional<QString> component = PathSanitizer::sanitizeComponent(raw, &why);
        if (!component) {
            QVERIFY(!why.isEmpty());
            continue;
        }
        ++accepted;
        QVERIFY2(staysInside(*component, &why), qPrintable(*component + QStringLiteral(": ") + why));
        QVERIFY2(staysInside(QStringLiteral("name/") + *component, &why), qPrintable(why));
    }
    QVERIFY(accepted > 30);
}

void TestPathSanitizer::hostilePathLists_stayInside() {
    // Every ordered pair and triple of hostile components, as one file's path list.
    const QList<QByteArray> hostile = hostileComponents();
    int accepted = 0;
    for (const QByteArray& a : hostile) {
        for (const QByteArray& b : hostile) {
            for (const QByteArray& c : {QByteArray("f"), QByteArray(".."), QByteArray("C:\\x")}) {
                PathSanitizer sanitizer(QStringLiteral("root"));
                QString why;
                const std::optional<QString> path = sanitizer.addFile(0, {a, b, c}, false, &why);
                if (!path) {
                    QVERIFY(!why.isEmpty());
                    continue;
                }
                ++accepted;
                QVERIFY2(staysInside(*path, &why), qPrintable(*path + QStringLiteral(": ") + why));
            }
        }
    }
    QVERIFY(accepted > 1000);
}

void TestPathSanitizer::randomTorrents_stayInside() {
    // Random bytes drawn mostly from the characters that matter to paths, through the whole parser.
    const QByteArray alphabet = QByteArrayLiteral("././\\\\..:: aC\x01\x7f\xc0\xaf\xe2\x80\xae\xff\0");
    std::mt19937 rng(4242);
    auto randomComponent = [&]() {
        QByteArray out;
        const int length = int(rng() % 8) + (rng() % 50 == 0 ? 300 : 0);
        for (int i = 0; i < length; ++i)
            out += alphabet.at(qsizetype(rng() % quint32(alphabet.size())));
        return out;
    };
    int accepted = 0;
    for (int round = 0; round < 3000; ++round) {
        QList<FileSpec> files;
        const int fileCount = 1 + int(rng() % 4);
        for (int f = 0; f < fileCount; ++f) {
            QList<QByteArray> path;
            const int depth = 1 + int(rng() % 3);
            for (int d = 0; d < depth; ++d)
                path.append(randomComponent());
            files.append({path, 1});
        }
        const MetainfoParseResult result =
            parseMetainfo(torrentWith(multiFileInfo(files, randomComponent())));
        if (!result.ok()) {
            QVERIFY2(result.error == MetainfoError::BadPath || result.error == MetainfoError::BadName,
                     qPrintable(result.message));
            continue;
        }
        ++accepted;
        for (const TorrentFile& file : result.metainfo->files) {
            QString why;
            QVERIFY2(staysInside(file.path, &why), qPrintable(file.path + QStringLiteral(": ") + why));
            QVERIFY(file.path.startsWith(result.metainfo->name + u'/'));
        }
    }
    QVERIFY(accepted > 100);
}

QTEST_GUILESS_MAIN(TestPathSanitizer)
#include "tst_pathsanitizer.moc"
