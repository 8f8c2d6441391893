#include "cli/CommandLine.h"

#include "cli/CliError.h"

namespace swarmscope::cli {

CommandLine::CommandLine(const QString& command, const QString& synopsis)
    : m_command(command), m_synopsis(synopsis) {
    m_parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    m_parser.addOption(
        QCommandLineOption({QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Show help.")));
}

void CommandLine::parse(const QStringList& args, int minPositional, int maxPositional) {
    QStringList full = args;
    full.prepend(QStringLiteral("swarmscope ") + m_command);
    if (!m_parser.parse(full))
        throw BadInput(m_parser.errorText(), QStringLiteral("swarmscope ") + m_command);
    if (m_parser.isSet(QStringLiteral("help"))) {
        m_helpRequested = true;
        return;
    }
    const int count = int(m_parser.positionalArguments().size());
    if (count < minPositional)
        throw BadInput(QStringLiteral("missing argument; usage: %1").arg(m_synopsis),
                       QStringLiteral("swarmscope ") + m_command);
    if (count > maxPositional)
        throw BadInput(
            QStringLiteral("unexpected argument '%1'").arg(m_parser.positionalArguments().at(maxPositional)),
            QStringLiteral("swarmscope ") + m_command);
}

QString CommandLine::helpText() const {
    QString text = m_parser.helpText();
    // QCommandLineParser prints "Usage: swarmscope <command> [options]"; the synopsis is more precise.
    const qsizetype firstNewline = text.indexOf(u'\n');
    return QStringLiteral("Usage: ") + m_synopsis + (firstNewline >= 0 ? text.mid(firstNewline) : QString());
}

} // namespace swarmscope::cli
