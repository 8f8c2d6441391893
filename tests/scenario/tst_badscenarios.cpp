#include "TestScenario.h"

#include "scenario/ScenarioParser.h"

#include <QFile>
#include <QTest>

#include <random>

using namespace swarmscope;
using namespace scenariotest;

namespace {

// Ten lines; text appended to it starts on line 11, inside [groups.leechers].
const QByteArray kBase = R"([content]
size = "1MiB"

[groups.seeder]
role = "seeder"
count = 1

[groups.leechers]
role = "leecher"
count = 10
)";

// The groups of kBase alone, seven lines, for rows that write their own [content] first.
const QByteArray kGroups = R"([groups.seeder]
role = "seeder"
count = 1

[groups.leechers]
role = "leecher"
count = 10
)";

struct Row {
    const char* name;
    QByteArray toml;
    QString what; // %BASE% stands for the base folder of content paths
    QString where;
};

QByteArray manyActions(int count) {
    QByteArray text = kBase;
    for (int i = 0; i < count; ++i)
        text += "[[actions]]\nat = \"1s\"\ndo = \"kill\"\ntarget = \"all\"\n";
    return text;
}

QList<Row> brokenScenarios() {
    const auto s = [](const char* text) { return QString::fromUtf8(text); };
    const QByteArray seederOnly = "[content]\nsize = 1000\n[groups.s]\nrole = \"seeder\"\ncount = 1\n";
    return {
        // TOML itself
        {"syntax error", kBase + "up =\n",
         s("not valid TOML: error while parsing key-value pair: expected value, saw '\\n'"),
         s("scenario.toml:11")},
        {"duplicate group name", kBase + "[groups.leechers]\nrole = \"leecher\"\ncount = 1\n",
         s("not valid TOML: error while parsing table header: cannot redefine existing table "
           "'groups.leechers'"),
         s("scenario.toml:11")},
        {"duplicate key", kBase + "count = 3\n",
         s("not valid TOML: error while parsing key-value pair: cannot redefine existing integer 'count'"),
         s("scenario.toml:11")},
        {"invalid UTF-8", kBase + "up = \"\xff\"\n", s("not valid TOML: encountered invalid utf-8 sequence"),
         s("scenario.toml:11")},
        {"nesting too deep", kBase + "x = " + QByteArray(300, '[') + "\n",
         s("not valid TOML: error while parsing value: exceeded maximum nested value depth of 256 "
           "(TOML_MAX_NESTED_VALUES)"),
         s("scenario.toml:11")},

        // unknown keys
        {"unknown top-level key", "nmae = \"x\"\n" + kBase, s("unknown key 'nmae'; did you mean 'name'?"),
         s("scenario.toml:1: nmae")},
        {"unknown group key, near one", kBase + "upp = \"1MiB/s\"\n",
         s("unknown key 'upp'; did you mean 'up'?"), s("scenario.toml:11: groups.leechers.upp")},
        {"unknown group key", kBase + "colour = \"red\"\n", s("unknown key 'colour'"),
         s("scenario.toml:11: groups.leechers.colour")},
        {"snake_case key", kBase + "arrival = \"poisson\"\njoins_per_second = 2\n",
         s("unknown key 'joins_per_second'; did you mean 'joins-per-second'?"),
         s("scenario.toml:12: groups.leechers.joins_per_second")},
        {"nested table in a group", kBase + "[groups.leechers.link]\nup = 5\n", s("unknown key 'link'"),
         s("scenario.toml:11: groups.leechers.link")},
        {"unknown content key", "[content]\nsize = 1000\npieces = 4\n" + kGroups, s("unknown key 'pieces'"),
         s("scenario.toml:3: content.pieces")},
        {"unknown time key", kBase + "[time]\nmode = \"real\"\nsede = 5\n",
         s("unknown key 'sede'; did you mean 'seed'?"), s("scenario.toml:13: time.sede")},

        // types
        {"count is a string", kBase + "[groups.more]\nrole = \"leecher\"\ncount = \"3\"\n",
         s("expected an integer, found a string"), s("scenario.toml:13: groups.more.count")},
        {"content is an integer", "content = 5\n" + kGroups, s("expected a table, found an integer"),
         s("scenario.toml:1: content")},
        {"group is an integer", kBase + "[groups]\nx = 5\n", s("expected a table, found an integer"),
         s("scenario.toml:12: groups.x")},
        {"group is an integer (dotted)", "[content]\nsize = 1000\n[groups]\nx = 5\n",
         s("expected a table, found an integer"), s("scenario.toml:4: groups.x")},
        {"choker is a string", kBase + "choker = \"no\"\n", s("expected true or false, found a string"),
         s("scenario.toml:11: groups.leechers.choker")},
        {"pipeline is a word", kBase + "pipeline = \"deep\"\n",
         s("pipeline must be \"auto\" or a number of requests, not 'deep'"),
         s("scenario.toml:11: groups.leechers.pipeline")},
        {"pipeline is 0", kBase + "pipeline = 0\n", s("pipeline must be from 1 to 250 requests, not 0"),
         s("scenario.toml:11: groups.leechers.pipeline")},
        {"pipeline is too deep", kBase + "pipeline = 251\n",
         s("pipeline must be from 1 to 250 requests, not 251"),
         s("scenario.toml:11: groups.leechers.pipeline")},
        {"pipeline is a fraction", kBase + "pipeline = 2.5\n", s("expected an integer, found a float"),
         s("scenario.toml:11: groups.leechers.pipeline")},
        {"name is an integer", "name = 5\n" + kBase, s("expected a string, found an integer"),
         s("scenario.toml:1: name")},
        {"rate is a boolean", kBase + "up = true\n", s("expected a rate such as \"1MiB/s\", found a boolean"),
         s("scenario.toml:11: groups.leechers.up")},
        {"duration is a float", kBase + "join = 1.5\n",
         s("expected a duration such as \"30s\", found a float"),
         s("scenario.toml:11: groups.leechers.join")},
        {"actions is a table", kBase + "[actions]\nat = 1\n", s("expected an array, found a table"),
         s("scenario.toml:11: actions")},
        {"action is an integer", "actions = [1]\n" + kBase, s("expected a table, found an integer"),
         s("scenario.toml:1: actions[0]")},
        {"speed is not a number", kBase + "[time]\nmode = \"simulated\"\nspeed = nan\n",
         s("expected a finite number, found nan"), s("scenario.toml:13: time.speed")},

        // units
        {"rate with a bad unit", kBase + "up = \"1MB/sec\"\n",
         s("'1MB/sec' is not a rate such as \"1MiB/s\" (0: unlimited)"),
         s("scenario.toml:11: groups.leechers.up")},
        {"size with a bad unit", "[content]\nsize = \"16 megs\"\n" + kGroups,
         s("'16 megs' is not a size such as \"256KiB\" or \"16MiB\""), s("scenario.toml:2: content.size")},
        {"negative size", "[content]\nsize = -5\n" + kGroups, s("a size must not be negative, not -5"),
         s("scenario.toml:2: content.size")},
        {"duration without a unit", kBase + "latency = 50\n",
         s("a duration needs a unit: write \"50ms\" or \"50s\", not 50"),
         s("scenario.toml:11: groups.leechers.latency")},
        {"duration with a bad unit", kBase + "latency = \"50 msec\"\n",
         s("'50 msec' is not a duration such as \"250ms\", \"30s\" or \"2min\""),
         s("scenario.toml:11: groups.leechers.latency")},
        {"duration finer than a millisecond", kBase + "jitter = \"0.5ms\"\n",
         s("'0.5ms' is not a duration such as \"250ms\", \"30s\" or \"2min\""),
         s("scenario.toml:11: groups.leechers.jitter")},
        {"percentage without a number",
         kBase + "[[actions]]\nwhen = { completed = \"most%\" }\ndo = \"kill\"\n"
                 "target = \"seeder\"\n",
         s("'most%' is not a percentage such as \"90%\""), s("scenario.toml:12: actions[0].when.completed")},

        // ranges
        {"count 0", kBase + "[groups.more]\nrole = \"leecher\"\ncount = 0\n",
         s("count must be from 1 to 1000, not 0"), s("scenario.toml:13: groups.more.count")},
        {"rate below the link model's range", kBase + "up = \"100B/s\"\n",
         s("up must be 0 (unlimited) or from 1KiB/s to 1TiB/s, not 100B/s"),
         s("scenario.toml:11: groups.leechers.up")},
        {"latency over a minute", kBase + "latency = \"2min\"\n",
         s("latency must be from 0 to 1min, not 2min"), s("scenario.toml:11: groups.leechers.latency")},
        {"generated size 0", "[content]\nsize = 0\n" + kGroups, s("size must be from 1 byte to 64GiB, not 0"),
         s("scenario.toml:2: content.size")},
        {"generated size too large", "[content]\nsize = \"65GiB\"\n" + kGroups,
         s("size must be from 1 byte to 64GiB, not 65GiB"), s("scenario.toml:2: content.size")},
        {"piece size not a power of two", "[content]\nsize = 1000\npiece-size = \"100KiB\"\n" + kGroups,
         s("piece-size must be \"auto\" or a power of two from 16KiB to 16MiB, not 100KiB"),
         s("scenario.toml:3: content.piece-size")},
        {"piece size too large", "[content]\nsize = 1000\npiece-size = \"32MiB\"\n" + kGroups,
         s("piece-size must be \"auto\" or a power of two from 16KiB to 16MiB, not 32MiB"),
         s("scenario.toml:3: content.piece-size")},
        {"piece size too small", "[content]\nsize = 1000\npiece-size = 8192\n" + kGroups,
         s("piece-size must be \"auto\" or a power of two from 16KiB to 16MiB, not 8KiB"),
         s("scenario.toml:3: content.piece-size")},
        {"piece size a word", "[content]\nsize = 1000\npiece-size = \"automatic\"\n" + kGroups,
         s("'automatic' is not a size such as \"256KiB\" or \"16MiB\""),
         s("scenario.toml:3: content.piece-size")},
        {"joins per second 0", kBase + "arrival = \"poisson\"\njoins-per-second = 0\n",
         s("joins-per-second must be above 0 and at most 1000, not 0"),
         s("scenario.toml:12: groups.leechers.joins-per-second")},
        {"interval 0", kBase + "arrival = \"interval\"\ninterval = \"0s\"\n",
         s("interval must be longer than 0s"), s("scenario.toml:12: groups.leechers.interval")},
        {"sample interval too short", kBase + "[measure]\nsample-interval = \"1ms\"\n",
         s("sample-interval must be from 10ms to 1h, not 1ms"),
         s("scenario.toml:12: measure.sample-interval")},
        {"time limit 0", kBase + "[stop]\ntime-limit = 0\n", s("time-limit must be longer than 0s"),
         s("scenario.toml:12: stop.time-limit")},

        // required keys and tables
        {"no content", kGroups, s("the scenario has no [content]: give its size, file or folder"),
         s("scenario.toml: content")},
        {"empty content", "[content]\n" + kGroups, s("content needs one of size, file or folder"),
         s("scenario.toml:1: content")},
        {"no groups", "[content]\nsize = 1000\n",
         s("the scenario has no peers: add a group such as [groups.leechers]"), s("scenario.toml: groups")},
        {"empty groups", "[content]\nsize = 1000\n[groups]\n",
         s("the scenario has no peers: add a group such as [groups.leechers]"), s("scenario.toml:3: groups")},
        {"group without role", kBase + "[groups.more]\ncount = 2\n", s("required key 'role' is missing"),
         s("scenario.toml:11: groups.more.role")},
        {"group without count", kBase + "[groups.more]\nrole = \"leecher\"\n",
         s("required key 'count' is missing"), s("scenario.toml:11: groups.more.count")},
        {"interval arrival without interval", kBase + "arrival = \"interval\"\n",
         s("required key 'interval' is missing"), s("scenario.toml:8: groups.leechers.interval")},
        {"poisson arrival without rate", kBase + "arrival = \"poisson\"\n",
         s("required key 'joins-per-second' is missing"),
         s("scenario.toml:8: groups.leechers.joins-per-second")},
        {"leaves-after without stay", kBase + "behaviour = \"leaves-after\"\n",
         s("required key 'stay' is missing"), s("scenario.toml:8: groups.leechers.stay")},

        // content
        {"size and file", "[content]\nsize = 1000\nfile = \"data.bin\"\n" + kGroups,
         s("content is one of size, file or folder, not both size and file"),
         s("scenario.toml:3: content.file")},
        {"folder and file", "[content]\nfolder = \"sub\"\nfile = \"data.bin\"\n" + kGroups,
         s("content is one of size, file or folder, not both folder and file"),
         s("scenario.toml:3: content.file")},
        {"missing file", "[content]\nfile = \"missing.bin\"\n" + kGroups, s("no file at %BASE%/missing.bin"),
         s("scenario.toml:2: content.file")},
        {"missing folder", "[content]\nfolder = \"nowhere\"\n" + kGroups, s("no folder at %BASE%/nowhere"),
         s("scenario.toml:2: content.folder")},
        {"file given as folder", "[content]\nfolder = \"data.bin\"\n" + kGroups,
         s("%BASE%/data.bin is not a folder; a single file is content.file"),
         s("scenario.toml:2: content.folder")},
        {"folder given as file", "[content]\nfile = \"sub\"\n" + kGroups,
         s("%BASE%/sub is a folder; a folder is content.folder"), s("scenario.toml:2: content.file")},
        {"empty file", "[content]\nfile = \"empty.bin\"\n" + kGroups,
         s("%BASE%/empty.bin is empty: a torrent needs at least one byte"),
         s("scenario.toml:2: content.file")},
        {"empty path", "[content]\nfile = \"\"\n" + kGroups, s("the path is empty"),
         s("scenario.toml:2: content.file")},

        // groups
        {"too many peers", kBase + "[groups.crowd]\nrole = \"leecher\"\ncount = 990\n",
         s("the groups hold 1001 peers, more than the limit of 1000"),
         s("scenario.toml:13: groups.crowd.count")},
        {"groups differing in case", kBase + "[groups.Leechers]\nrole = \"leecher\"\ncount = 1\n",
         s("group 'Leechers' differs from group 'leechers' only in case"),
         s("scenario.toml:11: groups.Leechers")},
        {"group name with a space", kBase + "[groups.\"my group\"]\nrole = \"leecher\"\ncount = 1\n",
         s("a group's name is 1 to 64 letters, digits, '-' or '_', not 'my group'"),
         s("scenario.toml:11: groups.\"my group\"")},
        {"group named all", kBase + "[groups.all]\nrole = \"leecher\"\ncount = 1\n",
         s("'all' names every peer in actions; call the group something else"),
         s("scenario.toml:11: groups.all")},
        {"unknown role", kBase + "[groups.more]\nrole = \"peer\"\ncount = 1\n",
         s("role must be seeder or leecher, not 'peer'"), s("scenario.toml:12: groups.more.role")},
        {"unknown arrival", kBase + "arrival = \"trickle\"\n",
         s("arrival must be at-once, interval or poisson, not 'trickle'"),
         s("scenario.toml:11: groups.leechers.arrival")},
        {"unknown picker", kBase + "picker = \"rarest\"\n",
         s("picker must be rarest-first, random or sequential, not 'rarest'"),
         s("scenario.toml:11: groups.leechers.picker")},
        {"unknown behaviour", kBase + "behaviour = \"lazy\"\n",
         s("behaviour must be normal, free-rider, corrupt, leaves-when-done or leaves-after, not 'lazy'"),
         s("scenario.toml:11: groups.leechers.behaviour")},
        {"interval without interval arrival", kBase + "interval = \"1s\"\n",
         s("interval applies only with arrival = \"interval\""),
         s("scenario.toml:11: groups.leechers.interval")},
        {"rate without poisson arrival",
         kBase + "arrival = \"interval\"\ninterval = \"1s\"\njoins-per-second = 3\n",
         s("joins-per-second applies only with arrival = \"poisson\""),
         s("scenario.toml:13: groups.leechers.joins-per-second")},
        {"stay without leaves-after", kBase + "stay = \"10s\"\n",
         s("stay applies only with behaviour = \"leaves-after\""),
         s("scenario.toml:11: groups.leechers.stay")},
        {"free-riding seeder",
         "[content]\nsize = 1000\n[groups.s]\nrole = \"seeder\"\ncount = 1\n"
         "behaviour = \"free-rider\"\n",
         s("a seeder cannot be a free-rider: it has nothing to download"),
         s("scenario.toml:6: groups.s.behaviour")},
        {"seeder leaving when done",
         "[content]\nsize = 1000\n[groups.s]\nrole = \"seeder\"\ncount = 1\n"
         "behaviour = \"leaves-when-done\"\n",
         s("a seeder is done from the start; leaves-after or an action makes it leave"),
         s("scenario.toml:6: groups.s.behaviour")},

        // time
        {"bad mode", kBase + "[time]\nmode = \"fast\"\n", s("mode must be real or simulated, not 'fast'"),
         s("scenario.toml:12: time.mode")},
        {"negative seed", kBase + "[time]\nseed = -1\n",
         s("seed must be an integer from 0 to 4294967295, not -1"), s("scenario.toml:12: time.seed")},
        {"seed over 32 bits", kBase + "[time]\nseed = 4294967296\n",
         s("seed must be an integer from 0 to 4294967295, not 4294967296"), s("scenario.toml:12: time.seed")},
        {"seed is a string", kBase + "[time]\nseed = \"lucky\"\n", s("expected an integer, found a string"),
         s("scenario.toml:12: time.seed")},
        {"speed in real time", kBase + "[time]\nspeed = 2\n",
         s("speed paces simulated time: set mode = \"simulated\" or leave speed out"),
         s("scenario.toml:12: time.speed")},
        {"speed too high", kBase + "[time]\nmode = \"simulated\"\nspeed = 500\n",
         s("speed must be from 0.1 to 100, not 500"), s("scenario.toml:13: time.speed")},
        {"newer format", "format = 2\n" + kBase, s("this Swarmscope reads scenario format 1, not 2"),
         s("scenario.toml:1: format")},

        // actions
        {"action without time or condition", kBase + "[[actions]]\ndo = \"kill\"\ntarget = \"seeder\"\n",
         s("an action needs at (a time such as \"30s\") or when (a condition)"),
         s("scenario.toml:11: actions[0]")},
        {"action with time and condition",
         kBase + "[[actions]]\nat = \"1s\"\nwhen = { completed = 1 }\ndo = \"kill\"\ntarget = \"seeder\"\n",
         s("an action happens at a time or when a condition holds, not both"),
         s("scenario.toml:13: actions[0].when")},
        {"action without do", kBase + "[[actions]]\nat = \"1s\"\ntarget = \"seeder\"\n",
         s("required key 'do' is missing"), s("scenario.toml:11: actions[0].do")},
        {"unknown action", kBase + "[[actions]]\nat = \"1s\"\ndo = \"explode\"\ntarget = \"seeder\"\n",
         s("do must be kill, pause, resume, restart, leave, set-link, set-picker or set-choker, not "
           "'explode'"),
         s("scenario.toml:13: actions[0].do")},
        {"action without target", kBase + "[[actions]]\nat = \"1s\"\ndo = \"kill\"\n",
         s("required key 'target' is missing"), s("scenario.toml:11: actions[0].target")},
        {"action naming an unknown group",
         kBase + "[[actions]]\nat = \"1s\"\ndo = \"kill\"\ntarget = \"leacher\"\n",
         s("no group named 'leacher'; did you mean 'leechers'?"), s("scenario.toml:14: actions[0].target")},
        {"action naming a far-off group",
         kBase + "[[actions]]\nat = \"1s\"\ndo = \"kill\"\ntarget = \"zzz\"\n",
         s("no group named 'zzz'; the groups are seeder and leechers"),
         s("scenario.toml:14: actions[0].target")},
        {"peer index out of range",
         kBase + "[[actions]]\nat = \"1s\"\ndo = \"kill\"\ntarget = \"leechers#10\"\n",
         s("group 'leechers' has 10 peers, #0 to #9; there is no #10"),
         s("scenario.toml:14: actions[0].target")},
        {"peer index of a single peer",
         kBase + "[[actions]]\nat = \"1s\"\ndo = \"kill\"\ntarget = \"seeder#1\"\n",
         s("group 'seeder' has 1 peer, #0; there is no #1"), s("scenario.toml:14: actions[0].target")},
        {"peer index beyond int",
         kBase + "[[actions]]\nat = \"1s\"\ndo = \"kill\"\ntarget = \"seeder#99999999999\"\n",
         s("group 'seeder' has 1 peer, #0; there is no #99999999999"),
         s("scenario.toml:14: actions[0].target")},
        {"target not a name", kBase + "[[actions]]\nat = \"1s\"\ndo = \"kill\"\ntarget = \"leechers#x\"\n",
         s("'leechers#x' is not a target: write all, a group's name, or a group's name and a peer's index "
           "such as "
           "leechers#0"),
         s("scenario.toml:14: actions[0].target")},
        {"second action wrong",
         kBase + "[[actions]]\nat = \"1s\"\ndo = \"kill\"\ntarget = \"seeder\"\n"
                 "[[actions]]\nat = \"2s\"\ndo = \"restart\"\ntarget = \"seeders\"\n",
         s("no group named 'seeders'; did you mean 'seeder'?"), s("scenario.toml:18: actions[1].target")},
        {"setting that does not apply",
         kBase + "[[actions]]\nat = \"1s\"\ndo = \"kill\"\ntarget = \"all\"\n"
                 "picker = \"random\"\n",
         s("picker does not apply to do = \"kill\""), s("scenario.toml:15: actions[0].picker")},
        {"set-link without a setting",
         kBase + "[[actions]]\nat = \"1s\"\ndo = \"set-link\"\ntarget = \"all\"\n",
         s("set-link needs at least one of latency, jitter, up or down"), s("scenario.toml:11: actions[0]")},
        {"set-link with a bad rate",
         kBase + "[[actions]]\nat = \"1s\"\ndo = \"set-link\"\ntarget = \"all\"\n"
                 "down = \"fast\"\n",
         s("'fast' is not a rate such as \"1MiB/s\" (0: unlimited)"), s("scenario.toml:15: actions[0].down")},
        {"set-picker without picker",
         kBase + "[[actions]]\nat = \"1s\"\ndo = \"set-picker\"\ntarget = \"all\"\n",
         s("required key 'picker' is missing"), s("scenario.toml:11: actions[0].picker")},
        {"set-choker without choker",
         kBase + "[[actions]]\nat = \"1s\"\ndo = \"set-choker\"\ntarget = \"all\"\n",
         s("required key 'choker' is missing"), s("scenario.toml:11: actions[0].choker")},
        {"empty condition", kBase + "[[actions]]\nwhen = {}\ndo = \"kill\"\ntarget = \"seeder\"\n",
         s("a condition needs uploaded (copies of the content) or completed (a fraction of the leechers)"),
         s("scenario.toml:12: actions[0].when")},
        {"condition with both",
         kBase + "[[actions]]\nwhen = { uploaded = 1, completed = 1 }\ndo = \"kill\"\n"
                 "target = \"seeder\"\n",
         s("a condition is uploaded or completed, not both"),
         s("scenario.toml:12: actions[0].when.completed")},
        {"unknown condition key",
         kBase + "[[actions]]\nwhen = { uplaoded = 1 }\ndo = \"kill\"\ntarget = \"seeder\"\n",
         s("unknown key 'uplaoded'; did you mean 'uploaded'?"),
         s("scenario.toml:12: actions[0].when.uplaoded")},
        {"uploaded 0", kBase + "[[actions]]\nwhen = { uploaded = 0 }\ndo = \"leave\"\ntarget = \"seeder\"\n",
         s("uploaded must be a number of copies above 0 and at most 1000, not 0"),
         s("scenario.toml:12: actions[0].when.uploaded")},
        {"completed over 100%",
         kBase + "[[actions]]\nwhen = { completed = \"150%\" }\ndo = \"leave\"\n"
                 "target = \"seeder\"\n",
         s("completed must be a fraction from 0 to 1 (or \"0%\" to \"100%\"), not 1.5"),
         s("scenario.toml:12: actions[0].when.completed")},
        {"completed 0",
         kBase + "[[actions]]\nwhen = { completed = 0 }\ndo = \"leave\"\ntarget = \"seeder\"\n",
         s("completed must be above 0: no leecher has completed when a run starts"),
         s("scenario.toml:12: actions[0].when.completed")},
        {"completed of seeders",
         kBase + "[[actions]]\nwhen = { completed = 0.5, of = \"seeder\" }\ndo = \"leave\"\n"
                 "target = \"seeder\"\n",
         s("'seeder' is a group of seeders; completed counts leechers"),
         s("scenario.toml:12: actions[0].when.of")},
        {"by with completed",
         kBase + "[[actions]]\nwhen = { completed = 0.5, by = \"seeder\" }\ndo = \"leave\"\n"
                 "target = \"seeder\"\n",
         s("by goes with uploaded; completed takes of"), s("scenario.toml:12: actions[0].when.by")},
        {"of with uploaded",
         kBase + "[[actions]]\nwhen = { uploaded = 0.5, of = \"seeder\" }\ndo = \"leave\"\n"
                 "target = \"seeder\"\n",
         s("of goes with completed; uploaded takes by"), s("scenario.toml:12: actions[0].when.of")},
        {"condition naming an unknown peer",
         kBase + "[[actions]]\nwhen = { uploaded = 1, by = \"seeder#2\" }\n"
                 "do = \"leave\"\ntarget = \"seeder\"\n",
         s("group 'seeder' has 1 peer, #0; there is no #2"), s("scenario.toml:12: actions[0].when.by")},
        {"completed without leechers",
         seederOnly + "[[actions]]\nwhen = { completed = 1 }\ndo = \"leave\"\n"
                      "target = \"s\"\n[stop]\nleechers-complete = false\n"
                      "time-limit = \"1min\"\n",
         s("there are no leechers to complete"), s("scenario.toml:7: actions[0].when.completed")},
        {"too many actions", manyActions(10'001), s("10001 actions, more than the limit of 10000"),
         s("scenario.toml:11: actions")},

        // measure and stop
        {"unknown output", kBase + "[measure]\noutputs = [\"completion\", \"rate\"]\n",
         s("unknown output 'rate'; did you mean 'rates'?"), s("scenario.toml:12: measure.outputs[1]")},
        {"far-off output", kBase + "[measure]\noutputs = [\"everything\"]\n",
         s("unknown output 'everything'; the outputs are completion, availability, rates and "
           "connection-bytes"),
         s("scenario.toml:12: measure.outputs[0]")},
        {"output twice", kBase + "[measure]\noutputs = [\"rates\",\n  \"rates\"]\n",
         s("'rates' is listed twice"), s("scenario.toml:13: measure.outputs[1]")},
        {"output not a string", kBase + "[measure]\noutputs = [1]\n",
         s("expected a string, found an integer"), s("scenario.toml:12: measure.outputs[0]")},
        {"never stops", kBase + "[stop]\nleechers-complete = false\n",
         s("the run never stops: set leechers-complete = true or a time-limit"), s("scenario.toml:11: stop")},
        {"nothing to complete", seederOnly,
         s("there are no leechers to complete: set leechers-complete = false and a time-limit"),
         s("scenario.toml: stop.leechers-complete")},

        // size of the input
        {"file over 1 MiB", kBase + "# " + QByteArray(1024 * 1024, 'x') + "\n",
         s("the scenario is 1048693 bytes, more than the limit of 1048576"), s("scenario.toml")},
    };
}

} // namespace

void TestScenario::brokenScenario_givesWhatAndWhere_data() {
    QTest::addColumn<QByteArray>("toml");
    QTest::addColumn<QString>("what");
    QTest::addColumn<QString>("where");
    for (const Row& row : brokenScenarios()) {
        QString what = row.what;
        what.replace(QStringLiteral("%BASE%"), m_dir.path());
        QTest::newRow(row.name) << row.toml << what << row.where;
    }
}

void TestScenario::brokenScenario_givesWhatAndWhere() {
    QFETCH(QByteArray, toml);
    QFETCH(QString, what);
    QFETCH(QString, where);
    const ScenarioParseResult result = parseText(toml, m_dir.path());
    QVERIFY(!result.ok());
    QCOMPARE(result.what, what);
    QCOMPARE(result.where, where);
    // The parts agree with the whole, and the message is the CLI's "<what> (<where>)".
    QString expectedWhere = QStringLiteral("scenario.toml");
    if (result.line > 0)
        expectedWhere += u':' + QString::number(result.line);
    if (!result.keyPath.isEmpty())
        expectedWhere += QStringLiteral(": ") + result.keyPath;
    QCOMPARE(result.where, expectedWhere);
    QCOMPARE(result.message(), what + QStringLiteral(" (") + where + u')');
    QVERIFY(!result.what.contains(u'\n'));
}

void TestScenario::limits_areConfigurable() {
    ScenarioLimits small;
    small.maxFileBytes = 100;
    small.maxActions = 1;
    small.maxPeers = 5;
    const QString base = m_dir.path();

    ScenarioParseResult r = parseScenario(kBase, QStringLiteral("s.toml"), base, small);
    QVERIFY(!r.ok());
    QCOMPARE(r.message(), QStringLiteral("the scenario is 114 bytes, more than the limit of 100 (s.toml)"));

    small.maxFileBytes = 10'000;
    r = parseScenario(kBase, QStringLiteral("s.toml"), base, small);
    QCOMPARE(r.message(),
             QStringLiteral("count must be from 1 to 5, not 10 (s.toml:10: groups.leechers.count)"));

    const QByteArray fewPeers = "[content]\nsize = 1000\n[groups.s]\nrole = \"seeder\"\ncount = 3\n"
                                "[groups.l]\nrole = \"leecher\"\ncount = 3\n";
    r = parseScenario(fewPeers, QStringLiteral("s.toml"), base, small);
    QCOMPARE(r.message(),
             QStringLiteral("the groups hold 6 peers, more than the limit of 5 (s.toml:8: groups.l.count)"));

    const QByteArray twoActions = "[content]\nsize = 1000\n[groups.l]\nrole = \"leecher\"\ncount = 3\n"
                                  "[[actions]]\nat = \"1s\"\ndo = \"pause\"\ntarget = \"all\"\n"
                                  "[[actions]]\nat = \"2s\"\ndo = \"resume\"\ntarget = \"all\"\n";
    r = parseScenario(twoActions, QStringLiteral("s.toml"), base, small);
    QCOMPARE(r.message(), QStringLiteral("2 actions, more than the limit of 1 (s.toml:6: actions)"));
    small.maxActions = 2;
    r = parseScenario(twoActions, QStringLiteral("s.toml"), base, small);
    QVERIFY2(r.ok(), qPrintable(r.message()));

    // At the default limits, 10000 actions and 1000 peers are fine.
    QByteArray many = manyActions(10'000);
    many.replace("count = 10\n", "count = 999\n");
    r = parseText(many, base);
    QVERIFY2(r.ok(), qPrintable(r.message()));
    QCOMPARE(r.scenario->actions.size(), 10'000);
    QCOMPARE(r.scenario->peerCount(), 1000);
}

void TestScenario::mutatedScenarios_neverCrash() {
    // Byte-level damage to every shipped example: whatever is accepted must still satisfy the model's
    // promises.
    std::mt19937 rng(2024);
    const QByteArray alphabet("0123456789\"'[]{}=.,#%/\n \\-_azKMiBsm\xff", 36);
    int accepted = 0;
    int rejected = 0;
    for (const QString& path : shippedExamples()) {
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray original = file.readAll();
        for (int round = 0; round < 1500; ++round) {
            QByteArray data = original;
            const int edits = 1 + int(rng() % 4);
            for (int e = 0; e < edits; ++e) {
                const qsizetype at = qsizetype(rng() % quint32(data.size()));
                const char byte = alphabet.at(qsizetype(rng() % quint32(alphabet.size())));
                switch (rng() % 3) {
                case 0:
                    data[at] = byte;
                    break;
                case 1:
                    data.insert(at, byte);
                    break;
                default:
                    data.remove(at, 1);
                    break;
                }
            }
            const ScenarioParseResult r = parseText(data, m_dir.path());
            if (!r.ok()) {
                ++rejected;
                QVERIFY(!r.what.isEmpty());
                QVERIFY(r.where.startsWith(QStringLiteral("scenario.toml")));
                continue;
            }
            ++accepted;
            const Scenario& s = *r.scenario;
            QVERIFY(!s.groups.isEmpty());
            QVERIFY(s.peerCount() >= 1 && s.peerCount() <= kMaxScenarioPeers);
            for (const ScenarioAction& a : s.actions) {
                QVERIFY(a.atMs.has_value() != a.when.has_value());
                if (a.target.kind != ScenarioTarget::Kind::All) {
                    const ScenarioGroup* g = s.group(a.target.group);
                    QVERIFY(g);
                    QVERIFY(a.target.kind != ScenarioTarget::Kind::Peer || a.target.index < g->count);
                }
            }
        }
    }
    QVERIFY(accepted > 100);
    QVERIFY(rejected > 100);
}
