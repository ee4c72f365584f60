// Table tests of the Starlark subset: snippets and the value or error they give.
#include <gtest/gtest.h>

#include "appspec/starlark/interpreter.h"

namespace berth::starlark {
namespace {

// Runs `program` and returns repr(r), or the error message.
std::string RunSnippet(const std::string& program, int64_t max_steps = 1'000'000) {
  InterpreterOptions options;
  options.max_steps = max_steps;
  Interpreter interp(options);
  Result<Value> m = interp.ExecFile("t.star", program, {});
  if (!m.ok()) return "error: " + m.status().message();
  const Value* r = m->struct_value()->Get("r");
  if (r == nullptr) return "no r";
  Result<std::string> s = Repr(interp, *r);
  return s.ok() ? *s : "error: " + s.status().message();
}

struct Case {
  const char* expr;
  const char* want;
};

TEST(StarlarkEvalTest, Expressions) {
  const Case cases[] = {
      // Literals.
      {"None", "None"},
      {"True", "True"},
      {"42", "42"},
      {"0x1F", "31"},
      {"0o17", "15"},
      {"0b101", "5"},
      {"'a' + \"b\"", "\"ab\""},
      {"'''x\ny'''", "\"x\\ny\""},
      {"'tab\\there'", "\"tab\\there\""},
      {"'\\x41\\u00e9'", "\"A\xc3\xa9\""},
      {"r'a\\nb'", "\"a\\\\nb\""},
      {"[1, 2, 3]", "[1, 2, 3]"},
      {"(1,)", "(1,)"},
      {"()", "()"},
      {"{'a': 1, 'b': 2}", "{\"a\": 1, \"b\": 2}"},
      {"{'b': 1, 'a': 2}", "{\"b\": 1, \"a\": 2}"},
      {"[\n  1,\n  2,\n]", "[1, 2]"},
      // Arithmetic.
      {"1 + 2 * 3", "7"},
      {"(1 + 2) * 3", "9"},
      {"7 // 2", "3"},
      {"-7 // 2", "-4"},
      {"7 % 3", "1"},
      {"-7 % 3", "2"},
      {"7 % -3", "-2"},
      {"-(3)", "-3"},
      {"+3", "3"},
      {"9223372036854775807", "9223372036854775807"},
      // Comparison and logic.
      {"1 < 2", "True"},
      {"'a' < 'b'", "True"},
      {"[1, 2] < [1, 3]", "True"},
      {"(1, 2) == (1, 2)", "True"},
      {"1 == '1'", "False"},
      {"{'a': 1} == {'a': 1}", "True"},
      {"1 != 2", "True"},
      {"1 and 2", "2"},
      {"0 and 2", "0"},
      {"0 or 'x'", "\"x\""},
      {"not 0", "True"},
      {"not []", "True"},
      {"'a' if 1 > 2 else 'b'", "\"b\""},
      // Membership.
      {"'ell' in 'hello'", "True"},
      {"2 in [1, 2]", "True"},
      {"3 not in (1, 2)", "True"},
      {"'a' in {'a': 1}", "True"},
      // Strings, lists, tuples.
      {"'ab' * 3", "\"ababab\""},
      {"3 * [0]", "[0, 0, 0]"},
      {"[1] + [2]", "[1, 2]"},
      {"(1,) + (2,)", "(1, 2)"},
      {"'%s-%d' % ('a', 5)", "\"a-5\""},
      {"'%r' % 'x'", "\"\\\"x\\\"\""},
      {"'%(name)s!' % {'name': 'bob'}", "\"bob!\""},
      {"'%x %o %%' % (255, 8)", "\"ff 10 %\""},
      {"'abc'[1]", "\"b\""},
      {"'abc'[-1]", "\"c\""},
      {"[1, 2, 3][1:]", "[2, 3]"},
      {"[1, 2, 3][::-1]", "[3, 2, 1]"},
      {"'hello'[1:3]", "\"el\""},
      {"'hello'[-3:]", "\"llo\""},
      {"(1, 2, 3, 4)[::2]", "(1, 3)"},
      {"[1, 2, 3][5:]", "[]"},
      // Comprehensions.
      {"[x * x for x in range(5)]", "[0, 1, 4, 9, 16]"},
      {"[x for x in range(10) if x % 3 == 0]", "[0, 3, 6, 9]"},
      {"[(a, b) for a in [1, 2] for b in 'xy'.split('y')]",
       "[(1, \"x\"), (1, \"\"), (2, \"x\"), (2, \"\")]"},
      {"{k: v for k, v in [('a', 1), ('b', 2)]}", "{\"a\": 1, \"b\": 2}"},
      {"[x if x else 'z' for x in [0, 1]]", "[\"z\", 1]"},
      // Builtins.
      {"len('abc')", "3"},
      {"len({'a': 1})", "1"},
      {"str(12)", "\"12\""},
      {"str([1, 'a'])", "\"[1, \\\"a\\\"]\""},
      {"repr('a')", "\"\\\"a\\\"\""},
      {"int('42')", "42"},
      {"int(' -7 ')", "-7"},
      {"int('ff', 16)", "255"},
      {"int('0x10', 0)", "16"},
      {"int(True)", "1"},
      {"bool([])", "False"},
      {"bool('x')", "True"},
      {"list((1, 2))", "[1, 2]"},
      {"tuple([1])", "(1,)"},
      {"dict([('a', 1)], b=2)", "{\"a\": 1, \"b\": 2}"},
      {"list(range(3))", "[0, 1, 2]"},
      {"list(range(1, 10, 4))", "[1, 5, 9]"},
      {"list(range(5, 0, -2))", "[5, 3, 1]"},
      {"enumerate(['a', 'b'], 1)", "[(1, \"a\"), (2, \"b\")]"},
      {"sorted([3, 1, 2])", "[1, 2, 3]"},
      {"sorted(['b', 'a'], reverse=True)", "[\"b\", \"a\"]"},
      {"sorted([(2, 'a'), (1, 'b')])", "[(1, \"b\"), (2, \"a\")]"},
      {"type(1)", "\"int\""},
      {"type('')", "\"string\""},
      {"type(None)", "\"NoneType\""},
      {"type({})", "\"dict\""},
      {"hasattr('', 'split')", "True"},
      {"hasattr('', 'nope')", "False"},
      {"getattr('a,b', 'split')(',')", "[\"a\", \"b\"]"},
      {"getattr('', 'nope', 7)", "7"},
      {"min(3, 1, 2)", "1"},
      {"max([3, 1, 2])", "3"},
      {"max(['aa', 'b'], key=len)", "\"aa\""},
      {"any([0, 1])", "True"},
      {"all([1, 0])", "False"},
      {"all([])", "True"},
      {"zip([1, 2], 'ab'.split('x'))", "[(1, \"ab\")]"},
      {"zip([1, 2], [3, 4])", "[(1, 3), (2, 4)]"},
      {"reversed([1, 2])", "[2, 1]"},
      // String methods.
      {"'{} and {}'.format(1, 'x')", "\"1 and x\""},
      {"'{0}{1}{0}'.format('a', 'b')", "\"aba\""},
      {"'{name}!'.format(name='n')", "\"n!\""},
      {"'{{}}'.format()", "\"{}\""},
      {"'{!r}'.format('q')", "\"\\\"q\\\"\""},
      {"'abc'.startswith('ab')", "True"},
      {"'abc'.startswith(('x', 'a'))", "True"},
      {"'abc'.endswith('bc')", "True"},
      {"' a  b '.split()", "[\"a\", \"b\"]"},
      {"'a,b,,c'.split(',')", "[\"a\", \"b\", \"\", \"c\"]"},
      {"'a,b,c'.split(',', 1)", "[\"a\", \"b,c\"]"},
      {"'-'.join(['a', 'b'])", "\"a-b\""},
      {"'aXbX'.replace('X', '-')", "\"a-b-\""},
      {"'aaa'.replace('a', 'b', 2)", "\"bba\""},
      {"'  x '.strip()", "\"x\""},
      {"'xxaxx'.strip('x')", "\"a\""},
      {"'  x'.lstrip()", "\"x\""},
      {"'x  '.rstrip()", "\"x\""},
      {"'AbC'.lower()", "\"abc\""},
      {"'AbC'.upper()", "\"ABC\""},
      {"'hello'.find('l')", "2"},
      {"'hello'.find('z')", "-1"},
      {"'hello'.find('l', 3)", "3"},
      {"'hello'.count('l')", "2"},
      {"'123'.isdigit()", "True"},
      {"'12a'.isdigit()", "False"},
      {"''.isdigit()", "False"},
      // List and dict methods.
      {"[1, 2, 3].index(3)", "2"},
      {"{'a': 1}.get('a')", "1"},
      {"{'a': 1}.get('b')", "None"},
      {"{'a': 1}.get('b', 5)", "5"},
      {"{'a': 1, 'b': 2}.keys()", "[\"a\", \"b\"]"},
      {"{'a': 1, 'b': 2}.values()", "[1, 2]"},
      {"{'a': 1}.items()", "[(\"a\", 1)]"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(RunSnippet(std::string("r = ") + c.expr), c.want) << c.expr;
  }
}

TEST(StarlarkEvalTest, Programs) {
  const Case cases[] = {
      {"def f(a, b=2):\n  return a + b\nr = [f(1), f(1, 3), f(b=5, a=1)]", "[3, 4, 6]"},
      {"def f(*args, **kwargs):\n  return (args, kwargs)\nr = f(1, 2, x=3)",
       "((1, 2), {\"x\": 3})"},
      {"def f(a, b, c):\n  return [a, b, c]\nr = f(*[1, 2], **{'c': 3})", "[1, 2, 3]"},
      {"def f():\n  pass\nr = f()", "None"},
      {"r = 0\nfor i in range(10):\n  if i == 2:\n    continue\n  if i == 5:\n    break\n  r += i",
       "8"},
      {"r = []\nfor k, v in {'a': 1, 'b': 2}.items():\n  r.append(k + str(v))", "[\"a1\", \"b2\"]"},
      {"r = []\nfor (a, b) in [(1, 2)]:\n  r.append(a + b)", "[3]"},
      {"x = 5\nif x > 10:\n  r = 'big'\nelif x > 3:\n  r = 'mid'\nelse:\n  r = 'small'", "\"mid\""},
      {"if True: r = 1", "1"},
      {"r = 1; r += 1; r *= 5", "10"},
      {"r = [1]\nr += [2]", "[1, 2]"},
      {"r = {}\nr['a'] = 1\nr['a'] += 1", "{\"a\": 2}"},
      {"r = [0, 0]\nr[-1] = 7", "[0, 7]"},
      {"a, b = 1, 2\nr = (b, a)", "(2, 1)"},
      {"[a, b] = 'x y'.split()\nr = a + b", "\"xy\""},
      {"d = {'a': 1}\nd.update({'b': 2}, c=3)\nr = d", "{\"a\": 1, \"b\": 2, \"c\": 3}"},
      {"d = {'a': 1, 'b': 2}\nr = [d.pop('a'), d.pop('z', 0), d]", "[1, 0, {\"b\": 2}]"},
      {"d = {}\nr = [d.setdefault('a', []), d]", "[[], {\"a\": []}]"},
      {"l = [1]\nl.extend((2, 3))\nl.insert(0, 0)\nr = [l.pop(), l]", "[3, [0, 1, 2]]"},
      {"def f(x):\n  return x * 2\ndef g(y):\n  return f(y) + 1\nr = g(3)", "7"},
      {"def f():\n  x = [i for i in range(3)]\n  return x\nr = f()", "[0, 1, 2]"},
      {"x = 10\ndef f():\n  return x + 1\nr = f()", "11"},
      {"def f(x):\n  for i in range(10):\n    if i == x:\n      return i\n  return -1\nr = [f(3), "
       "f(20)]",
       "[3, -1]"},
      {"r = [i for i in range(3)]\ni = 7\nr.append(i)", "[0, 1, 2, 7]"},
      {"# comment\n\nr = 1  # trailing\n\n", "1"},
      {"r = (1 +\n     2)", "3"},
      {"r = 1 + \\\n    2", "3"},
      {"def f(\n    a,\n    b):\n  return a - b\nr = f(5, 2)", "3"},
      {"l = [1]\nl.append(l)\nr = str(l)", "\"[1, [...]]\""},
      {"r = sorted([3, 1, 2], key=lambda_free) if False else 1", "1"},
      {"def k(x):\n  return -x\nr = sorted([1, 3, 2], key=k)", "[3, 2, 1]"},
      {"r = 'a'\nr += 'b'", "\"ab\""},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(RunSnippet(c.expr), c.want) << c.expr;
  }
}

// Errors: the first line of the message ("t.star:line:col: ...").
TEST(StarlarkEvalTest, Errors) {
  const Case cases[] = {
      {"r = x", "t.star:1:5: undefined name \"x\""},
      {"port = 1\nr = prot", "t.star:2:5: undefined name \"prot\" (did you mean \"port\"?)"},
      {"r = 1 + 'a'", "t.star:1:7: unknown binary op: int + string"},
      {"r = 1 < 'a'", "t.star:1:7: int < string not implemented"},
      {"r = 1 // 0", "t.star:1:7: integer division by zero"},
      {"r = 1 % 0", "t.star:1:7: integer modulo by zero"},
      {"r = 1 / 0", "t.star:1:7: floating-point division by zero"},
      {"r = [1][5]", "t.star:1:8: list index 5 out of range [-1:0]"},
      {"r = [][0]", "t.star:1:7: list index 0 out of range: empty list"},
      {"r = {}['k']", "t.star:1:7: key \"k\" not in dict"},
      {"r = {[]: 1}", "t.star:1:6: unhashable type: list"},
      {"r = len(1)", "t.star:1:9: len: int value has no len()"},
      {"r = 'x'.nope", "t.star:1:9: string has no .nope field or method"},
      {"r = 'x'.splt(',')",
       "t.star:1:9: string has no .splt field or method (did you mean .split?)"},
      {"def f(port):\n  pass\nf(prot=1)",
       "t.star:3:3: unknown keyword argument \"prot\" (did you mean \"port\"?)"},
      {"def f(a):\n  pass\nf()", "t.star:3:1: function f missing 1 argument (a)"},
      {"def f(a):\n  pass\nf(1, 2)",
       "t.star:3:6: f() accepts at most 1 positional argument (2 given)"},
      {"def f():\n  return g()\ndef g():\n  return f()\nr = f()",
       "t.star:4:10: function f called recursively (recursion is not allowed)"},
      {"fail('bad', 'thing')", "t.star:1:1: fail: bad thing"},
      {"def f():\n  x = x + 1\nf()", "t.star:2:7: local variable x referenced before assignment"},
      {"a, b = [1, 2, 3]", "t.star:1:1: too many values to unpack (got 3, want 2)"},
      {"for x in 'abc':\n  pass", "t.star:1:10: string value is not iterable"},
      {"r = 1\nr.x = 2", "t.star:2:3: can't assign to .x field of int"},
      {"r = '%s %s' % (1,)", "t.star:1:13: not enough arguments for format string"},
      {"r = '%d' % 'x'", "t.star:1:10: %d format requires an int, not string"},
      {"r = 'x'()", "t.star:1:8: string value is not callable"},
      {"r = int('abc')", "t.star:1:9: int: invalid literal with base 10: abc"},
      {"r = sorted([1, 'a'])", "t.star:1:5: sorted: string < int not implemented"},
      {"r = '{}'.format()", "t.star:1:10: format: tuple index out of range"},
      {"r = [1][::0]", "t.star:1:8: slice step cannot be zero"},
      {"load('x.star', 'y')", "t.star:1:6: cannot load \"x.star\": load is not available here"},
      // Syntax errors.
      {"r = (1, 2", "t.star:1:10: syntax error: expected ')', got newline"},
      {"r = 1 +", "t.star:1:8: syntax error: expected an expression, got newline"},
      {"if True:\nr = 1", "t.star:2:1: syntax error: expected an indented block, got identifier"},
      {"  r = 1", "t.star:1:3: unexpected indent"},
      {"if 1:\n    a = 1\n  b = 2",
       "t.star:3:3: unindent does not match any outer indentation level"},
      {"while True:\n  pass", "t.star:1:1: 'while' loops are not supported in Starlark; use 'for'"},
      {"r = 'abc\n",
       "t.star:1:5: unterminated string literal (use triple quotes for multi-line strings)"},
      {"r = '\\q'", "t.star:1:6: invalid escape sequence \\q"},
      {"r = 1 < 2 < 3",
       "t.star:1:11: comparison operators cannot be chained; use parentheses or 'and'"},
      {"return 1", "t.star:1:1: 'return' outside a function"},
      {"break", "t.star:1:1: 'break' outside a loop"},
      {"def f(a=1, b):\n  pass",
       "t.star:1:12: parameter b without a default follows one with a default"},
      {"f(a=1, 2)", "t.star:1:8: positional argument follows keyword argument"},
      {"f(a=1, a=2)", "t.star:1:8: keyword argument \"a\" repeated"},
      {"r = $", "t.star:1:5: unexpected character '$'"},
      {"r = {1, 2}",
       "t.star:1:7: syntax error: expected ':' in dict literal (sets are not supported)"},
      {"a = b = 1", "t.star:1:7: chained assignment (a = b = c) is not supported"},
      {"load('x', '_y')", "t.star:1:11: load: symbol \"_y\" is private"},
      {"1 = 2", "t.star:1:1: cannot assign to this expression"},
  };
  for (const Case& c : cases) {
    std::string got = RunSnippet(c.expr);
    std::string first = got.substr(0, got.find('\n'));
    EXPECT_EQ(first, std::string("error: ") + c.want) << c.expr << "\n" << got;
  }
}

TEST(StarlarkEvalTest, ErrorShowsLineAndCaret) {
  EXPECT_EQ(RunSnippet("x = 1\ny = [\n    x,\n    zz,\n]"),
            "error: t.star:4:5: undefined name \"zz\"\n"
            "    zz,\n"
            "    ^");
  EXPECT_EQ(RunSnippet("\tr = len(1, 2)"),
            "error: t.star:1:2: unexpected indent\n"
            "\tr = len(1, 2)\n"
            "\t^");
}

TEST(StarlarkEvalTest, ErrorInsideFunctionShowsCallers) {
  EXPECT_EQ(RunSnippet("def f(x):\n  return x + 'a'\n\ndef g():\n  return f(1)\n\nr = g()"),
            "error: t.star:2:12: unknown binary op: int + string\n"
            "  return x + 'a'\n"
            "           ^\n"
            "  called from t.star:5:10\n"
            "  called from t.star:7:5");
}

TEST(StarlarkEvalTest, StepLimitStopsRunawayLoops) {
  std::string got =
      RunSnippet("r = 0\nfor i in range(1000):\n  for j in range(1000):\n    r += 1", 100'000);
  EXPECT_NE(got.find("evaluation step limit exceeded (100000 steps)"), std::string::npos) << got;
  got = RunSnippet("s = 'x'\nfor i in range(64):\n  s = s + s", 100'000);
  EXPECT_NE(got.find("step limit exceeded"), std::string::npos) << got;
  got = RunSnippet("r = list(range(1000000000000))", 100'000);
  EXPECT_NE(got.find("step limit exceeded"), std::string::npos) << got;
  got = RunSnippet("r = 'x' * 100000000000", 100'000);
  EXPECT_NE(got.find("repeat count 100000000000 too large"), std::string::npos) << got;
  got = RunSnippet("r = [1] * 100000000", 100'000);
  EXPECT_NE(got.find("step limit exceeded"), std::string::npos) << got;
}

TEST(StarlarkEvalTest, DeepNestingIsAnErrorNotACrash) {
  std::string deep(5000, '(');
  EXPECT_NE(RunSnippet("r = " + deep).find("nested too deeply"), std::string::npos);
  std::string sum = "r = 1";
  for (int i = 0; i < 5000; ++i) sum += " + 1";
  EXPECT_NE(RunSnippet(sum).find("nested too deeply"), std::string::npos);
  std::string nots = "r = ";
  for (int i = 0; i < 5000; ++i) nots += "not ";
  EXPECT_NE(RunSnippet(nots + "1").find("nested too deeply"), std::string::npos);
  // A value nested deeper than repr will print.
  std::string got = RunSnippet("x = []\nfor i in range(1000):\n  x = [x]\nr = str(x)");
  EXPECT_NE(got.find("nested too deeply"), std::string::npos) << got;
  // A long chain of distinct functions.
  std::string chain = "def f0():\n  return 0\n";
  for (int i = 1; i < 300; ++i) {
    chain += "def f" + std::to_string(i) + "():\n  return f" + std::to_string(i - 1) + "()\n";
  }
  chain += "r = f299()";
  EXPECT_NE(RunSnippet(chain).find("call stack is too deep"), std::string::npos);
}

// The deepest evaluation the limits allow: a chain of functions, each calling the next from
// inside a deeply nested expression. It must end in a value or an error, not a stack overflow.
TEST(StarlarkEvalTest, WorstCaseStackDepth) {
  std::string program = "def f0():\n  return 0\n";
  std::string open, close;
  for (int i = 0; i < 95; ++i) {
    open += "(1+";
    close += ")";
  }
  for (int i = 1; i < 99; ++i) {
    program += "def f" + std::to_string(i) + "():\n  return " + open + " f" +
               std::to_string(i - 1) + "() " + close + "\n";
  }
  program += "r = f98()\n";
  std::string got = RunSnippet(program, 10'000'000);
  EXPECT_NE(got.find("nested too deeply"), std::string::npos) << got.substr(0, 200);
}

TEST(StarlarkEvalTest, DeepNestingWithinLimitsWorks) {
  std::string expr = "r = " + std::string(40, '[') + "1" + std::string(40, ']');
  EXPECT_EQ(RunSnippet(expr).substr(0, 3), "[[[");
  std::string sum = "r = 1";
  for (int i = 0; i < 150; ++i) sum += " + 1";
  EXPECT_EQ(RunSnippet(sum), "151");
}

TEST(StarlarkEvalTest, ModuleValuesAreFrozen) {
  Interpreter interp;
  Result<Value> m = interp.ExecFile("a.star", "l = [1]\nd = {'a': 1}", {});
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_TRUE(m->struct_value()->Get("l")->list()->frozen());
  EXPECT_TRUE(m->struct_value()->Get("d")->dict()->frozen());
}

}  // namespace
}  // namespace berth::starlark
