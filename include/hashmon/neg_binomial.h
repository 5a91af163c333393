// Tail probabilities of the negative binomial, the detector's model of a count: Poisson
// arrivals whose rate itself varies (variance = mean + dispersion * mean^2).
#ifndef HASHMON_NEG_BINOMIAL_H_
#define HASHMON_NEG_BINOMIAL_H_

namespace hashmon {

// Upper tail P(X >= x) of a negative binomial with this mean and dispersion, as log10 (far
// tails do not underflow). Exact for small counts; the Poisson limit for a dispersion near 0.
double NegBinomialUpperTailLog10(double x, double mean, double dispersion);

}  // namespace hashmon

#endif  // HASHMON_NEG_BINOMIAL_H_
