// The count model's tails, against values computed by summing the probability mass.
#include "hashmon/neg_binomial.h"

#include <gtest/gtest.h>

#include <cmath>

namespace hashmon {
namespace {

// log10 P(X >= x) for a Poisson(mean) count, by summing its mass (relative to the mass at
// x, so that far tails do not underflow).
double SummedPoissonTailLog10(int x, double mean) {
  auto log_mass = [mean](int k) { return k * std::log(mean) - mean - std::lgamma(k + 1.0); };
  double relative = 0;
  for (int k = x; k < x + 2000; ++k) relative += std::exp(log_mass(k) - log_mass(x));
  return (log_mass(x) + std::log(relative)) / std::log(10.0);
}

TEST(NegBinomialTail, MatchesPoissonForSmallDispersion) {
  EXPECT_NEAR(NegBinomialUpperTailLog10(0, 1, 0.01), 0, 1e-12);
  EXPECT_NEAR(NegBinomialUpperTailLog10(5, 1, 1e-6), std::log10(0.0036598468), 1e-3);
}

TEST(NegBinomialTail, ADispersionOfZeroIsThePoissonTail) {
  EXPECT_NEAR(NegBinomialUpperTailLog10(5, 1, 0), std::log10(0.0036598468), 1e-8);
  EXPECT_NEAR(NegBinomialUpperTailLog10(5, 1, 0), SummedPoissonTailLog10(5, 1), 1e-9);
  // A count below its mean (the other branch of the incomplete gamma).
  EXPECT_NEAR(NegBinomialUpperTailLog10(3, 10, 0), SummedPoissonTailLog10(3, 10), 1e-9);
  EXPECT_NEAR(NegBinomialUpperTailLog10(30, 30, 0), SummedPoissonTailLog10(30, 30), 1e-9);
}

TEST(NegBinomialTail, FarPoissonTailsDoNotUnderflow) {
  // P(X >= 400 | mean 5) is about 1e-527, below the smallest double.
  EXPECT_NEAR(NegBinomialUpperTailLog10(400, 5, 0), SummedPoissonTailLog10(400, 5), 1e-6);
  EXPECT_LT(NegBinomialUpperTailLog10(400, 5, 0), -500);
}

TEST(NegBinomialTail, MatchesTheSummedMass) {
  // Dispersion 1 is the geometric: P(X >= 5 | mean 2) = (2/3)^5.
  EXPECT_NEAR(NegBinomialUpperTailLog10(5, 2, 1), 5 * std::log10(2.0 / 3), 1e-9);
  // Dispersion 0.5 (r = 2), mean 10: 1 - sum of the mass below 40.
  EXPECT_NEAR(NegBinomialUpperTailLog10(40, 10, 0.5), -2.2826432606, 1e-6);
}

TEST(NegBinomialTail, FarTailsStayFiniteAndDispersionFattensThem) {
  EXPECT_LT(NegBinomialUpperTailLog10(400, 25, 0.1), -20);  // no underflow to -inf
  EXPECT_GT(NegBinomialUpperTailLog10(400, 25, 0.1), -400);
  EXPECT_GT(NegBinomialUpperTailLog10(5, 1, 1.0), NegBinomialUpperTailLog10(5, 1, 0.01));
}

// A count export may hold any number. Past 1e155 the continued fraction's products
// overflowed and past 1e15 lgamma's differences lost every digit, so a count of 1e200 over a
// mean of 25 came out as NaN, "not significant", and never alerted.
TEST(NegBinomialTail, AstronomicalCountsAreFarInTheTail) {
  for (double dispersion : {0.0, 1e-6, 1.0}) {
    for (double x : {1e15, 1e155, 1e200, 1e300, 1.7e308}) {
      const double log_p = NegBinomialUpperTailLog10(x, 25, dispersion);
      EXPECT_FALSE(std::isnan(log_p)) << x << " at dispersion " << dispersion;
      EXPECT_LT(log_p, -1e12) << x << " at dispersion " << dispersion;
    }
  }
  // Past 1e15 the gamma terms come from Stirling's series: no step where it takes over.
  const double below = NegBinomialUpperTailLog10(0.999999e15, 25, 1);
  const double above = NegBinomialUpperTailLog10(1.000001e15, 25, 1);
  EXPECT_LT(above, below);
  EXPECT_NEAR(above / below, 1.000002, 1e-6);
}

TEST(NegBinomialTail, AnAstronomicalCountAtItsMeanIsNoSurprise) {
  for (double dispersion : {0.0, 2e-9, 1e-6, 1.0}) {
    for (double x : {1e8, 1e19, 1e300}) {
      const double log_p = NegBinomialUpperTailLog10(x, x, dispersion);
      EXPECT_LE(log_p, 0) << x << " at dispersion " << dispersion;  // a probability
      EXPECT_GT(log_p, -1) << x << " at dispersion " << dispersion;
    }
  }
}

}  // namespace
}  // namespace hashmon
