#include "scenario/TomlTableReader.h"

#include "scenario/Units.h"

#include <QLocale>

#include <algorithm>
#include <cmath>

namespace swarmscope {

namespace {

QString fromStd(std::string_view text) {
    return QString::fromUtf8(text.data(), qsizetype(text.size()));
}

QString formatNumber(double value) {
    return QString::number(value, 'g', QLocale::FloatingPointShortest);
}

// Edits between two words, where swapping two neighbours counts as one (the commonest typo: "sede").
int editDistance(const QString& a, const QString& b) {
    QList<QList<int>> d(a.size() + 1, QList<int>(b.size() + 1));
    for (qsizetype i = 0; i <= a.size(); ++i)
        d[i][0] = int(i);
    for (qsizetype j = 0; j <= b.size(); ++j)
        d[0][j] = int(j);
    for (qsizetype i = 1; i <= a.size(); ++i) {
        for (qsizetype j = 1; j <= b.size(); ++j) {
            const int substitute = d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, substitute});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return d[a.size()][b.size()];
}

} // namespace

QString tomlKeyText(std::string_view key) {
    const bool bare = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
               c == '_';
    });
    if (bare)
        return fromStd(key);
    QString quoted = fromStd(key);
    quoted.replace(u'\\', QStringLiteral("\\\\")).replace(u'"', QStringLiteral("\\\""));
    return u'"' + quoted + u'"';
}

QString tomlTypeName(const toml::node& node) {
    switch (node.type()) {
    case toml::node_type::table:
        return QStringLiteral("a table");
    case toml::node_type::array:
        return QStringLiteral("an array");
    case toml::node_type::string:
        return QStringLiteral("a string");
    case toml::node_type::integer:
        return QStringLiteral("an integer");
    case toml::node_type::floating_point:
        return QStringLiteral("a float");
    case toml::node_type::boolean:
        return QStringLiteral("a boolean");
    case toml::node_type::date:
        return QStringLiteral("a date");
    case toml::node_type::time:
        return QStringLiteral("a time");
    case toml::node_type::date_time:
        return QStringLiteral("a date-time");
    case toml::node_type::none:
        break;
    }
    return QStringLiteral("nothing");
}

void failAt(int line, const QString& keyPath, const QString& what) {
    throw ScenarioProblem{what, line, keyPath};
}

QString alternatives(const QStringList& names, const QString& conjunction) {
    if (names.size() <= 1)
        return names.value(0);
    return names.mid(0, names.size() - 1).join(QStringLiteral(", ")) + u' ' + conjunction + u' ' +
           names.last();
}

QString nearestName(const QString& text, const QStringList& candidates) {
    QString best;
    int bestDistance = 0;
    for (const QString& candidate : candidates) {
        const int distance = candidate.compare(text, Qt::CaseInsensitive) == 0
                                 ? 0
                                 : editDistance(text.toLower(), candidate.toLower());
        if (best.isEmpty() || distance < bestDistance) {
            best = candidate;
            bestDistance = distance;
        }
    }
    const int allowed = std::max<int>(2, int(text.size() / 3));
    if (best.isEmpty() || bestDistance > allowed || bestDistance >= text.size())
        return {};
    return best;
}

TomlTableReader::TomlTableReader(const toml::table& table, QString path, int line)
    : m_table(&table), m_path(std::move(path)), m_line(line) {}

QString TomlTableReader::pathOf(std::string_view key) const {
    return m_path.isEmpty() ? tomlKeyText(key) : m_path + u'.' + tomlKeyText(key);
}

int TomlTableReader::lineOf(std::string_view key) const {
    const auto it = m_table->find(key);
    if (it == m_table->end())
        return m_line;
    const int keyLine = int(it->first.source().begin.line);
    return keyLine > 0 ? keyLine : int(it->second.source().begin.line);
}

std::vector<std::pair<const toml::key*, const toml::node*>> TomlTableReader::entriesInFileOrder() const {
    std::vector<std::pair<const toml::key*, const toml::node*>> entries;
    entries.reserve(m_table->size());
    for (const auto& [key, value] : *m_table)
        entries.emplace_back(&key, &value);
    std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
        const toml::source_position pa = a.first->source().begin;
        const toml::source_position pb = b.first->source().begin;
        return pa.line != pb.line ? pa.line < pb.line : pa.column < pb.column;
    });
    return entries;
}

void TomlTableReader::fail(std::string_view key, const QString& what) const {
    failAt(lineOf(key), pathOf(key), what);
}

void TomlTableReader::failHere(const QString& what) const {
    failAt(m_line, m_path, what);
}

void TomlTableReader::checkKeys(const std::vector<std::string_view>& allowed,
                                const std::function<QString(std::string_view)>& notHere) const {
    for (const auto& [key, value] : entriesInFileOrder()) {
        const std::string_view name = key->str();
        if (std::find(allowed.begin(), allowed.end(), name) != allowed.end())
            continue;
        if (notHere) {
            const QString why = notHere(name);
            if (!why.isEmpty())
                fail(name, why);
        }
        QStringList names;
        for (std::string_view a : allowed)
            names << fromStd(a);
        const QString text = fromStd(name);
        const QString suggestion = nearestName(text, names);
        fail(name, suggestion.isEmpty()
                       ? QStringLiteral("unknown key '%1'").arg(text)
                       : QStringLiteral("unknown key '%1'; did you mean '%2'?").arg(text, suggestion));
    }
}

void TomlTableReader::require(std::string_view key) const {
    if (!has(key))
        failAt(m_line, pathOf(key), QStringLiteral("required key '%1' is missing").arg(fromStd(key)));
}

void TomlTableReader::wrongType(std::string_view key, const QString& expected) const {
    fail(key, QStringLiteral("expected %1, found %2").arg(expected, tomlTypeName(*node(key))));
}

std::optional<QString> TomlTableReader::string(std::string_view key) const {
    const toml::node* n = node(key);
    if (!n)
        return std::nullopt;
    if (const auto* s = n->as_string())
        return fromStd(s->get());
    wrongType(key, QStringLiteral("a string"));
}

std::optional<qint64> TomlTableReader::integer(std::string_view key) const {
    const toml::node* n = node(key);
    if (!n)
        return std::nullopt;
    if (const auto* i = n->as_integer())
        return qint64(i->get());
    wrongType(key, QStringLiteral("an integer"));
}

std::optional<bool> TomlTableReader::boolean(std::string_view key) const {
    const toml::node* n = node(key);
    if (!n)
        return std::nullopt;
    if (const auto* b = n->as_boolean())
        return b->get();
    wrongType(key, QStringLiteral("true or false"));
}

std::optional<double> TomlTableReader::number(std::string_view key) const {
    const toml::node* n = node(key);
    if (!n)
        return std::nullopt;
    if (const auto* i = n->as_integer())
        return double(i->get());
    if (const auto* f = n->as_floating_point()) {
        if (!std::isfinite(f->get()))
            fail(key, QStringLiteral("expected a finite number, found %1").arg(formatNumber(f->get())));
        return f->get();
    }
    wrongType(key, QStringLiteral("a number"));
}

std::optional<qint64> TomlTableReader::size(std::string_view key) const {
    const toml::node* n = node(key);
    if (!n)
        return std::nullopt;
    if (const auto* i = n->as_integer()) {
        if (i->get() < 0)
            fail(key, QStringLiteral("a size must not be negative, not %1").arg(i->get()));
        return qint64(i->get());
    }
    if (const auto* s = n->as_string()) {
        const QString text = fromStd(s->get());
        if (const std::optional<qint64> bytes = parseSize(text))
            return bytes;
        fail(key, QStringLiteral("'%1' is not a size such as \"256KiB\" or \"16MiB\"").arg(text));
    }
    wrongType(key, QStringLiteral("a size such as \"16MiB\""));
}

std::optional<qint64> TomlTableReader::rate(std::string_view key) const {
    const toml::node* n = node(key);
    if (!n)
        return std::nullopt;
    if (const auto* i = n->as_integer()) {
        if (i->get() < 0)
            fail(key, QStringLiteral("a rate must not be negative, not %1").arg(i->get()));
        return qint64(i->get());
    }
    if (const auto* s = n->as_string()) {
        const QString text = fromStd(s->get());
        if (const std::optional<qint64> bytes = parseRate(text))
            return bytes;
        fail(key, QStringLiteral("'%1' is not a rate such as \"1MiB/s\" (0: unlimited)").arg(text));
    }
    wrongType(key, QStringLiteral("a rate such as \"1MiB/s\""));
}

std::optional<qint64> TomlTableReader::duration(std::string_view key) const {
    const toml::node* n = node(key);
    if (!n)
        return std::nullopt;
    if (const auto* i = n->as_integer()) {
        if (i->get() == 0)
            return 0;
        // A bare number could mean seconds or milliseconds; make the reader's intent explicit.
        fail(key, QStringLiteral("a duration needs a unit: write \"%1ms\" or \"%1s\", not %1").arg(i->get()));
    }
    if (const auto* s = n->as_string()) {
        const QString text = fromStd(s->get());
        if (const std::optional<qint64> ms = parseDuration(text))
            return ms;
        fail(key, QStringLiteral("'%1' is not a duration such as \"250ms\", \"30s\" or \"2min\"").arg(text));
    }
    wrongType(key, QStringLiteral("a duration such as \"30s\""));
}

std::optional<double> TomlTableReader::fraction(std::string_view key) const {
    const toml::node* n = node(key);
    if (!n)
        return std::nullopt;
    std::optional<double> value;
    if (const auto* s = n->as_string()) {
        const QString text = fromStd(s->get());
        value = parsePercentage(text);
        if (!value)
            fail(key, QStringLiteral("'%1' is not a percentage such as \"90%\"").arg(text));
    } else if (n->is_number()) {
        value = number(key);
    } else {
        wrongType(key, QStringLiteral("a fraction such as 0.9 or \"90%\""));
    }
    if (!(*value >= 0.0 && *value <= 1.0))
        fail(key, QStringLiteral("%1 must be a fraction from 0 to 1 (or \"0%\" to \"100%\"), not %2")
                      .arg(fromStd(key), formatNumber(*value)));
    return value;
}

std::optional<int> TomlTableReader::choice(std::string_view key, const QStringList& names) const {
    const std::optional<QString> text = string(key);
    if (!text)
        return std::nullopt;
    const qsizetype index = names.indexOf(*text);
    if (index < 0)
        fail(key, QStringLiteral("%1 must be %2, not '%3'").arg(fromStd(key), alternatives(names), *text));
    return int(index);
}

std::optional<TomlTableReader> TomlTableReader::subtable(std::string_view key) const {
    const toml::node* n = node(key);
    if (!n)
        return std::nullopt;
    if (const auto* t = n->as_table())
        return TomlTableReader(*t, pathOf(key), lineOf(key));
    wrongType(key, QStringLiteral("a table"));
}

const toml::array* TomlTableReader::array(std::string_view key) const {
    const toml::node* n = node(key);
    if (!n)
        return nullptr;
    if (const auto* a = n->as_array())
        return a;
    wrongType(key, QStringLiteral("an array"));
}

} // namespace swarmscope
