#pragma once

// Internal to the scenario parser and writer, the only code that sees toml++.

#include <QString>
#include <QStringList>

#include <toml++/toml.h>

#include <functional>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace swarmscope {

// The first problem found in a scenario; the parser turns it into a ScenarioParseResult.
struct ScenarioProblem {
    QString what;
    int line = 0; // 0: no line
    QString keyPath;
};

// "leechers" stays as it is; a key that is not bare TOML is quoted: groups."my group".
QString tomlKeyText(std::string_view key);

// "a string", "an integer", "a table", ...
QString tomlTypeName(const toml::node& node);

// Reads the fields of one TOML table: each getter returns nothing when the key is absent and throws a
// ScenarioProblem, located at the key, when the value has the wrong type, unit or range.
class TomlTableReader {
public:
    TomlTableReader(const toml::table& table, QString path, int line);

    const toml::table& table() const { return *m_table; }
    const QString& path() const { return m_path; }
    int line() const { return m_line; }
    QString pathOf(std::string_view key) const;
    int lineOf(std::string_view key) const; // the key's line, or the table's when the key is absent
    bool has(std::string_view key) const { return m_table->contains(key); }

    // The table's entries sorted by where they appear in the file (toml++ keeps them sorted by name).
    std::vector<std::pair<const toml::key*, const toml::node*>> entriesInFileOrder() const;

    [[noreturn]] void fail(std::string_view key, const QString& what) const;
    [[noreturn]] void failHere(const QString& what) const;

    // Throws for the first key, in file order, that is not in allowed. notHere, when given, explains a key
    // that is valid elsewhere ("'picker' does not apply to do = \"kill\""); otherwise the message suggests
    // the nearest allowed key.
    void checkKeys(const std::vector<std::string_view>& allowed,
                   const std::function<QString(std::string_view key)>& notHere = {}) const;
    void require(std::string_view key) const; // "required key 'role' is missing"

    std::optional<QString> string(std::string_view key) const;
    std::optional<qint64> integer(std::string_view key) const;
    std::optional<bool> boolean(std::string_view key) const;
    std::optional<double> number(std::string_view key) const;   // an integer or a float, finite
    std::optional<qint64> size(std::string_view key) const;     // bytes: 1048576 or "1MiB"
    std::optional<qint64> rate(std::string_view key) const;     // bytes per second: 0, 1048576 or "1MiB/s"
    std::optional<qint64> duration(std::string_view key) const; // ms: "250ms", "30s", "2min", or 0
    std::optional<double> fraction(std::string_view key) const; // 0.9 or "90%", from 0 to 1
    // The index in names of the string's value; "mode must be real or simulated, not 'fast'".
    std::optional<int> choice(std::string_view key, const QStringList& names) const;
    std::optional<TomlTableReader> subtable(std::string_view key) const;
    const toml::array* array(std::string_view key) const;

private:
    const toml::node* node(std::string_view key) const { return m_table->get(key); }
    [[noreturn]] void wrongType(std::string_view key, const QString& expected) const;

    const toml::table* m_table;
    QString m_path;
    int m_line;
};

[[noreturn]] void failAt(int line, const QString& keyPath, const QString& what);

// Lists for messages: "real or simulated", "a, b or c"; with and: "a, b and c".
QString alternatives(const QStringList& names, const QString& conjunction = QStringLiteral("or"));

// The name in candidates nearest to text, when it is close enough to be a likely typo; empty otherwise.
QString nearestName(const QString& text, const QStringList& candidates);

} // namespace swarmscope
