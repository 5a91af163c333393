// The count model's tails, against values computed by summing the probability mass.
#include "hashmon/neg_binomial.h"

#include <gtest/gtest.h>

#include <cmath>

namespace hashmon {
namespace {

TEST(NegBinomialTail, MatchesPoissonForSmallDispersion) {
  EXPECT_NEAR(NegBinomialUpperTailLog10(0, 1, 0.01), 0, 1e-12);
  EXPECT_NEAR(NegBinomialUpperTailLog10(5, 1, 1e-6), std::log10(0.0036598468), 1e-3);
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

}  // namespace
}  // namespace hashmon
