#pragma once

#include <QCommandLineParser>
#include <QString>
#include <QStringList>

namespace swarmscope::cli {

// A QCommandLineParser that reports problems as BadInput instead of exiting on its own.
class CommandLine {
public:
    CommandLine(const QString& command, const QString& synopsis);

    void addOption(const QCommandLineOption& option) { m_parser.addOption(option); }
    // Parses args (the subcommand's own arguments, without the program and subcommand names).
    // Throws BadInput for unknown options, missing values, or a positional count outside [min, max].
    void parse(const QStringList& args, int minPositional, int maxPositional);

    bool isSet(const QString& name) const { return m_parser.isSet(name); }
    QString value(const QString& name) const { return m_parser.value(name); }
    QStringList values(const QString& name) const { return m_parser.values(name); }
    QStringList positional() const { return m_parser.positionalArguments(); }
    bool helpRequested() const { return m_helpRequested; }
    QString helpText() const;

private:
    QString m_command;
    QString m_synopsis;
    QCommandLineParser m_parser;
    bool m_helpRequested = false;
};

} // namespace swarmscope::cli
