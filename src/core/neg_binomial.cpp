#include "hashmon/neg_binomial.h"

#include <algorithm>
#include <cmath>

namespace hashmon {
namespace {

constexpr double kLn10 = 2.302585092994046;

// Continued fraction for the regularized incomplete beta function (modified Lentz).
double BetaContinuedFraction(double a, double b, double x) {
  const double kTiny = 1e-300;
  double c = 1, d = 1 - (a + b) * x / (a + 1);
  if (std::fabs(d) < kTiny) d = kTiny;
  d = 1 / d;
  double h = d;
  for (int m = 1; m <= 300; ++m) {
    const double m2 = 2.0 * m;
    double aa = m * (b - m) * x / ((a - 1 + m2) * (a + m2));
    d = 1 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1 / d;
    h *= d * c;
    aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + 1 + m2));
    d = 1 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1 / d;
    const double del = d * c;
    h *= del;
    if (std::fabs(del - 1) < 1e-12) break;
  }
  return h;
}

// Natural log of the regularized incomplete beta I_x(a, b).
double LogIncompleteBeta(double a, double b, double x) {
  if (x <= 0) return -INFINITY;
  if (x >= 1) return 0;
  const double log_front =
      std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log1p(-x);
  if (x < (a + 1) / (a + b + 2)) return log_front + std::log(BetaContinuedFraction(a, b, x) / a);
  const double other = std::exp(log_front) * BetaContinuedFraction(b, a, 1 - x) / b;
  return std::log1p(-std::min(other, 1.0 - 1e-16));
}

// Natural log of the regularized lower incomplete gamma P(a, x): a Poisson(x) count's tail
// P(X >= a). Where the series converges fast (x < a + 1) it gives log P itself, so far tails
// do not underflow; elsewhere P = 1 - Q, with Q from its continued fraction.
double LogLowerGamma(double a, double x) {
  if (x <= 0) return -INFINITY;
  const double log_front = a * std::log(x) - x - std::lgamma(a);
  if (x < a + 1) {
    double sum = 1 / a, term = sum;
    for (int n = 1; n < 500; ++n) {
      term *= x / (a + n);
      sum += term;
      if (term < sum * 1e-14) break;
    }
    return log_front + std::log(sum);
  }
  const double kTiny = 1e-300;
  double b = x + 1 - a, c = 1 / kTiny, d = 1 / b, h = d;
  for (int i = 1; i < 500; ++i) {
    const double an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = b + an / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1 / d;
    const double del = d * c;
    h *= del;
    if (std::fabs(del - 1) < 1e-14) break;
  }
  return std::log1p(-std::min(std::exp(log_front) * h, 1.0 - 1e-16));  // log(1 - Q)
}

}  // namespace

double NegBinomialUpperTailLog10(double x, double mean, double dispersion) {
  if (x <= 0) return 0;
  mean = std::max(mean, 1e-9);
  // Poisson limit: P(X >= x) = P(x, mean), the lower regularized gamma.
  if (dispersion <= 1e-9) return LogLowerGamma(x, mean) / kLn10;
  // X ~ NB(r, p): r = 1/dispersion, p = r / (r + mean). P(X >= x) = I_{1-p}(x, r).
  const double r = 1 / dispersion;
  const double q = mean / (r + mean);
  return LogIncompleteBeta(x, r, q) / kLn10;
}

}  // namespace hashmon
