#pragma once

#include <QString>

#include <stdexcept>

namespace swarmscope::cli {

// Exit codes of the command line contract.
enum ExitCode : int {
    ExitOk = 0,
    ExitRuntimeFailure = 1, // the input was fine but the work failed (disk, network, bad data found)
    ExitBadInput = 2,       // the user gave something we cannot use
};

// Thrown for bad input; main() prints "swarmscope: error: <what> (<where>)" and exits with 2.
class BadInput : public std::runtime_error {
public:
    BadInput(const QString& what, const QString& where = {})
        : std::runtime_error(what.toStdString()), m_what(what), m_where(where) {}
    QString message() const {
        return m_where.isEmpty() ? m_what : m_what + QStringLiteral(" (") + m_where + u')';
    }

private:
    QString m_what;
    QString m_where;
};

// Thrown when the work itself fails; main() prints the same one-line form and exits with 1.
class RuntimeFailure : public std::runtime_error {
public:
    RuntimeFailure(const QString& what, const QString& where = {})
        : std::runtime_error(what.toStdString()), m_what(what), m_where(where) {}
    QString message() const {
        return m_where.isEmpty() ? m_what : m_what + QStringLiteral(" (") + m_where + u')';
    }

private:
    QString m_what;
    QString m_where;
};

// Prints one line "swarmscope: error: <message>" to stderr.
void printError(const QString& message);

} // namespace swarmscope::cli
