#include "appspec/starlark/bigint.h"

#include <algorithm>
#include <cmath>

namespace berth::starlark {

BigInt::BigInt(int64_t v) {
  neg_ = v < 0;
  uint64_t m = neg_ ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  while (m != 0) {
    mag_.push_back(static_cast<uint32_t>(m));
    m >>= 32;
  }
}

void BigInt::Trim() {
  while (!mag_.empty() && mag_.back() == 0) mag_.pop_back();
  if (mag_.empty()) neg_ = false;
}

std::optional<BigInt> BigInt::Parse(std::string_view digits, int base) {
  if (digits.empty() || base < 2 || base > 36) return std::nullopt;
  BigInt out;
  for (char c : digits) {
    int d = c >= '0' && c <= '9'   ? c - '0'
            : c >= 'a' && c <= 'z' ? c - 'a' + 10
            : c >= 'A' && c <= 'Z' ? c - 'A' + 10
                                   : 99;
    if (d >= base) return std::nullopt;
    uint64_t carry = static_cast<uint64_t>(d);
    for (uint32_t& limb : out.mag_) {
      uint64_t x = static_cast<uint64_t>(limb) * static_cast<uint64_t>(base) + carry;
      limb = static_cast<uint32_t>(x);
      carry = x >> 32;
    }
    if (carry != 0) out.mag_.push_back(static_cast<uint32_t>(carry));
  }
  out.Trim();
  return out;
}

BigInt BigInt::FromDouble(double d) {
  if (!std::isfinite(d)) return BigInt();
  bool neg = d < 0;
  d = std::trunc(std::fabs(d));
  int exp;
  double frac = std::frexp(d, &exp);  // d = frac * 2^exp, frac in [0.5, 1)
  if (exp <= 0) return BigInt();
  // The 53-bit mantissa as an integer, shifted into place.
  auto mant = static_cast<int64_t>(std::ldexp(frac, 53));
  BigInt m(mant);
  BigInt r =
      exp >= 53 ? Shl(m, static_cast<uint64_t>(exp - 53)) : Shr(m, static_cast<uint64_t>(53 - exp));
  if (neg) r = Neg(r);
  return r;
}

std::optional<int64_t> BigInt::ToInt64() const {
  if (mag_.size() > 2) return std::nullopt;
  uint64_t m = 0;
  if (!mag_.empty()) m = mag_[0];
  if (mag_.size() == 2) m |= static_cast<uint64_t>(mag_[1]) << 32;
  if (neg_) {
    if (m > static_cast<uint64_t>(INT64_MAX) + 1) return std::nullopt;
    return static_cast<int64_t>(0 - m);
  }
  if (m > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
  return static_cast<int64_t>(m);
}

double BigInt::ToDouble() const {
  size_t bits = BitLength();
  if (bits <= 64) {
    uint64_t m = 0;
    for (size_t i = mag_.size(); i-- > 0;) m = (m << 32) | mag_[i];
    double d = static_cast<double>(m);
    return neg_ ? -d : d;
  }
  // The top 64 bits, with the lowest one made sticky for any bit shifted out, round correctly
  // when converted.
  size_t shift = bits - 64;
  BigInt mag = *this;
  mag.neg_ = false;
  BigInt top = Shr(mag, shift);
  uint64_t m = 0;
  for (size_t i = top.mag_.size(); i-- > 0;) m = (m << 32) | top.mag_[i];
  bool sticky = false;
  for (size_t i = 0; i < shift / 32 && i < mag_.size(); ++i) sticky |= mag_[i] != 0;
  if (shift % 32 != 0 && shift / 32 < mag_.size()) {
    sticky |= (mag_[shift / 32] & ((1u << (shift % 32)) - 1)) != 0;
  }
  if (sticky) m |= 1;
  double d = std::ldexp(static_cast<double>(m), static_cast<int>(shift));
  return neg_ ? -d : d;
}

std::string BigInt::ToString(int base) const {
  if (mag_.empty()) return "0";
  std::vector<uint32_t> m = mag_;
  std::string out;
  const char* digits = "0123456789abcdefghijklmnopqrstuvwxyz";
  while (!m.empty()) {
    uint64_t rem = 0;
    for (size_t i = m.size(); i-- > 0;) {
      uint64_t cur = (rem << 32) | m[i];
      m[i] = static_cast<uint32_t>(cur / static_cast<uint64_t>(base));
      rem = cur % static_cast<uint64_t>(base);
    }
    out.push_back(digits[rem]);
    while (!m.empty() && m.back() == 0) m.pop_back();
  }
  if (neg_) out.push_back('-');
  std::reverse(out.begin(), out.end());
  return out;
}

size_t BigInt::BitLength() const {
  if (mag_.empty()) return 0;
  uint32_t top = mag_.back();
  size_t n = 0;
  while (top != 0) {
    ++n;
    top >>= 1;
  }
  return (mag_.size() - 1) * 32 + n;
}

uint64_t BigInt::Hash() const {
  uint64_t h = neg_ ? 0x2d : 0x2b;
  for (uint32_t l : mag_) h = (h ^ l) * 0x100000001b3ULL;
  return h;
}

int BigInt::CompareMag(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b) {
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  for (size_t i = a.size(); i-- > 0;) {
    if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return 0;
}

int BigInt::Compare(const BigInt& a, const BigInt& b) {
  if (a.neg_ != b.neg_) return a.neg_ ? -1 : 1;
  int c = CompareMag(a.mag_, b.mag_);
  return a.neg_ ? -c : c;
}

std::vector<uint32_t> BigInt::AddMag(const std::vector<uint32_t>& a,
                                     const std::vector<uint32_t>& b) {
  std::vector<uint32_t> out;
  size_t n = std::max(a.size(), b.size());
  out.reserve(n + 1);
  uint64_t carry = 0;
  for (size_t i = 0; i < n; ++i) {
    uint64_t x = carry;
    if (i < a.size()) x += a[i];
    if (i < b.size()) x += b[i];
    out.push_back(static_cast<uint32_t>(x));
    carry = x >> 32;
  }
  if (carry != 0) out.push_back(static_cast<uint32_t>(carry));
  return out;
}

std::vector<uint32_t> BigInt::SubMag(const std::vector<uint32_t>& a,
                                     const std::vector<uint32_t>& b) {
  std::vector<uint32_t> out;
  out.reserve(a.size());
  int64_t borrow = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    int64_t x =
        static_cast<int64_t>(a[i]) - borrow - (i < b.size() ? static_cast<int64_t>(b[i]) : 0);
    borrow = x < 0 ? 1 : 0;
    if (x < 0) x += int64_t{1} << 32;
    out.push_back(static_cast<uint32_t>(x));
  }
  while (!out.empty() && out.back() == 0) out.pop_back();
  return out;
}

BigInt BigInt::Add(const BigInt& a, const BigInt& b) {
  BigInt out;
  if (a.neg_ == b.neg_) {
    out.mag_ = AddMag(a.mag_, b.mag_);
    out.neg_ = a.neg_;
  } else if (CompareMag(a.mag_, b.mag_) >= 0) {
    out.mag_ = SubMag(a.mag_, b.mag_);
    out.neg_ = a.neg_;
  } else {
    out.mag_ = SubMag(b.mag_, a.mag_);
    out.neg_ = b.neg_;
  }
  out.Trim();
  return out;
}

BigInt BigInt::Neg(const BigInt& a) {
  BigInt out = a;
  if (!out.mag_.empty()) out.neg_ = !out.neg_;
  return out;
}

BigInt BigInt::Sub(const BigInt& a, const BigInt& b) { return Add(a, Neg(b)); }

BigInt BigInt::Mul(const BigInt& a, const BigInt& b) {
  BigInt out;
  if (a.mag_.empty() || b.mag_.empty()) return out;
  out.mag_.assign(a.mag_.size() + b.mag_.size(), 0);
  for (size_t i = 0; i < a.mag_.size(); ++i) {
    uint64_t carry = 0;
    for (size_t j = 0; j < b.mag_.size(); ++j) {
      uint64_t x = static_cast<uint64_t>(a.mag_[i]) * b.mag_[j] + out.mag_[i + j] + carry;
      out.mag_[i + j] = static_cast<uint32_t>(x);
      carry = x >> 32;
    }
    size_t k = i + b.mag_.size();
    while (carry != 0) {
      uint64_t x = static_cast<uint64_t>(out.mag_[k]) + carry;
      out.mag_[k] = static_cast<uint32_t>(x);
      carry = x >> 32;
      ++k;
    }
  }
  out.neg_ = a.neg_ != b.neg_;
  out.Trim();
  return out;
}

// Long division: by one limb directly, else one bit at a time over the dividend. Simple and
// exact; sizes are bounded by the step budget, so the quadratic cost is acceptable.
void BigInt::DivModMag(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b,
                       std::vector<uint32_t>* q, std::vector<uint32_t>* r) {
  q->assign(a.size(), 0);
  r->clear();
  if (b.size() == 1) {
    uint64_t rem = 0;
    for (size_t i = a.size(); i-- > 0;) {
      uint64_t cur = (rem << 32) | a[i];
      (*q)[i] = static_cast<uint32_t>(cur / b[0]);
      rem = cur % b[0];
    }
    if (rem != 0) r->push_back(static_cast<uint32_t>(rem));
  } else {
    std::vector<uint32_t> rem;
    for (size_t i = a.size() * 32; i-- > 0;) {
      uint32_t carry = (a[i / 32] >> (i % 32)) & 1;
      for (uint32_t& limb : rem) {
        uint32_t top = limb >> 31;
        limb = (limb << 1) | carry;
        carry = top;
      }
      if (carry != 0) rem.push_back(carry);
      if (CompareMag(rem, b) >= 0) {
        rem = SubMag(rem, b);
        (*q)[i / 32] |= 1u << (i % 32);
      }
    }
    *r = std::move(rem);
  }
  while (!q->empty() && q->back() == 0) q->pop_back();
  while (!r->empty() && r->back() == 0) r->pop_back();
}

void BigInt::FloorDivMod(const BigInt& a, const BigInt& b, BigInt* q, BigInt* r) {
  BigInt qq, rr;
  DivModMag(a.mag_, b.mag_, &qq.mag_, &rr.mag_);
  qq.neg_ = a.neg_ != b.neg_;
  rr.neg_ = a.neg_;
  qq.Trim();
  rr.Trim();
  // Truncated to floored: adjust when the remainder is non-zero and the signs differ.
  if (!rr.is_zero() && (a.neg_ != b.neg_)) {
    qq = Sub(qq, BigInt(1));
    rr = Add(rr, b);
  }
  if (q != nullptr) *q = std::move(qq);
  if (r != nullptr) *r = std::move(rr);
}

std::vector<uint32_t> BigInt::TwosComplement(size_t n) const {
  std::vector<uint32_t> out(n, 0);
  for (size_t i = 0; i < mag_.size() && i < n; ++i) out[i] = mag_[i];
  if (neg_) {
    uint64_t carry = 1;
    for (uint32_t& l : out) {
      uint64_t x = static_cast<uint64_t>(static_cast<uint32_t>(~l)) + carry;
      l = static_cast<uint32_t>(x);
      carry = x >> 32;
    }
  }
  return out;
}

BigInt BigInt::FromTwosComplement(std::vector<uint32_t> limbs) {
  BigInt out;
  bool neg = !limbs.empty() && (limbs.back() >> 31) != 0;
  if (neg) {
    uint64_t carry = 1;
    for (uint32_t& l : limbs) {
      uint64_t x = static_cast<uint64_t>(static_cast<uint32_t>(~l)) + carry;
      l = static_cast<uint32_t>(x);
      carry = x >> 32;
    }
  }
  out.mag_ = std::move(limbs);
  out.neg_ = neg;
  out.Trim();
  return out;
}

template <typename F>
BigInt BigInt::Bitwise(const BigInt& a, const BigInt& b, F f) {
  size_t n = std::max(a.mag_.size(), b.mag_.size()) + 1;
  std::vector<uint32_t> x = a.TwosComplement(n), y = b.TwosComplement(n);
  for (size_t i = 0; i < n; ++i) x[i] = f(x[i], y[i]);
  return FromTwosComplement(std::move(x));
}

BigInt BigInt::And(const BigInt& a, const BigInt& b) {
  return Bitwise(a, b, [](uint32_t x, uint32_t y) { return x & y; });
}
BigInt BigInt::Or(const BigInt& a, const BigInt& b) {
  return Bitwise(a, b, [](uint32_t x, uint32_t y) { return x | y; });
}
BigInt BigInt::Xor(const BigInt& a, const BigInt& b) {
  return Bitwise(a, b, [](uint32_t x, uint32_t y) { return x ^ y; });
}
BigInt BigInt::Not(const BigInt& a) { return Sub(Neg(a), BigInt(1)); }

BigInt BigInt::Shl(const BigInt& a, uint64_t n) {
  BigInt out;
  if (a.mag_.empty()) return out;
  size_t limbs = n / 32, bits = n % 32;
  out.mag_.assign(limbs, 0);
  uint32_t carry = 0;
  for (uint32_t l : a.mag_) {
    out.mag_.push_back(bits == 0 ? l : (l << bits) | carry);
    carry = bits == 0 ? 0 : l >> (32 - bits);
  }
  if (carry != 0) out.mag_.push_back(carry);
  out.neg_ = a.neg_;
  out.Trim();
  return out;
}

BigInt BigInt::Shr(const BigInt& a, uint64_t n) {
  if (a.neg_) {
    // floor(a / 2^n) = -((|a| + 2^n - 1) >> n)
    BigInt bias = Sub(Shl(BigInt(1), n), BigInt(1));
    return Neg(Shr(Add(Neg(a), bias), n));
  }
  BigInt out;
  size_t limbs = n / 32, bits = n % 32;
  if (limbs >= a.mag_.size()) return out;
  for (size_t i = limbs; i < a.mag_.size(); ++i) {
    uint32_t lo = a.mag_[i] >> bits;
    uint32_t hi = (bits != 0 && i + 1 < a.mag_.size()) ? a.mag_[i + 1] << (32 - bits) : 0;
    out.mag_.push_back(lo | hi);
  }
  out.Trim();
  return out;
}

}  // namespace berth::starlark
