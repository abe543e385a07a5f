// SPDX-License-Identifier: Apache-2.0
// Every tuned number of the matcher, in one table, by stage. Each has a one-line reason here; the
// figure that set it, and what else was tried, are in docs/dev/match-design.md under the same name.
// Numbers that are geometry (half a pixel, a square's four corners) or OpenCV's own defaults are not
// here. Changing one of these changes the benchmark (scripts/bench-match.sh): measure before and after.
#pragma once
#include <vector>

namespace geo::match_detail {

// ---- Frames ------------------------------------------------------------------------------------
inline constexpr int kMinFrameSidePx = 64;          // smaller frames hold too little to match
inline constexpr double kMinFrameGreySd = 2.0;      // grey std below this: a blank or one-colour frame

// ---- Features of the dense search (align_util.cpp) -------------------------------------------
inline constexpr float kColourWeight = 4.0f;        // opponent colour channels over luminance
inline constexpr double kColourSdGreyLevels = 3.0;  // an opponent channel's std over this: the image has colour
inline constexpr double kColourProbePx = 256.0;     // colour is judged on the image shrunk to this
inline constexpr double kOrientationBlurPx = 1.0;   // Gaussian before the gradients and after the field
inline constexpr int kContrastWindowPx = 15;        // local contrast normalisation window
inline constexpr double kContrastGlobalShare = 0.5; // plus half the global mean magnitude
inline constexpr double kChanceCellPx = 20.0;       // level pixels per independent placement (chance_peak_z)
inline constexpr double kWarpOversample = 1.25;     // warps take the pyramid level 1.25 x finer than the target
inline constexpr int kPyramidMinPx = 16;            // the frame pyramid stops below this

// ---- Detectors ---------------------------------------------------------------------------------
inline constexpr double kSiftContrast = 0.02;       // SIFT contrast threshold: half OpenCV's, for flat farmland
inline constexpr float kAkazeThreshold = 0.0005f;   // AKAZE response threshold: half OpenCV's, same reason
inline constexpr int kOrbMinFeatures = 500;         // ORB keeps its n best: never fewer than this
inline constexpr int kOrbFastThreshold = 10;        // ORB FAST threshold: half OpenCV's 20, for low contrast
inline constexpr double kIndexOrbPxPerKeypoint = 150.0;  // ORB index: about one keypoint per 150 index px
inline constexpr double kIndexOrbMinKeypoints = 5000.0;  // ORB index: at least this many keypoints
inline constexpr double kIndexOrbMaxKeypoints = 200000.0;  // and at most this many (memory, matcher time)
inline constexpr int kIndexMaskErodeSize = 7;       // index keypoints keep off the no-data edge (7x7)
inline constexpr int kFrameKeypoints = 4000;        // keypoints detected in a frame

// ---- Keypoint matching -------------------------------------------------------------------------
inline constexpr float kRatioTest = 0.85f;          // nearest / second nearest descriptor distance
inline constexpr int kMinMatches = 8;               // fewer mutual matches: no homography is tried
inline constexpr int kMagsacMaxIters = 10000;       // MAGSAC++ iterations: ample for 8+ matches
inline constexpr int kAffineMaxIters = 5000;        // the affine fallback when MAGSAC finds no homography
inline constexpr double kRansacConfidence = 0.999;  // stop once a better model is this unlikely
inline constexpr double kKeypointInlierIndexPx = 2.5;  // inlier threshold, in index pixels
inline constexpr double kKeypointWorkMaxPx = 900.0; // without scale and heading, frames are shrunk to this
inline constexpr int kRetrievalTiles = 3;           // tiles whose keypoints are matched first
inline constexpr double kTileFootprints = 1.5;      // a retrieval tile holds a footprint anywhere in it ...
inline constexpr double kTileStrideFootprints = 0.5;  // ... with tiles every half footprint
inline constexpr double kVerifyMaxAreaPx = 6e6;     // a rectified frame larger than this is not verified
inline constexpr double kVerifyMinSidePx = 16.0;    // nor one smaller than this across
inline constexpr int kVerifyMaskErodePx = 4;        // keypoints keep off the rectified frame's edge

// ---- Keypoint gates and confidence -------------------------------------------------------------
// Confidence = c_n * (base + weight * c_r) * (base + weight * c_h) * (base + weight * c_e), each c in
// [0, 1]: inliers, inlier ratio, inlier spread (hull share), reprojection error.
struct ConfidenceWeight {
  double base, weight;
};
inline constexpr double kKpInlierSlack = 5.0;       // c_n is 0 at min_inliers - 5 ...
inline constexpr double kKpInlierSpan = 30.0;       // ... and 1 at min_inliers + 25
inline constexpr double kKpRatioFloorShare = 0.5;   // c_r is 0 at half min_inlier_ratio ...
inline constexpr double kKpRatioSpan = 0.3;         // ... and 1 at 0.3 above that
inline constexpr double kKpHullFullShare = 2.5;     // c_h is 1 at 2.5 x min_hull_share
inline constexpr double kKpReprojSlack = 1.2;       // c_e is 0 at 1.2 x max_reproj_px
inline constexpr ConfidenceWeight kKpRatioWeight{0.5, 0.5};    // a poor inlier ratio halves the confidence
inline constexpr ConfidenceWeight kKpHullWeight{0.6, 0.4};     // inliers in one corner: 0.6 of it
inline constexpr ConfidenceWeight kKpReprojWeight{0.7, 0.3};   // a large residual: 0.7 of it
inline constexpr double kKpErrorFloorIndexPx = 0.5;      // error_m floor: half an index pixel
inline constexpr double kKpErrorReprojFactor = 2.0;      // error_m: 2 x RMS residual / sqrt(samples)
inline constexpr double kKpErrorInliersPerSample = 4.0;  // a homography's worth of inliers per sample
inline constexpr double kFailedGateConfidenceCap = 0.3;  // a candidate failing a gate: never located
inline constexpr double kImplausibleConfidenceCap = 0.2; // a candidate with impossible geometry

// ---- Geometry gates (every candidate) ----------------------------------------------------------
inline constexpr double kGateScaleSlack = 0.15;     // the fix's scale may miss the prior by tol + 0.15
inline constexpr double kPlausibleGsdMinM = 0.02;   // without a scale prior: what a camera can do
inline constexpr double kPlausibleGsdMaxM = 30.0;   // (AlignOptions::validate: --gsd-range within them)
inline constexpr double kGateHeadingSlackDeg = 10.0;  // the fix's heading may miss the prior by tol + 10
inline constexpr double kGateRadiusSlack = 1.05;    // the fix's centre may lie 5 % beyond the circle
inline constexpr double kMinEdgeRatio = 0.6;        // footprint: top / bottom edge (a camera without roll)
inline constexpr double kMaxEdgeRatio = 4.0;        // far edge at most 4 x the near one (tilt 60+)
inline constexpr double kMinSideRatio = 0.6;        // footprint: left / right side, and its inverse
inline constexpr double kMinAspectRatio = 0.6;      // footprint aspect over the frame's: a tilt stretches
inline constexpr double kMaxAspectRatio = 4.0;      // at most 4 x longer along the view
inline constexpr double kHorizonDeg = 85.0;         // tilt + half the vertical field: the top sees the horizon

// ---- The camera tilt the search supports -------------------------------------------------------
// The refinement keeps hypotheses up to this tilt, and a tilt prior (--tilt-deg, telemetry) is
// accepted up to it: beyond it the dense search could never confirm a fix.
inline constexpr double kMaxTiltDeg = 45.0;         // steepest view the search confirms and a prior may give

// ---- Dense search: hypotheses ------------------------------------------------------------------
inline constexpr double kFootprintPx = 110.0;       // footprint width in level pixels (stage B, priors)
inline constexpr double kStageAFootprintPx = 80.0;  // stage A's coarser level, without a scale prior
inline constexpr double kStageATiltDeg = 12.0;      // stage A's one tilt when the tilt is unknown
inline const std::vector<double> kUnknownTiltsDeg{0.0, 25.0};  // tilts searched when the tilt is unknown
inline constexpr double kPriorHeadingStepDeg = 6.0; // headings within the prior's tolerance
inline constexpr int kHeadingsWithScale = 18;       // no heading prior, a scale prior: every 20 degrees
inline constexpr double kHeadingStepWithScaleDeg = 20.0;  // the refinement covers +-10 from each
inline constexpr int kHeadingsFree = 24;            // neither: every 15 degrees
inline constexpr double kHeadingStepFreeDeg = 15.0;  // stage B adds +-7.5, the refinement +-10
inline constexpr double kPriorScaleSpread = 0.8;    // scale hypotheses at g (1 +- 0.8 tol) ...
inline constexpr double kMinTolForScaleSpread = 0.04;  // ... when the tolerance is at least 4 %
inline constexpr double kFreeScaleStep = 1.2;       // stage A's scale grid, min_gsd_m up to 1.2 x max_gsd_m
inline constexpr int kPeaksPerHyp = 2;              // stage A: peaks kept per hypothesis
inline constexpr int kPriorPeaksPerHyp = 6;         // with priors: peaks kept per hypothesis
inline constexpr int kPriorPlaces = 12;             // with priors: distinct places refined
inline constexpr int kPriorStartsAtBest = 4;        // with priors: refinements started at the best place
inline constexpr int kFreePlaces = 24;              // without a scale prior: places stage A hands to stage B
inline constexpr double kCalibratedRadiusM = 1600.0;  // widest search circle the scale-prior gates saw
inline constexpr double kSamePlaceShare = 0.3;      // peaks closer than 0.3 footprint are one place
inline constexpr double kPeakSuppressShare = 0.25;  // a peak suppresses a quarter of the template around it
inline constexpr int kPeakSuppressMinPx = 3;        // and at least 3 level pixels
inline constexpr double kSearchMarginLevelPx = 2.0; // the search circle, widened by 2 level pixels
inline constexpr int kMinTemplatePx = 16;           // a smaller warped frame is no template
inline constexpr int kTemplateErodeSize = 7;        // template fields are zero within 3 px of the edge
inline constexpr double kStageBTiltStepDeg = 10.0;  // stage B: tilts +-10 around stage A's
inline constexpr double kStageBWindowCoarsePx = 1.5;  // stage B's window: +-1.5 stage-A pixels

// ---- Refinement --------------------------------------------------------------------------------
inline constexpr double kRefineScaleSlackFree = 1.1;  // no scale prior: the range widened by 10 %
inline constexpr double kRefineScaleSlack = 0.05;     // a scale prior: its tolerance + 5 %
inline constexpr double kRefineHeadingSlackDeg = 3.0; // a heading prior: its tolerance + 3 degrees
inline const std::vector<double> kRefineScalesFree{0.88, 0.94, 1.0, 1.06, 1.12};  // spans stage A's x1.2 step
inline const std::vector<double> kRefineScalesPrior{0.95, 0.975, 1.0, 1.025, 1.05};  // spans the prior's scale step
inline const std::vector<double> kRefineHeadingsWideDeg{-8, -4, 4, 8};  // no heading prior
inline const std::vector<double> kRefineHeadingsDeg{-2, 2};  // then the heading finer
inline const std::vector<double> kRefineTiltsDeg{-10, 10};  // tilt unknown: +-10 degrees
inline const std::vector<double> kRefineTiltsSecondDeg{-5, 5};  // the second pass when the tilt is unknown
inline const std::vector<double> kRefineScalesFine{0.97, 1.03};  // no scale prior: the scale again, finer
inline const std::vector<double> kFineScales{0.985, 1.0, 1.015};  // at the fine level
inline const std::vector<double> kFineHeadingsDeg{-1, 1};  // at the fine level: heading +-1
inline const std::vector<double> kFineTiltsDeg{-4, 4};  // and, tilt unknown, tilt +-4
inline constexpr double kRefineWindowPx = 3.0;      // search window at the coarse level, level pixels
inline constexpr double kFineWindowPx = 4.0;        // at the fine level (half the coarse resolution)

// ---- Block check -------------------------------------------------------------------------------
inline constexpr int kBlockPx = 24;                 // block side, level pixels
inline constexpr int kBlockReachPx = 8;             // each block searched +-8 level pixels
inline constexpr double kBlockMaxAreaPx = 4e6;      // a larger footprint is not checked
inline constexpr int kBlockMaskErodeSize = 5;       // blocks keep 2 px inside the footprint
inline constexpr double kBlockFlatSd = 0.05;        // sum of the fields' std below this: flat, skipped
inline constexpr double kBlockMinScore = 0.2;       // a block's best correlation below this: not localised
inline constexpr int kBlockPeakExclusionPx = 2;     // the runner-up is sought outside +-2 px of the best
inline constexpr double kBlockAmbiguity = 0.85;     // runner-up over 0.85 x best: ambiguous, not counted
inline constexpr int kBlockIterations = 3;          // block offsets measured, corrected, measured again
inline constexpr double kBlockNearShiftPx = 3.0;    // blocks within 3 px of the median shift fit the similarity
inline constexpr int kBlockMinForSimilarity = 6;    // fewer blocks near the shift: the shift alone
inline constexpr double kBlockMaxScaleChange = 0.06;  // the blocks' similarity is bounded to 6 % ...
inline constexpr double kBlockMaxRotationDeg = 4.0;   // ... and 4 degrees
inline constexpr double kBlockAgreePx = 1.5;        // a block agrees when its offset is within 1.5 px

// ---- Dense gates (dense_confidence) ------------------------------------------------------------
// Peak evidence = (peak_ratio - 1.2) / 0.3 + (peak_z - z0) / 1.5; confidence 0.5 at evidence 1.
inline constexpr double kEvidenceRatioStart = 1.2;  // a peak ratio of 1.2 adds no evidence ...
inline constexpr double kEvidenceRatioScale = 0.3;  // ... each 0.3 above it adds 1
inline constexpr double kEvidenceZStartFree = 8.0;  // without a scale prior chance peaks stand higher
inline constexpr double kEvidenceZStartPrior = 5.8; // the z adding no evidence, with a scale prior
inline constexpr double kEvidenceZScale = 1.5;      // each 1.5 sd above it adds 1
inline constexpr double kEvidenceAtLocated = 1.0;   // evidence that gives confidence 0.5 (kEvidenceBaseConfidence) ...
inline constexpr double kEvidenceBaseConfidence = 0.5;  // the default located threshold
inline constexpr double kEvidencePerConfidence = 3.0;  // ... and 3 more evidence for 1 more confidence
inline constexpr int kBlocksAgreeMin = 5;           // blocks alone: 5 agreeing, a quarter of those localised,
inline constexpr int kBlocksAgreeFew = 4;           // or 4 agreeing of at most 6 localised
inline constexpr int kBlocksFewLocalized = 6;       // "few": a coarse reference or a small footprint
inline constexpr double kBlocksConfidenceBase = 0.6;  // confidence on the blocks: 0.6 at 4 agreeing ...
inline constexpr double kBlocksConfidenceStep = 0.05; // ... + 0.05 each ...
inline constexpr double kBlocksConfidenceMax = 0.9;   // ... up to 0.9
inline constexpr double kMaxDriftCoarsePx = 1.5;    // the refinement may move the fix this far (coarse px)
inline constexpr double kMaxDriftFarCoarsePx = 3.0; // up to this with the evidence and the standing both
inline constexpr double kMinNccFine = 0.15;         // refined correlation floor of the evidence and blocks routes
inline constexpr double kUnconfirmedConfidenceCap = 0.3;  // a dense fix failing a floor: never located
struct StandingGate {
  double ratio, z, ncc;  // refined standing: ratio over the best other, z over the others, refined correlation
};
inline constexpr StandingGate kStandingFree{1.40, 5.8, 0.23};   // no scale prior: 24 places, mixed scales
inline constexpr StandingGate kStandingPrior{1.45, 6.0, 0.12};  // a scale prior: 12 places in the circle
inline constexpr int kStandingMinLocalized = 4;     // the standing needs some fine structure
inline constexpr double kStandingConfidenceBase = 0.55;  // confidence on the standing: 0.55 at the gate,
inline constexpr double kStandingConfidencePerZ = 0.05;  // + 0.05 per sd above its z,
inline constexpr double kStandingConfidencePerRatio = 0.5;  // + 0.5 per unit of ratio above it,
inline constexpr double kStandingConfidenceMax = 0.85;  // up to 0.85

// ---- Dense candidates --------------------------------------------------------------------------
inline constexpr int kGatedFree = 3;                // without a scale prior the best 3 refined places are gated
inline constexpr int kGatedPrior = 1;               // with one, the best
inline constexpr int kStandingMinPlaces = 8;        // the standing means something against 8 places or more
inline constexpr double kStandingTopFloor = 1e-3;   // no division by a vanishing best other
inline constexpr double kStandingSdFloor = 1e-4;    // nor by a vanishing spread of the others
inline constexpr double kRivalShare = 0.9;          // a rival refines to within 10 % of the fix's correlation
inline constexpr double kNoRivalPeakRatio = 10.0;   // peak ratio when no other place scored above zero
inline constexpr double kDenseErrorFinePx = 2.6;    // error_m: 2.6 fine-level px (90th percentile) ...
inline constexpr double kDenseErrorPerDrift = 1.5;  // ... or 1.5 x the refinement's move ...
inline constexpr double kDenseErrorPerRival = 1.5;  // ... or 1.5 x the rival's distance
inline constexpr double kConfirmMarginCoarsePx = 6.0;  // confirming keypoints sought 6 coarse px around
inline constexpr double kConfirmAgreeCoarsePx = 3.0;   // and their fix within 3 coarse px of the dense one

// ---- Frames of one video, and priors from telemetry (match.cpp) ------------------------------------
inline constexpr double kReferenceMarginM = 700.0;  // the reference window: search area + room for a footprint
inline constexpr double kMinReferenceGsdM = 0.5;    // finer imagery is read at 0.5 m unless --ref-gsd-m says
inline constexpr double kMinValidShare = 0.01;      // a window with less imagery data than 1 % is refused
inline constexpr double kTelemetryRadiusM = 500.0;  // search circle around the camera: 500 m ...
inline constexpr double kTelemetryReachUnknownM = 1000.0;  // ... + the tilt's reach, or 1000 m when unknown
inline constexpr double kTelemetryMinGsdTol = 0.2;  // height above take-off stands in for height above ground
inline constexpr double kTelemetryMinRelAltM = 1.0; // a lower camera gives no scale
inline constexpr double kTelemetryHorizonTiltDeg = 80.0;  // a camera tilted this far sees the horizon: no reach
inline constexpr double kTelemetryReachMaxTiltDeg = 75.0; // the reach is computed at most at this tilt
inline constexpr double kOutlierMinM = 50.0;        // an untimed fix this far from its neighbours' median ...
inline constexpr double kOutlierErrors = 5.0;       // ... and 5 times its own error_m is an outlier
inline constexpr double kPairDisagreeErrors = 4.0;  // two fixes further apart than 4 x their errors disagree
inline constexpr int kOutlierNeighbours = 3;        // neighbours each side in frame order

}  // namespace geo::match_detail
