#include "cli/command_table.h"

#include <cstdio>
#include <iostream>

#include "admin/protocol.h"
#include "base/files.h"
#include "base/strings.h"
#include "cli/command.h"

namespace berth::cli {

namespace {

std::vector<Command> MakeTable(const Hooks& hooks) {
  std::vector<Command> t;
  AddServerCommands(t, hooks);
  AddAppCommands(t);
  AddChangeCommands(t);
  AddSpecCommands(t);
  AddSecretCommands(t);
  return t;
}

std::string Overview(const std::vector<Command>& table) {
  std::string out =
      "berth: a self-hosted app server\n\nUsage: berth <group> <command> [flags] [args]\n\n"
      "Commands:\n";
  size_t width = 0;
  for (const auto& c : table) width = std::max(width, c.group.size() + c.name.size() + 1);
  for (const auto& c : table) {
    std::string name = c.group + " " + c.name;
    out += "  " + name + std::string(width + 3 - name.size(), ' ') + c.summary + "\n";
  }
  out += "\nRun 'berth <group> <command> --help' for a command's flags and an example.\n";
  return out;
}

// Go-style single-dash long flags ("-param url=x") become "--param": the product document
// writes them that way.
std::vector<std::string> NormalizeArgs(int argc, char** argv, CLI::App& leaf) {
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.size() > 2 && a[0] == '-' && a[1] != '-') {
      std::string name =
          a.substr(1, a.find('=') == std::string::npos ? std::string::npos : a.find('=') - 1);
      for (const CLI::Option* opt : leaf.get_options()) {
        for (const auto& lname : opt->get_lnames()) {
          if (lname == name) a = "-" + a;
        }
      }
    }
    args.push_back(a);
  }
  return args;
}

// "file:12:5: ..." at the start of `text` (the file name without spaces or colons).
bool StartsWithFileLineCol(std::string_view text) {
  size_t colon = text.find(':');
  if (colon == 0 || colon == std::string_view::npos) return false;
  for (char c : text.substr(0, colon)) {
    if (c == ' ' || c == '\t' || c == '\n') return false;
  }
  size_t pos = colon + 1;
  for (int number = 0; number < 2; ++number) {
    size_t digits = pos;
    while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
    if (digits == pos || digits >= text.size() || text[digits] != ':') return false;
    pos = digits + 1;
  }
  return pos < text.size() && text[pos] == ' ';
}

}  // namespace

std::string ErrorText(std::string message) {
  if (StartsWithFileLineCol(message)) return message;
  for (char& ch : message) {
    if (ch == '\n') ch = ' ';
  }
  return message;
}

AdminClient& Client() {
  static AdminClient client(admin::SocketPath(DefaultHome()));
  return client;
}

Status ParseKeyValue(const std::string& flag, const std::string& text, bool allow_bare,
                     std::string* key, std::optional<std::string>* value) {
  size_t eq = text.find('=');
  if (eq == std::string::npos) {
    if (!allow_bare || text.empty()) {
      return Status::InvalidArgument("invalid " + flag + " \"" + text + "\": expected key=value");
    }
    *key = text;
    *value = std::nullopt;
    return Status::Ok();
  }
  *key = text.substr(0, eq);
  *value = text.substr(eq + 1);
  if (key->empty()) {
    return Status::InvalidArgument("invalid " + flag + " \"" + text + "\": the key is empty");
  }
  return Status::Ok();
}

Status CheckFormat(const std::string& format) {
  if (format == "table" || format == "json") return Status::Ok();
  return Status::InvalidArgument("unknown format \"" + format + "\"; use table or json");
}

void PrintJsonText(std::string_view json_text) {
  std::string text = admin::IndentJson(json_text, 2);
  text.push_back('\n');
  std::fwrite(text.data(), 1, text.size(), stdout);
}

std::string FormatTable(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    if (widths.size() < row.size()) widths.resize(row.size());
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 2, ' ');
    }
    out += std::string(Trim(line)) + "\n";
  }
  return out;
}

namespace {

// Well-formed UTF-8 (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF).
bool IsUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xE ? 2 : (c >> 3) == 0x1E ? 3 : 4;
    if (n == 4 || i + n >= s.size()) return false;  // a bad lead byte, or cut short
    uint32_t cp = n == 0 ? c : c & (0x3F >> n);
    for (size_t k = 1; k <= n; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n + 1;
  }
  return true;
}

}  // namespace

int Main(int argc, char** argv, const Hooks& hooks) {
  for (int i = 1; i < argc; ++i) {
    if (!IsUtf8(argv[i])) {
      std::fprintf(stderr, "error: argument %d is not valid UTF-8\n", i);
      return 1;
    }
  }
  const std::vector<Command> table = MakeTable(hooks);
  std::vector<std::string> groups;
  for (const auto& c : table) {
    if (std::find(groups.begin(), groups.end(), c.group) == groups.end()) groups.push_back(c.group);
  }
  if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h" ||
      std::string(argv[1]) == "help") {
    std::fputs(Overview(table).c_str(), stdout);
    return argc < 2 ? 1 : 0;
  }
  if (std::string(argv[1]) == "--version") {
    std::printf("berth %s\n", BERTH_VERSION);
    return 0;
  }
  // Find the command, with "did you mean" for a mistyped group or command.
  std::string group = argv[1];
  if (std::find(groups.begin(), groups.end(), group) == groups.end()) {
    std::string hint = ClosestMatch(group, groups);
    std::fprintf(stderr, "error: unknown command group \"%s\"%s; run 'berth --help'\n",
                 group.c_str(), hint.empty() ? "" : (" (did you mean \"" + hint + "\"?)").c_str());
    return 1;
  }
  std::vector<std::string> names;
  for (const auto& c : table) {
    if (c.group == group) names.push_back(c.name);
  }
  if (argc < 3 || std::string(argv[2]) == "--help" || std::string(argv[2]) == "-h") {
    std::string out = "Usage: berth " + group + " <command>\n\nCommands:\n";
    for (const auto& c : table) {
      if (c.group == group) out += "  " + c.name + "  " + c.summary + "\n";
    }
    std::fputs(out.c_str(), argc < 3 ? stderr : stdout);
    return argc < 3 ? 1 : 0;
  }
  std::string name = argv[2];
  const Command* cmd = nullptr;
  for (const auto& c : table) {
    if (c.group == group && c.name == name) cmd = &c;
  }
  if (!cmd) {
    std::string hint = ClosestMatch(name, names);
    std::fprintf(stderr, "error: unknown command \"%s %s\"%s; run 'berth %s --help'\n",
                 group.c_str(), name.c_str(),
                 hint.empty() ? "" : (" (did you mean \"" + group + " " + hint + "\"?)").c_str(),
                 group.c_str());
    return 1;
  }

  CLI::App app{cmd->summary, "berth " + group + " " + name};
  app.footer("Example:\n  " + cmd->example);
  app.set_help_flag("-h,--help", "Show this help");
  std::function<Status()> run = cmd->setup(app);
  std::vector<std::string> args = NormalizeArgs(argc - 2, argv + 2, app);
  std::reverse(args.begin(), args.end());  // CLI11 takes a reversed vector
  try {
    app.parse(args);
  } catch (const CLI::CallForHelp&) {
    std::fputs(app.help().c_str(), stdout);
    return 0;
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "error: %s; run 'berth %s %s --help'\n", e.what(), group.c_str(),
                 name.c_str());
    return 1;
  }
  Status s = run();
  if (!s.ok()) {
    std::fprintf(stderr, "error: %s\n", ErrorText(s.message()).c_str());
    return 1;
  }
  return 0;
}

}  // namespace berth::cli
