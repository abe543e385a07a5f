// SPDX-License-Identifier: Apache-2.0
// The dense gates' decisions on numbers measured on bench-match views (docs/match.md): which search
// may accept a fix on which evidence.
#include <gtest/gtest.h>

#include "match/align_util.hpp"

namespace {

using geo::match_detail::dense_confidence;
using geo::match_detail::DenseGateInput;
using geo::match_detail::DenseSearchKind;

constexpr double kLocated = 0.5;  // AlignOptions::min_confidence

DenseGateInput gate(double pr, double pz, double fine, double drift, int agree, int localized, double fr, double fz) {
  DenseGateInput in;
  in.peak_ratio = pr;
  in.peak_z = pz;
  in.refined = true;
  in.ncc_fine = fine;
  in.drift_coarse_px = drift;
  in.blocks_agree = agree;
  in.blocks_localized = localized;
  in.fine_ratio = fr;
  in.fine_z = fz;
  return in;
}

DenseSearchKind kind(bool free, bool heading, bool wide) {
  DenseSearchKind k;
  k.free = free;
  k.heading_prior = heading;
  k.wide = wide;
  return k;
}

// Seed 2 #15 (2020 view, 2009 reference) with scale, heading and tilt known but no search centre: a
// 2020 lake shore matched a 2009 one 3.8 km away, the peak alone at ratio 1.61, z 9.7 (confidence 1).
TEST(DenseGates, OverAWideAreaThePeakAloneIsNotEnough) {
  const DenseGateInput shore = gate(1.61, 9.73, 0.235, 0.45, 1, 11, 1.42, 6.04);
  const auto near = dense_confidence(shore, kind(false, true, false), kLocated);
  EXPECT_GE(near.confidence, 0.99);  // inside a ~1 km search circle the evidence is calibrated
  EXPECT_FALSE(near.unconfirmed);
  const auto wide = dense_confidence(shore, kind(false, true, true), kLocated);
  EXPECT_LT(wide.confidence, kLocated);
  EXPECT_TRUE(wide.unconfirmed);
  // Confirmed by the blocks (5 of 11 agree) or by the refined standing, the same peak is accepted.
  EXPECT_GE(dense_confidence(gate(1.61, 9.73, 0.235, 0.45, 5, 11, 1.42, 6.04), kind(false, true, true), kLocated).confidence,
            kLocated);
  EXPECT_GE(dense_confidence(gate(1.61, 9.73, 0.235, 0.45, 1, 11, 1.50, 6.5), kind(false, true, true), kLocated).confidence,
            kLocated);
}

// Seed 5, a Landsat view with only a heading prior: the free search over 3 headings left its best
// refined place at ratio 1.95, z 8.3 above the others, which the standing calibrated over 24
// headings would accept on its own.
TEST(DenseGates, AHeadingNarrowedFreeSearchNeedsTheBlocksOrTwoGates) {
  const DenseGateInput landsat = gate(1.48, 4.98, 0.248, 0.13, 1, 5, 1.95, 8.28);
  EXPECT_GE(dense_confidence(landsat, kind(true, false, false), kLocated).confidence, kLocated);
  const auto narrowed = dense_confidence(landsat, kind(true, true, false), kLocated);
  EXPECT_LT(narrowed.confidence, kLocated);
  EXPECT_TRUE(narrowed.unconfirmed);
  // A true heading-only fix (seed 2, 2.5 m off) that the blocks confirm (11 of 16) stays located.
  const DenseGateInput blocks = gate(1.20, 5.67, 0.272, 0.5, 11, 16, 1.54, 4.96);
  EXPECT_NEAR(dense_confidence(blocks, kind(true, true, false), kLocated).confidence, 0.9, 1e-9);  // 0.6 + 0.05 x 7
  // And one with the peak evidence and the standing both (seed 3, 2.4 m off; its 5 agreeing blocks
  // set to 3 here, so that only those two pass).
  const DenseGateInput both = gate(2.06, 7.92, 0.376, 0.3, 3, 12, 2.43, 11.74);
  EXPECT_GE(dense_confidence(both, kind(true, true, false), kLocated).confidence, kLocated);
}

// Seed 3, a Landsat view with scale, tilt and a 1.1 km search centre but no heading (18 headings
// searched instead of 3-4): its best refined place stood at z 15 over the other 11, nothing else.
TEST(DenseGates, AScalePriorWithoutHeadingNeedsTheBlocksOrTwoGates) {
  const DenseGateInput landsat = gate(1.31, 4.98, 0.217, 0.54, 1, 14, 1.53, 15.19);
  EXPECT_GE(dense_confidence(landsat, kind(false, true, false), kLocated).confidence, kLocated);
  EXPECT_LT(dense_confidence(landsat, kind(false, false, false), kLocated).confidence, kLocated);
}

TEST(DenseGates, FloorsAndTheDriftCheckHoldForEveryRoute) {
  // Strong evidence, but the refined correlation under 0.15 or the refinement drifting 1.6 coarse px.
  EXPECT_LT(dense_confidence(gate(2.0, 10, 0.14, 0.3, 8, 10, 1.2, 3), kind(false, true, false), kLocated).confidence,
            kLocated);
  EXPECT_LT(dense_confidence(gate(2.0, 10, 0.30, 1.6, 8, 10, 2.0, 9), kind(false, true, false), kLocated).confidence,
            kLocated);
  DenseGateInput unrefined = gate(2.0, 10, 0.30, 0.3, 8, 10, 2.0, 9);
  unrefined.refined = false;
  EXPECT_LT(dense_confidence(unrefined, kind(true, false, false), kLocated).confidence, kLocated);
  // With priors the standing may accept a refined correlation down to 0.12, without them not under 0.2.
  const DenseGateInput low = gate(1.0, 4.0, 0.13, 0.3, 0, 10, 1.6, 7.0);
  EXPECT_NEAR(dense_confidence(low, kind(false, true, false), kLocated).confidence, 0.55 + 0.05 + 0.5 * 0.15, 1e-9);
  EXPECT_LT(dense_confidence(low, kind(true, false, false), kLocated).confidence, kLocated);
}

}  // namespace
