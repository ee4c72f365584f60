// Arbitrary-precision integers for Starlark ints that leave the 64-bit range: sign and
// magnitude in base-2^32 limbs, least significant first. Values that fit in an int64_t are kept
// inline in a Value; a BigInt object is only made for the rest.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace berth::starlark {

class BigInt {
 public:
  BigInt() = default;
  explicit BigInt(int64_t v);

  // Parses digits (no sign, no prefix) in base 2..36; nullopt on a bad digit or no digits.
  static std::optional<BigInt> Parse(std::string_view digits, int base);
  // The integer part of a finite double (truncating toward zero); 0 for inf and nan.
  static BigInt FromDouble(double d);

  bool negative() const { return neg_; }
  bool is_zero() const { return mag_.empty(); }
  // The value as an int64_t when it fits.
  std::optional<int64_t> ToInt64() const;
  // The nearest double (may be infinite).
  double ToDouble() const;
  std::string ToString(int base = 10) const;
  // Number of significant bits of the magnitude.
  size_t BitLength() const;
  uint64_t Hash() const;

  static int Compare(const BigInt& a, const BigInt& b);
  static BigInt Add(const BigInt& a, const BigInt& b);
  static BigInt Sub(const BigInt& a, const BigInt& b);
  static BigInt Mul(const BigInt& a, const BigInt& b);
  // Floor division and the matching modulo (sign of the divisor); b must not be zero.
  static void FloorDivMod(const BigInt& a, const BigInt& b, BigInt* q, BigInt* r);
  static BigInt Neg(const BigInt& a);
  // Two's-complement bitwise operations, as on infinitely sign-extended integers.
  static BigInt And(const BigInt& a, const BigInt& b);
  static BigInt Or(const BigInt& a, const BigInt& b);
  static BigInt Xor(const BigInt& a, const BigInt& b);
  static BigInt Not(const BigInt& a);  // -a - 1
  static BigInt Shl(const BigInt& a, uint64_t n);
  static BigInt Shr(const BigInt& a, uint64_t n);  // floor(a / 2^n)

 private:
  static int CompareMag(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b);
  static std::vector<uint32_t> AddMag(const std::vector<uint32_t>& a,
                                      const std::vector<uint32_t>& b);
  // Requires a >= b.
  static std::vector<uint32_t> SubMag(const std::vector<uint32_t>& a,
                                      const std::vector<uint32_t>& b);
  static void DivModMag(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b,
                        std::vector<uint32_t>* q, std::vector<uint32_t>* r);
  // Two's complement in `n` limbs (n large enough for the value and a sign bit).
  std::vector<uint32_t> TwosComplement(size_t n) const;
  static BigInt FromTwosComplement(std::vector<uint32_t> limbs);
  template <typename F>
  static BigInt Bitwise(const BigInt& a, const BigInt& b, F f);
  void Trim();

  bool neg_ = false;
  std::vector<uint32_t> mag_;
};

}  // namespace berth::starlark
