// The embedder API: natives, predeclared values, load(), print and frozen modules.
#include "appspec/starlark/interpreter.h"

#include <gtest/gtest.h>

#include "appspec/starlark/lexer.h"

namespace berth::starlark {
namespace {

// A native `greet(name, punct="!")` that returns a struct.
Result<Value> Greet(Interpreter& interp, const Args& args) {
  Value name, punct = interp.NewString("!");
  BERTH_RETURN_IF_ERROR(args.Unpack({{"name", &name}, {"punct?", &punct}}));
  if (!name.is(Type::kString)) return args.Error("name", "greet: name must be a string");
  return interp.NewStruct("greeting", "",
                          {{"text", interp.NewString("hi " + name.str() + punct.str())}});
}

TEST(StarlarkInterpreterTest, NativesAndPredeclaredValues) {
  Interpreter interp;
  Predeclared env = {
      {"greet", interp.NewBuiltin("greet", Greet)},
      {"LIMIT", Value::Int(3)},
      {"util", interp.NewStruct("module", "util", {{"NAME", interp.NewString("u")}})}};
  Result<Value> m = interp.ExecFile(
      "a.star", "g = greet('bob', punct='?')\nt = g.text\nn = util.NAME * LIMIT", env);
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->struct_value()->Get("t")->str(), "hi bob?");
  EXPECT_EQ(m->struct_value()->Get("n")->str(), "uuu");
  EXPECT_EQ(TypeName(*m->struct_value()->Get("g")), "greeting");
  EXPECT_EQ(m->struct_value()->FieldNames(), (std::vector<std::string>{"g", "t", "n"}));
}

// A native type with assignable attributes: a settable struct made by a native function.
TEST(StarlarkInterpreterTest, SettableStructs) {
  Interpreter interp;
  Predeclared env = {
      {"box", interp.NewBuiltin("box",
                                [](Interpreter& in, const Args&) -> Result<Value> {
                                  return in.NewStruct("box", "", {}, /*settable=*/true);
                                })},
      {"util", interp.NewStruct("module", "util", {{"NAME", interp.NewString("u")}})}};
  Result<Value> m = interp.ExecFile("a.star",
                                    "b = box()\nd0 = dir(b)\nb.x = [1]\nb.x += [2]\nb.y = 3\n"
                                    "h = hasattr(b, 'x'), getattr(b, 'z', 0), dir(b)\nx = b.x",
                                    env);
  ASSERT_TRUE(m.ok()) << m.status().message();
  Result<std::string> h = Repr(interp, *m->struct_value()->Get("h"));
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(*h, "(True, 0, [\"x\", \"y\"])");
  EXPECT_EQ(m->struct_value()->Get("x")->list()->items.size(), 2u);
  // Frozen with its module: a later file can't change it.
  Result<Value> b2 = interp.ExecFile("b.star", "b.y = 4", {{"b", *m->struct_value()->Get("b")}});
  ASSERT_FALSE(b2.ok());
  EXPECT_NE(b2.status().message().find("b.star:1:3: cannot set field on a frozen box"),
            std::string::npos)
      << b2.status().message();
  Result<Value> c = interp.ExecFile("c.star", "b = box()\nr = b.nope", env);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("box has no .nope field or method"), std::string::npos);
  // A plain struct (here a module) is not settable.
  Result<Value> d = interp.ExecFile("d.star", "util.NAME = 'v'", env);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("d.star:1:6: can't assign to .NAME field of module"),
            std::string::npos)
      << d.status().message();
}

TEST(StarlarkInterpreterTest, NativeErrorsPointAtTheArgument) {
  Interpreter interp;
  Predeclared env = {{"greet", interp.NewBuiltin("greet", Greet)}};
  Result<Value> m = interp.ExecFile("a.star", "x = greet(\n    1)", env);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().message(), "a.star:2:5: greet: name must be a string\n    1)\n    ^");
  m = interp.ExecFile("a.star", "x = greet('a', punc='.')", env);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().message(),
            "a.star:1:16: unknown keyword argument \"punc\" (did you mean \"punct\"?)\n"
            "x = greet('a', punc='.')\n"
            "               ^");
  m = interp.ExecFile("a.star", "x = greet()", env);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().message().substr(0, m.status().message().find('\n')),
            "a.star:1:5: greet: missing argument for name");
  m = interp.ExecFile("a.star", "x = greet('a', '!', 3)", env);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().message().substr(0, m.status().message().find('\n')),
            "a.star:1:21: greet() accepts at most 2 positional arguments (3 given)");
}

TEST(StarlarkInterpreterTest, LoadIsCachedAndFreezesTheLoadedModule) {
  int loads = 0;
  InterpreterOptions options;
  options.loader = [&loads](Interpreter& interp, const std::string& name) -> Result<Value> {
    ++loads;
    if (name == "lib.star") return interp.ExecFile("lib.star", "items = [1]\n_private = 2\n", {});
    if (name == "native.in") return interp.NewStruct("module", "native.in", {{"k", Value::Int(7)}});
    return Status::NotFound("no such file");
  };
  Interpreter interp(options);
  Result<Value> m = interp.ExecFile("a.star",
                                    "load('lib.star', 'items')\nload('lib.star', "
                                    "l='items')\nload('native.in', 'k')\nsame = items == l",
                                    {});
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(loads, 2);
  EXPECT_TRUE(m->struct_value()->Get("same")->bool_value());
  EXPECT_EQ(m->struct_value()->Get("k")->int_value(), 7);

  m = interp.ExecFile("b.star", "load('lib.star', 'items')\nitems.append(2)", {});
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().message().substr(0, m.status().message().find('\n')),
            "b.star:2:7: cannot append to frozen list");
  m = interp.ExecFile("c.star", "load('nope.star', 'x')", {});
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().message().substr(0, m.status().message().find('\n')),
            "c.star:1:6: cannot load \"nope.star\": no such file");
}

TEST(StarlarkInterpreterTest, LoadCyclesAreErrors) {
  InterpreterOptions options;
  options.loader = [](Interpreter& interp, const std::string& name) -> Result<Value> {
    if (name == "a.star") return interp.ExecFile("a.star", "load('b.star', 'x')\ny = 1", {});
    return interp.ExecFile("b.star", "load('a.star', 'y')\nx = 1", {});
  };
  Interpreter interp(options);
  Result<Value> m = interp.ExecFile("main.star", "load('a.star', 'y')", {});
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().message().substr(0, m.status().message().find('\n')),
            "b.star:1:6: cycle in load graph: a.star -> b.star -> a.star");
}

TEST(StarlarkInterpreterTest, PrintGoesToTheSink) {
  std::vector<std::string> lines;
  InterpreterOptions options;
  options.print = [&lines](const std::string& line) { lines.push_back(line); };
  Interpreter interp(options);
  ASSERT_TRUE(interp.ExecFile("p.star", "print('a', 1, [2])\nprint('x', 'y', sep='-')", {}).ok());
  EXPECT_EQ(lines, (std::vector<std::string>{"a 1 [2]", "x-y"}));
}

TEST(StarlarkInterpreterTest, CallFromNativeCode) {
  Interpreter interp;
  Result<Value> m = interp.ExecFile("f.star", "def add(a, b=10):\n  return a + b", {});
  ASSERT_TRUE(m.ok());
  Value add = *m->struct_value()->Get("add");
  Result<Value> r = interp.Call(add, {Value::Int(1)}, {{"b", Value::Int(2)}});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->int_value(), 3);
  EXPECT_FALSE(interp.Call(add, {}).ok());
}

// A native that calls back into Starlark: the callback's error keeps its position and gains the
// native's call site; the native's own error after a failed callback is located at its call.
TEST(StarlarkInterpreterTest, ErrorsAroundCallbacksKeepTheirPosition) {
  Interpreter interp;
  Predeclared env = {
      {"call",
       interp.NewBuiltin(
           "call", [](Interpreter& in, const Args& a) { return in.Call(a.positional()[0], {}); })},
      {"try_call",
       interp.NewBuiltin("try_call", [](Interpreter& in, const Args& a) -> Result<Value> {
         Result<Value> r = in.Call(a.positional()[0], {});
         if (r.ok()) return Value();
         return Status::InvalidArgument("the callback failed");
       })}};
  Result<Value> m = interp.ExecFile("t.star", "def f():\n  return 1 // 0\n\ncall(f)\n", env);
  ASSERT_FALSE(m.ok());
  const std::string& msg = m.status().message();
  EXPECT_EQ(msg.rfind("t.star:2:12: integer division by zero", 0), 0u) << msg;
  EXPECT_NE(msg.find("called from t.star:4:1"), std::string::npos) << msg;

  m = interp.ExecFile("u.star", "x = 1\ntry_call(lambda: 1 // 0)\n", env);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().message().rfind("u.star:2:1: the callback failed", 0), 0u)
      << m.status().message();

  m = interp.ExecFile("v.star", "r = sorted([2, 1], key=lambda x: x // 0)\n", env);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().message().rfind("v.star:1:36: integer division by zero", 0), 0u)
      << m.status().message();
}

TEST(StarlarkInterpreterTest, PredeclaredValuesAreFrozen) {
  Interpreter interp;
  Predeclared env = {{"shared", interp.NewList({Value::Int(1)})}};
  Result<Value> m = interp.ExecFile("a.star", "shared.append(2)", env);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("cannot append to frozen list"), std::string::npos);
}

TEST(StarlarkLexerTest, IndentationTokens) {
  Result<std::vector<Token>> toks = Lex({"t.star", "if x:\n  y = [\n1,\n]\n\n  # c\nz\n"});
  ASSERT_TRUE(toks.ok()) << toks.status().message();
  std::string kinds;
  for (const Token& t : *toks) kinds += std::string(TokName(t.kind)) + " ";
  EXPECT_EQ(
      kinds,
      "'if' identifier ':' newline indent identifier '=' '[' integer ',' ']' newline unindent "
      "identifier newline end of file ");
}

}  // namespace
}  // namespace berth::starlark
