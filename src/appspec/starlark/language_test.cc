// Table tests of the Starlark language beyond the original subset, one table per feature
// family: closures and lambda, floats, big ints, bitwise operators, bytes, string methods and
// builtins.
#include <gtest/gtest.h>

#include "appspec/starlark/interpreter.h"

namespace berth::starlark {
namespace {

// Runs `program` and returns repr(r), or "error: " and the first line of the message.
std::string Run(const std::string& program, InterpreterOptions options = {}) {
  options.max_steps = 1'000'000;
  Interpreter interp(options);
  Result<Value> m = interp.ExecFile("t.star", program, {});
  if (!m.ok()) {
    const std::string& msg = m.status().message();
    return "error: " + msg.substr(0, msg.find('\n'));
  }
  const Value* r = m->struct_value()->Get("r");
  if (r == nullptr) return "no r";
  Result<std::string> s = Repr(interp, *r);
  return s.ok() ? *s : "error: " + s.status().message();
}

struct Case {
  const char* program;
  const char* want;
};

void Check(const std::vector<Case>& cases) {
  for (const Case& c : cases) EXPECT_EQ(Run(c.program), c.want) << c.program;
}

// `r = expr` for each expression.
void CheckExprs(const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    EXPECT_EQ(Run(std::string("r = ") + c.program), c.want) << c.program;
  }
}

TEST(StarlarkLanguageTest, LambdaAndClosures) {
  Check({
      {"r = (lambda: 1)()", "1"},
      {"r = (lambda x, y=2: x * y)(3)", "6"},
      {"r = sorted([3, 1, 2], key=lambda x: -x)", "[3, 2, 1]"},
      {"r = [f(2) for f in [lambda x: x + 1, lambda x: x * 10]]", "[3, 20]"},
      {"def adder(n):\n  return lambda x: x + n\nr = adder(5)(1)", "6"},
      {"def outer():\n  def inner(a):\n    return a * 2\n  return inner(4)\nr = outer()", "8"},
      // Closures see the enclosing variable's latest value.
      {"def f():\n  x = 1\n  g = lambda: x\n  x = 2\n  return g()\nr = f()", "2"},
      {"def f():\n  fs = []\n  for i in range(3):\n    fs.append(lambda i=i: i)\n  return [g() "
       "for g in fs]\nr = f()",
       "[0, 1, 2]"},
      {"def f(a):\n  def g(b):\n    def h(c):\n      return a + b + c\n    return h\n  return "
       "g\nr = f(1)(2)(3)",
       "6"},
      {"r = [(lambda: x)() for x in [1, 2]]", "[1, 2]"},
      {"x = 10\ndef f():\n  return (lambda: x)()\nr = f()", "10"},
      {"r = str(lambda x: x)", "\"<function lambda>\""},
      {"r = type(lambda: 0)", "\"function\""},
      // Keyword-only parameters.
      {"def f(a, *, b, c=3):\n  return (a, b, c)\nr = f(1, b=2)", "(1, 2, 3)"},
      {"def f(*args, b):\n  return (args, b)\nr = f(1, 2, b=3)", "((1, 2), 3)"},
      {"r = (lambda *a, **k: (a, k))(1, z=2)", "((1,), {\"z\": 2})"},
      // Errors.
      {"def f():\n  g = lambda: y\n  r = g()\n  y = 1\nf()",
       "error: t.star:2:15: local variable y referenced before assignment"},
      {"def f(a, *, b):\n  pass\nf(1, 2)",
       "error: t.star:3:6: f() accepts at most 1 positional argument (2 given)"},
      {"def f(a, *, b):\n  pass\nf(1)", "error: t.star:3:1: function f missing 1 argument (b)"},
      {"r = lambda: return",
       "error: t.star:1:13: syntax error: expected an expression, got 'return'"},
  });
}

TEST(StarlarkLanguageTest, Floats) {
  CheckExprs({
      {"1.5", "1.5"},
      {"1.0", "1.0"},
      {".5", "0.5"},
      {"1e3", "1000.0"},
      {"1e6", "1e+06"},
      {"123456.0", "123456.0"},
      {"1.5e-7", "1.5e-07"},
      {"0.0001", "0.0001"},
      {"1e300 * 1e300", "+inf"},
      {"-1e300 * 1e300", "-inf"},
      {"0.1 + 0.2", "0.30000000000000004"},
      {"100 / 7.0", "14.285714285714286"},
      {"1 / 2", "0.5"},
      {"4 / 2", "2.0"},
      {"7.5 // 2", "3.0"},
      {"-7.5 // 2", "-4.0"},
      {"7.5 % 2", "1.5"},
      {"-7.5 % 2", "0.5"},
      {"7.5 % -2", "-0.5"},
      {"1 + 2.0", "3.0"},
      {"2 * 1.5", "3.0"},
      {"-0.0", "-0.0"},
      {"1 == 1.0", "True"},
      {"1 < 1.5", "True"},
      {"2.5 > 2", "True"},
      {"{1: 'a'}[1.0]", "\"a\""},
      {"float('1.25')", "1.25"},
      {"float('inf')", "+inf"},
      {"float('-Infinity')", "-inf"},
      {"float('nan')", "nan"},
      {"float(3)", "3.0"},
      {"float(True)", "1.0"},
      {"float()", "0.0"},
      {"int(2.9)", "2"},
      {"int(-2.9)", "-2"},
      {"int(1e20)", "100000000000000000000"},
      {"str(2.0)", "\"2.0\""},
      {"type(1.0)", "\"float\""},
      {"'%f' % 1.5", "\"1.500000\""},
      {"'%e' % 123", "\"1.230000e+02\""},
      {"'%g' % 1.5", "\"1.5\""},
      {"'%g' % 1e6", "\"1e+06\""},
      {"'%d' % 3.9", "\"3\""},
      {"sorted([2, 1.5, -1, 0.5])", "[-1, 0.5, 1.5, 2]"},
      {"abs(-2.5)", "2.5"},
      {"bool(0.0)", "False"},
      {"max(1, 2.5)", "2.5"},
      {"float('1e400')", "error: t.star:1:11: float: floating-point number too large"},
      {"1.0 / 0", "error: t.star:1:9: floating-point division by zero"},
      {"1.0 // 0", "error: t.star:1:9: floored division by zero"},
      {"1.5 < 'a'", "error: t.star:1:9: float < string not implemented"},
      {"int(float('nan'))", "error: t.star:1:9: int: cannot convert float NaN to integer"},
      {"float('x')", "error: t.star:1:11: float: invalid float literal: x"},
  });
}

TEST(StarlarkLanguageTest, BigInts) {
  CheckExprs({
      {"9223372036854775807 + 1", "9223372036854775808"},
      {"-9223372036854775808 - 1", "-9223372036854775809"},
      {"3037000500 * 3037000500", "9223372037000250000"},
      {"99999999999999999999", "99999999999999999999"},
      {"0xffffffffffffffffff", "4722366482869645213695"},
      {"123456789012345678901234567890 * 987654321098765432109876543210",
       "121932631137021795226185032733622923332237463801111263526900"},
      {"(1 << 100) // 3", "422550200076076467165567735125"},
      {"(1 << 100) % 7", "2"},
      {"-(1 << 100) // 7", "-181092942889747057356671886483"},
      {"-(1 << 100) % 7", "5"},
      {"(1 << 100) // (1 << 40)", "1152921504606846976"},
      {"(1 << 64) - 1", "18446744073709551615"},
      {"(1 << 64) - (1 << 64) == 0", "True"},
      {"(1 << 70) > (1 << 69)", "True"},
      {"-(1 << 70) < 5", "True"},
      {"(1 << 70) == 1180591620717411303424", "True"},
      {"(1 << 70) < 1.5e21", "True"},
      {"float(1 << 70)", "1.1805916207174113e+21"},
      {"int('123456789012345678901234567890')", "123456789012345678901234567890"},
      {"int('-0x10000000000000000', 16)", "-18446744073709551616"},
      {"str(-(1 << 65))", "\"-36893488147419103232\""},
      {"{(1 << 65): 'x'}[1 << 65]", "\"x\""},
      {"'%x' % (1 << 65)", "\"20000000000000000\""},
      {"-(-9223372036854775807 - 1)", "9223372036854775808"},
      {"abs(-(1 << 65))", "36893488147419103232"},
      {"type(1 << 65)", "\"int\""},
      {"(1 << 65) // 0", "error: t.star:1:15: integer division by zero"},
  });
}

TEST(StarlarkLanguageTest, BitwiseOperators) {
  CheckExprs({
      {"6 & 3", "2"},
      {"6 | 3", "7"},
      {"6 ^ 3", "5"},
      {"~5", "-6"},
      {"1 << 10", "1024"},
      {"1024 >> 3", "128"},
      {"-9 >> 1", "-5"},
      {"1 << 63", "9223372036854775808"},
      {"-1 & 0xff", "255"},
      {"(1 << 80) | 1", "1208925819614629174706177"},
      {"((1 << 80) | 5) & 7", "5"},
      {"-(1 << 80) & 0xffff", "0"},
      {"(-(1 << 80) - 1) & 0xffff", "65535"},
      {"~(1 << 80)", "-1208925819614629174706177"},
      {"(1 << 80) >> 78", "4"},
      {"1 | 2 ^ 3 & 4", "3"},
      {"1 + 1 << 2", "8"},
      {"{'a': 1} | {'b': 2}", "{\"a\": 1, \"b\": 2}"},
      {"1 << -1", "error: t.star:1:7: negative shift count"},
      {"1 << 1000", "error: t.star:1:7: shift count too large: 1000"},
      {"1.0 & 1", "error: t.star:1:9: unknown binary op: float & int"},
  });
  Check({
      {"r = 12\nr &= 10\nr |= 1\nr ^= 2\nr <<= 2\nr >>= 1", "22"},
      {"r = 5\nr /= 2", "2.5"},
      {"d = {'a': 1}\nr = d\nr |= {'b': 2}\nr = [r, d]",
       "[{\"a\": 1, \"b\": 2}, {\"a\": 1, \"b\": 2}]"},
  });
}

TEST(StarlarkLanguageTest, MutationWhileIteratingAndDuplicateKeys) {
  Check({
      {"l = [1, 2]\nfor x in l:\n  l.append(x)",
       "error: t.star:3:5: cannot append to list during iteration"},
      {"d = {1: 2}\nfor k in d:\n  d[k + 1] = 0",
       "error: t.star:3:4: cannot insert into hash table during iteration"},
      {"r = {1: 2, 1: 3}", "error: t.star:1:12: duplicate key: 1"},
      {"l = [1, 2]\nfor x in l:\n  pass\nl.append(3)\nr = l", "[1, 2, 3]"},
  });
}

TEST(StarlarkLanguageTest, DictGetIsPositionalOnly) {
  Check({
      {"r = {1: 2}.get(1, 5)", "2"},
      {"r = {}.get(1, default=2)", "error: t.star:1:15: get: unexpected keyword arguments"},
  });
}

TEST(StarlarkLanguageTest, Bytes) {
  CheckExprs({
      {"b'abc'", "b\"abc\""},
      {"b'\\xff\\x00'", "b\"\\xff\\x00\""},
      {"len(b'abc')", "3"},
      {"b'abc'[1]", "b\"b\""},
      {"b'abc'[-1]", "b\"c\""},
      {"b'ab' * 2", "b\"abab\""},
      {"'abc' * (1 << 40)", "error: t.star:1:11: repeat count 1099511627776 too large"},
      {"[1, 2] * (1 << 29)", "error: t.star:1:12: excessive repeat (2 * 536870912 elements)"},
      {"str(b'h\\xc3\\xa9')", "\"hé\""},
      {"b'h\\xc3\\xa9'", "b\"hé\""},
      {"hash(b'')", "2166136261"},
      {"b'abcd'[1:3]", "b\"bc\""},
      {"b'abc' == b'abc'", "True"},
      {"b'abc' < b'abd'", "True"},
      {"b'ab' in b'cab'", "True"},
      {"98 in b'abc'", "True"},
      {"type(b'')", "\"bytes\""},
      {"bytes('hé')", "b\"hé\""},
      {"str(b'\\xff')", "\"\xef\xbf\xbd\""},
      {"bytes([104, 105])", "b\"hi\""},
      {"list(b'hi'.elems())", "[104, 105]"},
      {"type(b'hi'.elems())", "\"bytes.elems\""},
      {"{b'k': 1}[b'k']", "1"},
      {"b'a' == 'a'", "False"},
      {"b'abc'[3]", "error: t.star:1:11: bytes index 3 out of range [-3:2]"},
  });
}

TEST(StarlarkLanguageTest, StringMethods) {
  CheckExprs({
      {"'hello world'.capitalize()", "\"Hello world\""},
      {"'hello world'.title()", "\"Hello World\""},
      {"'Hello World'.istitle()", "True"},
      {"'Hello world'.istitle()", "False"},
      {"'abc'.isupper()", "False"},
      {"'ABC1'.isupper()", "True"},
      {"'abc1'.islower()", "True"},
      {"'abc1'.isalnum()", "True"},
      {"'abc1'.isalpha()", "False"},
      {"' \\t\\n'.isspace()", "True"},
      {"''.isspace()", "False"},
      {"'por qué'.upper()", "\"POR QUÉ\""},
      {"'ÀÉÎ'.lower()", "\"àéî\""},
      {"'abcabc'.rfind('b')", "4"},
      {"'abcabc'.rfind('z')", "-1"},
      {"'abcabc'.index('c')", "2"},
      {"'abcabc'.rindex('c')", "5"},
      {"'a=b=c'.partition('=')", "(\"a\", \"=\", \"b=c\")"},
      {"'a=b=c'.rpartition('=')", "(\"a=b\", \"=\", \"c\")"},
      {"'abc'.partition('=')", "(\"abc\", \"\", \"\")"},
      {"'abc'.rpartition('=')", "(\"\", \"\", \"abc\")"},
      {"'prefix-x'.removeprefix('prefix-')", "\"x\""},
      {"'x.star'.removesuffix('.star')", "\"x\""},
      {"'x'.removesuffix('y')", "\"x\""},
      {"'a,b,c'.rsplit(',', 1)", "[\"a,b\", \"c\"]"},
      {"'  a b  c '.rsplit(None, 1)", "[\"  a b\", \"c\"]"},
      {"'  a b  c '.split(None, 1)", "[\"a\", \"b  c \"]"},
      {"'  a b '.split(None, 0)", "[\"a b \"]"},
      {"'a b c'.rsplit()", "[\"a\", \"b\", \"c\"]"},
      {"'a\\nb\\r\\nc'.splitlines()", "[\"a\", \"b\", \"c\"]"},
      {"'a\\nb\\n'.splitlines(True)", "[\"a\\n\", \"b\\n\"]"},
      {"'a'.splitlines(1)", "error: t.star:1:20: splitlines: got int, want bool"},
      {"'%d' % True", "error: t.star:1:10: %d format: cannot convert bool to int"},
      {"[] in {1: 2}", "False"},
      {"list('héllo'.codepoints())", "[\"h\", \"é\", \"l\", \"l\", \"o\"]"},
      {"'hé'.codepoints()", "\"hé\".codepoints()"},
      {"type('hé'.codepoint_ords())", "\"string.codepoints\""},
      {"'ab'.elems()[0]", "\"a\""},
      {"'ab'.codepoints()[0]",
       "error: t.star:1:22: unhandled index operation string.codepoints[int]"},
      {"list('hé'.codepoint_ords())", "[104, 233]"},
      {"list('hé'.elem_ords())", "[104, 195, 169]"},
      {"list('ab'.elems())", "[\"a\", \"b\"]"},
      {"' x\\n'.strip('')", "\"x\""},
      {"'%c%c' % (65, 0x3b1)", "\"Aα\""},
      {"'é'[:1]", "\"\\xc3\""},
      {"'{a}'.format(b=1)",
       "error: t.star:1:11: format: keyword a not found (did you mean \"b\"?)"},
      {"'{0}{1}'.format(1)", "error: t.star:1:14: format: tuple index out of range"},
      {"'{a.b}'.format(1)",
       "error: t.star:1:13: format: syntax x.y is not supported in replacement fields"},
      {"'abc'.index('z')", "error: t.star:1:11: index: substring not found"},
      {"'a'.partition('')", "error: t.star:1:19: partition: empty separator"},
  });
}

TEST(StarlarkLanguageTest, Builtins) {
  CheckExprs({
      {"abs(-3)", "3"},
      {"abs(3)", "3"},
      {"chr(65) + chr(233)", "\"Aé\""},
      {"ord('A')", "65"},
      {"ord('é')", "233"},
      {"hash('a')", "97"},
      {"hash('ab')", "3105"},
      {"hash('é😿')", "1996875"},
      {"[1, 2, 1, 2].index(1, 1)", "2"},
      {"'abc'.startswith('b', 1)", "True"},
      {"2.0 in range(3)", "True"},
      {"float('nan') == float('nan')", "True"},
      {"dir('x')[:3]", "[\"capitalize\", \"codepoint_ords\", \"codepoints\"]"},
      {"int('ff', 16)", "255"},
      {"int('0x1f', 0)", "31"},
      {"int('-12')", "-12"},
      {"int()", "error: t.star:1:5: int: missing argument for x"},
      {"[x for x in [1, 2] if lambda: None]", "[1, 2]"},
      {"{(1, 2): 3}[1, 2]", "3"},
      {"'ab'.startswith", "<built-in method startswith of string value>"},
      {"type(range(3))", "\"range\""},
      {"range(3)", "range(3)"},
      {"range(1, 10, 2)", "range(1, 10, 2)"},
      {"list(range(1, 10, 3))", "[1, 4, 7]"},
      {"len(range(0x7fffffff))", "2147483647"},
      {"range(10)[3]", "3"},
      {"range(10)[2:8:2]", "range(2, 8, 2)"},
      {"list(range(10)[::-3])", "[9, 6, 3, 0]"},
      {"5 in range(0, 10, 5)", "True"},
      {"6 in range(0, 10, 5)", "False"},
      {"range(0) == range(5, 5)", "True"},
      {"[x * x for x in range(4)]", "[0, 1, 4, 9]"},
      {"max([3, 1, 2], key=lambda x: -x)", "1"},
      {"min('b', 'a', 'c')", "\"a\""},
      {"sorted(['bb', 'a', 'ccc'], key=len, reverse=True)", "[\"ccc\", \"bb\", \"a\"]"},
      {"{'a': 1, 'b': 2}.popitem()", "(\"a\", 1)"},
      {"chr(-1)", "error: t.star:1:9: chr: Unicode code point -1 out of range (<0)"},
      {"ord('ab')", "error: t.star:1:9: ord: string encodes 2 Unicode code points, want 1"},
  });
}

TEST(StarlarkLanguageTest, WhileAndRecursionOptions) {
  InterpreterOptions on;
  on.allow_while = true;
  on.allow_recursion = true;
  struct OptCase {
    const char* program;
    const char* want_off;  // with the default options
    const char* want_on;   // with while and recursion allowed
  };
  const OptCase cases[] = {
      {"def f():\n  i, n = 0, 0\n  while i < 5:\n    i += 1\n    if i == 2:\n      continue\n"
       "    n += i\n  return n\nr = f()",
       "error: t.star:3:3: 'while' loops are not supported in Starlark; use 'for'", "13"},
      {"def f():\n  while True:\n    return 7\nr = f()",
       "error: t.star:2:3: 'while' loops are not supported in Starlark; use 'for'", "7"},
      {"def f():\n  while 1:\n    break\n  return 0\nr = f()",
       "error: t.star:2:3: 'while' loops are not supported in Starlark; use 'for'", "0"},
      {"def fib(n):\n  return n if n < 2 else fib(n - 1) + fib(n - 2)\nr = fib(15)",
       "error: t.star:2:26: function fib called recursively (recursion is not allowed)", "610"},
      {"def even(n):\n  return True if n == 0 else odd(n - 1)\ndef odd(n):\n  return False if "
       "n == 0 else even(n - 1)\nr = even(10)",
       "error: t.star:4:31: function even called recursively (recursion is not allowed)", "True"},
      // Recursion stays bounded.
      {"def f(n):\n  return f(n + 1)\nr = f(0)",
       "error: t.star:2:10: function f called recursively (recursion is not allowed)",
       "error: t.star:2:10: call stack is too deep"},
      // A loop that never ends runs out of steps.
      {"def f():\n  while True:\n    pass\nf()",
       "error: t.star:2:3: 'while' loops are not supported in Starlark; use 'for'",
       "error: t.star:3:5: evaluation step limit exceeded (1000000 steps)"},
  };
  for (const OptCase& c : cases) {
    EXPECT_EQ(starlark::Run(c.program), c.want_off) << c.program;
    EXPECT_EQ(starlark::Run(c.program, on), c.want_on) << c.program;
  }
}

// Each program fails with an error whose message (after "t.star:line:col: ") is `want`.
void CheckErrors(const std::vector<Case>& cases, InterpreterOptions options = {}) {
  for (const Case& c : cases) {
    std::string got = Run(c.program, options);
    size_t colon = got.find(": ", got.find("t.star:"));
    std::string msg = got.rfind("error: t.star:", 0) == 0 && colon != std::string::npos
                          ? got.substr(colon + 2)
                          : got;
    EXPECT_EQ(msg, c.want) << c.program;
  }
}

TEST(StarlarkLanguageTest, ErrorsWordedAsStarlarkGo) {
  CheckErrors({
      {"r = ['a'].index('b')", "index: value not in list"},
      {"r = {'a': 1}.pop('b')", "pop: missing key"},
      {"r = list(7)", "list: for parameter 1: got int, want iterable"},
      {"r = sorted(None)", "sorted: for parameter iterable: got NoneType, want iterable"},
      {"r = sorted([2, 1], key=None)", "sorted: for parameter key: got NoneType, want callable"},
      {"r = ','.join('ab')", "join: for parameter 1: got string, want iterable"},
      {"r = ','.join(['a', 1])", "join: in list, want string, got int"},
      {"r = zip([1], 2)", "zip: argument #2 is not iterable: int"},
      {"r = dict(['xy'])", "dict: dictionary update sequence element #0 is not iterable (string)"},
      {"r = dict([(1, 2, 3)])", "dict: dictionary update sequence element #0 has length 3, want 2"},
      {"r = {}.update(3)", "update: for parameter 1: got int, want iterable"},
      {"r = max([1], kye=len)", "max: unexpected keyword argument \"kye\" (did you mean key?)"},
      {"r = 'x'.startswith(2)", "startswith: got int, want string or tuple of string"},
      {"r = 'x'.endswith(('a', 2))", "endswith: want string, got int, for element 1"},
      {"r = 2 in 'abc'", "'in <string>' requires string as left operand, not int"},
      {"r = 'a' in 3", "unknown binary op: string in int"},
      {"r = 'a' not in 3", "unknown binary op: string not in int"},
      {"r = 'abc'[1.5]", "string index: got float, want int"},
      {"r = 'abc'[None:'x']", "invalid end index: got string, want int"},
      {"r = 'abc'[::1.0]", "invalid slice step: got float, want int"},
      {"r = [1].insert('0', 2)", "insert: for parameter 1: got string, want int"},
      {"r = '%d' % float('nan')", "cannot convert float NaN to integer"},
      {"r = '%d' % float('-inf')", "cannot convert float infinity to integer"},
      {"r = '%s' % (1, 2)", "too many arguments for format string"},
      {"r = '{} {}'.format(1)", "format: tuple index out of range"},
      {"r = '{} {0}'.format(1)",
       "format: cannot switch from automatic field numbering to manual field specification"},
      {"r = '{0} {}'.format(1)",
       "format: cannot switch from manual field specification to automatic field numbering"},
      {"r = '{ {} }'.format(1)", "format: nested replacement fields not supported"},
      {"a, b = 5", "got int in sequence assignment"},
      {"r = {range(2): 1}", "unhashable: range"},
      {"r = {[]: 1}", "unhashable type: list"},
      {"x = [1]\nx.append(x)\nr = x == x", "comparison exceeded maximum recursion depth"},
      {"x = [1]\nx.append(x)\nr = x < x", "comparison exceeded maximum recursion depth"},
      {"def f(a):\n  pass\nf(a=1, **{'a': 2})",
       "function f got multiple values for parameter \"a\""},
      {"r = dict(a=1, **{'a': 2})", "dict: duplicate keyword arg: \"a\""},
      {"r = 'x'.strip.nope", "builtin_function_or_method has no .nope field or method"},
      {"r = 'x'.fnd", "string has no .fnd field or method (did you mean .find?)"},
      {"x = [1]\nx.f = 2", "can't assign to .f field of list"},
      {"r = min(3)", "min: int value is not iterable"},
      {"r = float(None)", "float: got NoneType, want number or string"},
      {"r = bytes([256])",
       "bytes: at index 0, 256 out of range (want value in unsigned 8-bit range)"},
      {"r = bytes([1, 'a'])", "bytes: at index 1, got string, want int"},
      {"r = range(1 << 70)",
       "range: 1180591620717411303424 out of range (want value in signed 64-bit range)"},
      {"r = int()", "int: missing argument for x"},
      {"r = zip([], a=1)", "zip: unexpected keyword arguments"},
  });
  // The words for a frozen value name the operation.
  for (const auto& [program, want] : std::vector<std::pair<std::string, std::string>>{
           {"x.append(1)", "cannot append to frozen list"},
           {"x[0] = 1", "cannot assign to element of frozen list"},
           {"x.clear()", "cannot clear frozen list"},
           {"y = x\ny += [1]", "cannot apply += to frozen list"},
           {"d['k'] = 1", "cannot insert into frozen hash table"},
           {"d.clear()", "cannot clear frozen hash table"},
           {"d.pop('a')", "cannot delete from frozen hash table"},
       }) {
    Interpreter interp;
    Predeclared env = {{"x", interp.NewList({Value::Int(0)})}, {"d", Value(interp.NewDict())}};
    Result<Value> m = interp.ExecFile("t.star", program, env);
    ASSERT_FALSE(m.ok()) << program;
    EXPECT_NE(m.status().message().find(want), std::string::npos) << m.status().message();
  }
}

TEST(StarlarkLanguageTest, ElemsAndUnicodeCases) {
  CheckExprs({
      {"'abc'.elems()[1], 'abc'.elem_ords()[-1], len('aé'.elems())", "(\"b\", 99, 3)"},
      {"b'xy'.elems()[0]", "120"},
      {"len('é'.codepoints())", "error: t.star:1:9: len: string.codepoints value has no len()"},
      // An invalid UTF-8 sequence is one U+FFFD per byte.
      {"list(('a' + '\U0001F63F'[1:]).codepoints())",
       "[\"a\", \"\uFFFD\", \"\uFFFD\", \"\uFFFD\"]"},
      {"str(b'\\xED\\xB0\\x80') == '\uFFFD' * 3", "True"},
      // The Latin digraphs have a title case between upper and lower.
      {"'\u01C7A'.lower(), '\u01C9a'.upper(), '\u01C9a'.title()",
       "(\"\u01C9a\", \"\u01C7A\", \"\u01C8a\")"},
      {"'\u01C5a \u01C8b'.istitle(), '\u01C4\u01C7'.isupper(), '\u01C4'.isalpha()",
       "(True, True, True)"},
      // starlark-go's istitle: an upper-case letter beyond ASCII (not title case) never starts
      // a title word.
      {"'\u01C4a'.istitle(), '\u00C9lan'.istitle(), 'Elan'.istitle()", "(False, False, True)"},
  });
}

TEST(StarlarkLanguageTest, GlobalsReferencedBeforeAssignment) {
  CheckErrors({
      {"def f():\n  return g\nf()\ng = 1", "global variable g referenced before assignment"},
      {"n += 1", "global variable n referenced before assignment"},
      // A global that shadows a builtin shadows it in the whole file, even before it is bound.
      {"r = len\nlen = 1", "global variable len referenced before assignment"},
      {"r = lib\nload('lib.star', 'lib')", "local variable lib referenced before assignment"},
      {"r = nope", "undefined name \"nope\""},
  });
  Check({{"def f():\n  return g\ng = 2\nr = f()", "2"}, {"len = 1\nr = len", "1"}});
}

TEST(StarlarkLanguageTest, SetOption) {
  InterpreterOptions on;
  on.allow_set = true;
  CheckErrors({{"r = set([1])", "undefined name \"set\""}});
  const Case cases[] = {
      {"r = set()", "set([])"},
      {"r = set([3, 1, 3, 2])", "set([3, 1, 2])"},
      {"r = (len(set('ab'.elems())), 2 in set([2]), 5 not in set([2]), bool(set()))",
       "(2, True, True, False)"},
      {"r = set([1, 2]) | set([2, 3])", "set([1, 2, 3])"},
      {"r = set([1, 2]) & set([2, 3])", "set([2])"},
      {"r = set([1, 2]) ^ set([2, 3])", "set([1, 3])"},
      {"r = set([1, 2]) - set([2, 3])", "set([1])"},
      {"r = set([1, 2]) == set([2, 1]), set([1]) != set([1, 2])", "(True, True)"},
      {"r = set([1]) <= set([1, 2]), set([1]) < set([1]), set([1, 2]) >= set([2])",
       "(True, False, True)"},
      {"r = set([1]).union([2], (3,)), set([1, 2]).intersection([2]), "
       "set([1, 2]).difference([1]), set([1, 2]).symmetric_difference([2, 3])",
       "(set([1, 2, 3]), set([2]), set([2]), set([1, 3]))"},
      {"r = set([1]).issubset([1, 2]), set([1]).issuperset([1, 2])", "(True, False)"},
      {"s = set()\ns.add(1)\ns.add(1)\ns.update([2], [3])\ns.discard(9)\ns.remove(2)\n"
       "r = [s.pop(), s]",
       "[1, set([3])]"},
      {"s = set([1])\ns.clear()\nr = s", "set([])"},
      {"r = [x for x in set([3, 1, 2])]", "[3, 1, 2]"},
      {"r = type(set()), dir(set())[:2]", "(\"set\", [\"add\", \"clear\"])"},
      {"r = {set(): 1}", "error: t.star:1:6: unhashable type: set"},
      {"r = set([[1]])", "error: t.star:1:9: set: unhashable type: list"},
      {"r = set(1)", "error: t.star:1:9: set: for parameter 1: got int, want iterable"},
      {"r = set() | [1]", "error: t.star:1:11: unknown binary op: set | list"},
      {"r = set().pop()", "error: t.star:1:11: pop: empty set"},
      {"r = set().remove(1)", "error: t.star:1:11: remove: missing key"},
      {"s = set([1])\nfor x in s:\n  s.add(2)",
       "error: t.star:3:5: add: cannot insert into hash table during iteration"},
  };
  for (const Case& c : cases) EXPECT_EQ(starlark::Run(c.program, on), c.want) << c.program;
  // A module's sets are frozen once it has run.
  Interpreter interp(on);
  Result<Value> m = interp.ExecFile("a.star", "s = set([1])", {});
  ASSERT_TRUE(m.ok()) << m.status().message();
  Value s = *m->struct_value()->Get("s");
  EXPECT_TRUE(s.object()->frozen());
}

}  // namespace
}  // namespace berth::starlark
